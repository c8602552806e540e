import { multitoolFindings } from "./helpers/sarif.ts";
import { describe, expect, it } from "vitest";
import { applyBaseline } from "../src/report/baseline.ts";
import { buildSarif, renderSarif } from "../src/report/sarif.ts";
import { buildBaseline, buildReport } from "./report-fixture.ts";

const suiteFiles = { token: "suites/token.suite.ts", isolation: "suites/isolation.suite.ts" };

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
  const report = applyBaseline(buildReport(), buildBaseline());
  const sarif = buildSarif(report, { suiteFiles }) as any;
  const runOut = sarif.runs[0];
  const results = runOut.results as SarifResultOut[];

  it("passes the SARIF Multitool with GitHub ingestion rules: zero errors, zero warnings", async () => {
    const findings = await multitoolFindings(renderSarif(report, { suiteFiles }));
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

  it("emits one result per failure, with level by severity, repo-relative location and a stable fingerprint", () => {
    expect(results).toHaveLength(report.summary.failed);
    const algNone = results.find((r) => r.ruleId === "token.alg-none")!;
    expect(algNone.level).toBe("error");
    expect(runOut.tool.driver.rules[algNone.ruleIndex].id).toBe("token.alg-none");
    expect(algNone.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: "suites/token.suite.ts" }, region: { startLine: 1 } });
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
    const again = (buildSarif(buildReport({ runId: "another-run", durationMs: 5 }), { suiteFiles }) as any).runs[0].results as SarifResultOut[];
    expect(again.map((r) => r.partialFingerprints.primaryLocationLineHash)).toEqual(hashes);
  });

  it("reports errors as tool notifications, not alerts, and leaves passes and skips out", () => {
    expect(results.some((r) => r.ruleId === "token.malformed")).toBe(false);
    const notes = runOut.invocations[0].toolExecutionNotifications as any[];
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ level: "warning", associatedRule: { id: "token.malformed" } });
    expect(runOut.automationDetails.id).toBe(`authproof/${report.runId}`);
  });
});
