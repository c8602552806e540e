import { multitoolFindings } from "./helpers/sarif.ts";
import { describe, expect, it } from "vitest";
import { applyBaseline } from "../src/report/baseline.ts";
import { withFindings } from "../src/report/findings.ts";
import { buildSarif, renderSarif } from "../src/report/sarif.ts";
import { buildAlgNoneReport, buildBaseline, buildReport } from "./report-fixture.ts";

/** Where the audited project's findings point: the config file, and the router module that serves GET /api/tasks. */
const source = { file: "authproof.config.ts", routes: { "GET /api/tasks": "app/routers/tasks.py" } };

interface SarifResultOut {
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>;
  ruleId: string;
  ruleIndex: number;
  partialFingerprints: { primaryLocationLineHash: string };
  properties: Record<string, unknown>;
  baselineState?: string;
}

describe("SARIF renderer", () => {
  const report = applyBaseline(buildReport({ source }), buildBaseline());
  const sarif = buildSarif(report) as any;
  const runOut = sarif.runs[0];
  const results = runOut.results as SarifResultOut[];

  it("passes the SARIF Multitool with GitHub ingestion rules: zero errors, zero warnings", async () => {
    const findings = await multitoolFindings(renderSarif(report));
    expect(findings.filter((f) => f.level === "error")).toEqual([]);
    expect(findings.filter((f) => f.level === "warning")).toEqual([]);
  });

  it("the validator does catch what GitHub rejects (a result without locations)", async () => {
    const broken = structuredClone(sarif);
    delete broken.runs[0].results[0].locations;
    const findings = await multitoolFindings(JSON.stringify(broken));
    expect(findings.some((f) => f.level === "error" && f.ruleId.startsWith("GH"))).toBe(true);
  });

  it("declares one rule per check with GitHub's security-severity, tags and help", () => {
    const rules = runOut.tool.driver.rules as any[];
    expect(rules.map((r) => r.id)).toEqual(report.checks.map((c) => c.id));
    const algNone = rules.find((r) => r.id === "token.alg-none");
    expect(algNone).toMatchObject({
      name: "TokenAlgNone",
      shortDescription: { text: "alg none is rejected" },
      defaultConfiguration: { level: "error" },
      properties: { "security-severity": "9.5", tags: ["security", "token", "external/cwe/cwe-347"], precision: "high" },
    });
    expect(algNone.help.markdown).toContain("[RFC 8725 §3.1](https://www.rfc-editor.org/rfc/rfc8725#section-3.1)");
    expect(rules.find((r) => r.id === "hygiene.no-store").properties["security-severity"]).toBe("3.0");
    expect(runOut.tool.driver).toMatchObject({ name: "authproof", version: "0.1.0" });
  });

  it("emits one result per finding, with level by severity, repo-relative location and a stable fingerprint", () => {
    expect(results).toHaveLength(report.summary.findings.total);
    const algNone = results.find((r) => r.ruleId === "token.alg-none")!;
    expect(algNone.level).toBe("error");
    expect(runOut.tool.driver.rules[algNone.ruleIndex].id).toBe("token.alg-none");
    expect(algNone.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: "app/routers/tasks.py" }, region: { startLine: 1 } });
    expect(algNone.message.text).toContain("GET http://127.0.0.1:8000/api/tasks");
    expect(algNone.properties).toMatchObject({ checkId: "token.alg-none", endpoint: "GET /api/tasks" });
    expect(algNone.baselineState).toBe("unchanged");
    expect(results.find((r) => r.ruleId === "hygiene.no-store")!.level).toBe("note");
    expect(results.find((r) => r.ruleId === "claims.lifetime")!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      "authproof.config.ts",
    );
    for (const r of results) expect(r.locations[0]!.physicalLocation.artifactLocation.uri).not.toMatch(/^[a-z]+:/i);

    const hashes = results.map((r) => r.partialFingerprints.primaryLocationLineHash);
    expect(new Set(hashes).size).toBe(hashes.length);
    const again = (buildSarif(buildReport({ runId: "another-run", durationMs: 5, source })) as any).runs[0].results as SarifResultOut[];
    expect(again.map((r) => r.partialFingerprints.primaryLocationLineHash)).toEqual(hashes);
  });

  it("reports errors as tool notifications, not alerts, and leaves passes and skips out", () => {
    expect(results.some((r) => r.ruleId === "token.malformed")).toBe(false);
    const notes = runOut.invocations[0].toolExecutionNotifications as any[];
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ level: "warning", associatedRule: { id: "token.malformed" } });
    expect(runOut.automationDetails.id).toBe(`authproof/${report.runId}`);
  });

  it("one alg:none flaw on 8 routes: one result with 8 related locations, accepted by the Multitool", async () => {
    const algNone = buildAlgNoneReport();
    const text = renderSarif(algNone);
    const findings = await multitoolFindings(text);
    expect(findings.filter((f) => f.level === "error")).toEqual([]);
    expect(findings.filter((f) => f.level === "warning")).toEqual([]);
    const out = JSON.parse(text).runs[0];
    expect(out.results).toHaveLength(1);
    const alert = out.results[0];
    expect(alert.ruleId).toBe("token.alg-none");
    expect(alert.relatedLocations).toHaveLength(8);
    expect(alert.relatedLocations.map((l: any) => l.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(alert.relatedLocations[0].message.text).toBe("GET /api/me (http://127.0.0.1:8000/api/me): 32 of 38 variants failed");
    expect(alert.message.text).toMatch(/^Unsigned tokens \(alg none\) are refused on 8 routes \(GET \/api\/me, /);
    expect(alert.properties).toMatchObject({ findingId: algNone.findings[0]!.id, exploitConfirmed: true, alsoFoundBy: [algNone.findings[1]!.id] });
    expect(alert.properties.routes).toHaveLength(8);
    // rules stay one per check
    expect(out.tool.driver.rules.map((r: any) => r.id)).toEqual(algNone.checks.map((c) => c.id));
    // the same finding on another run (other ports, one route fixed) keeps its fingerprint
    const later = structuredClone(algNone);
    later.runId = "later-run";
    later.results = later.results.filter((r) => r.id !== "token.alg-none DELETE /api/tasks/{task_id}");
    const again = JSON.parse(renderSarif(withFindings(later))).runs[0].results[0];
    expect(again.partialFingerprints).toEqual(alert.partialFingerprints);
    expect(again.relatedLocations).toHaveLength(7);
  });

  it("takes each rule's level from the run's findings (results keep their own severity), else the catalogue's", () => {
    const lenient = buildAlgNoneReport();
    lenient.results = lenient.results.map((r) => (r.checkId === "token.alg-none" ? { ...r, severity: "info" as const } : r));
    const out = buildSarif(withFindings(lenient)) as any;
    const rules = out.runs[0].tool.driver.rules as any[];
    expect(rules.find((r) => r.id === "token.alg-none").properties["security-severity"]).toBe("1.0");
    expect(rules.find((r) => r.id === "token.signature-stripped").properties["security-severity"]).toBe("9.5");
    expect(out.runs[0].results.find((r: any) => r.ruleId === "token.alg-none").level).toBe("note");
    // the property failure linked to it is more severe: it stays an alert rather than disappear
    expect(out.runs[0].results.map((r: any) => r.ruleId)).toEqual(["token.alg-none", "property.token-rejection"]);
  });
});
