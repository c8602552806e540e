import { SCHEMA_VERSION } from "../src/report/schema.ts";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, type TestCase, type TestSuites } from "junit2json";
import { beforeAll, describe, expect, test } from "vitest";
import { runCli, type CliRun } from "./helpers/cli.ts";
import { multitoolFindings } from "./helpers/sarif.ts";
import { buildLegacyReport } from "./report-fixture.ts";

// One seeded flaw, one finding: `alg: none` accepted by the reference backend's verifier shows up once in every
// format, listing every route it failed on, and the property suite's failure points at it instead of counting again.

let run: CliRun;
let runDir: string;

beforeAll(async () => {
  run = await runCli(["reference", "--flaws", "alg-none", "--skip", "browser,cors,cookie,csrf", "--seed", "7", "--fail-on", "low", "--reporter", "json,html,junit,sarif"]);
  runDir = path.join(run.outDir, run.report!.runId);
}, 300_000);

describe("one alg-none flaw, grouped", () => {
  test("report.json: exactly one token.alg-none finding listing every route it failed on; the property failure linked to it", () => {
    expect(run.code, run.stderr).toBe(1);
    const report = run.report!;
    const failing = report.results.filter((r) => r.checkId === "token.alg-none" && r.status === "fail");
    expect(failing.length).toBeGreaterThanOrEqual(8);
    const findings = report.findings.filter((f) => f.checkId === "token.alg-none");
    expect(findings).toHaveLength(1);
    const finding = findings[0]!;
    expect(new Set(finding.resultIds)).toEqual(new Set(failing.map((r) => r.id)));
    expect(finding.routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(failing.map((r) => `${r.endpoint!.method} ${r.endpoint!.path}`).sort());
    for (const property of report.findings.filter((f) => f.checkId.startsWith("property."))) expect(property.relatedFinding, property.id).toBe(finding.id);
    expect(report.summary.findings.total).toBe(report.findings.filter((f) => !f.relatedFinding).length);
    expect(Object.values(report.summary.skippedByReason).reduce((a, b) => a + b, 0)).toBe(report.summary.skipped);
  });

  test("terminal: one ✗ line for it with its route count, the summary line says what was skipped and why", () => {
    const lines = run.stdout.split("\n");
    const finding = run.report!.findings.find((f) => f.checkId === "token.alg-none")!;
    expect(lines.filter((l) => l.startsWith("✗ token.alg-none"))).toEqual([expect.stringContaining(`on ${finding.routes.length} routes`)]);
    expect(lines.filter((l) => l.startsWith("✗ property."))).toEqual([]);
    if (run.report!.findings.some((f) => f.checkId === "property.token-rejection")) expect(run.stdout).toContain("  ↳ property.token-rejection");
    const summary = lines.find((l) => l.startsWith("authproof: FAIL"))!;
    expect(summary).toContain(`skipped ${run.report!.summary.skipped}`);
    expect(summary).toMatch(/1 finding \(1 critical\)/);
  });

  test("HTML: one finding card for it, listing every route", () => {
    const html = readFileSync(path.join(runDir, "report.html"), "utf8");
    const cards = [...html.matchAll(/<article class="finding[\s\S]*?<\/article>/g)].map((m) => m[0]);
    const algNone = cards.filter((c) => c.includes("<code>token.alg-none</code>"));
    expect(algNone).toHaveLength(1);
    const finding = run.report!.findings.find((f) => f.checkId === "token.alg-none")!;
    expect(algNone[0]).toContain(`Affected routes (${finding.routes.length})`);
    for (const route of finding.routes) expect(algNone[0]).toContain(`<code>${route.path}</code>`);
    // a property failure appears inside that card, not as a card of its own
    expect(cards.filter((c) => c.includes("<code>property."))).toEqual(cards.filter((c) => c === algNone[0] && c.includes("<code>property.")));
    expect(html).toContain(`id="skipped-line">Skipped ${run.report!.summary.skipped}`);
  });

  test("SARIF: one alert for it with a related location per route, accepted by the Multitool", async () => {
    const text = readFileSync(path.join(runDir, "results.sarif"), "utf8");
    expect((await multitoolFindings(text)).filter((f) => f.level === "error")).toEqual([]);
    const alerts = JSON.parse(text).runs[0].results as Array<{ ruleId: string; relatedLocations?: unknown[] }>;
    const finding = run.report!.findings.find((f) => f.checkId === "token.alg-none")!;
    expect(alerts.filter((a) => a.ruleId === "token.alg-none").map((a) => a.relatedLocations?.length)).toEqual([finding.routes.length]);
    expect(alerts.filter((a) => a.ruleId.startsWith("property."))).toEqual([]);
  });

  test("JUnit: one failing testcase for it, names unique, readable by junit2json", async () => {
    const parsed = (await parse(readFileSync(path.join(runDir, "junit.xml"), "utf8"))) as TestSuites;
    const cases = (parsed.testsuite ?? []).flatMap((suite) => suite.testcase ?? []) as TestCase[];
    expect(new Set(cases.map((c) => `${c.classname} ${c.name}`)).size).toBe(cases.length);
    const algNone = cases.filter((c) => c.name === "token.alg-none");
    expect(algNone).toHaveLength(1);
    expect(algNone[0]!.failure![0]!.inner).toContain(`Routes (${run.report!.findings.find((f) => f.checkId === "token.alg-none")!.routes.length}):`);
  });
});

describe("a 1.0.0 report", () => {
  test("is re-rendered by `authproof report` (migrated on load)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "authproof-legacy-"));
    const file = path.join(dir, "report.json");
    writeFileSync(file, JSON.stringify(buildLegacyReport()));
    const rerun = await runCli(["report", file], {}, 60_000);
    expect(rerun.code, rerun.stderr).toBe(1);
    expect(rerun.report!.schemaVersion).toBe(SCHEMA_VERSION);
    expect(rerun.report!.findings.length).toBeGreaterThan(0);
  }, 90_000);
});
