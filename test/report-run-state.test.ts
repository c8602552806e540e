import { parse, type TestSuites } from "junit2json";
import { describe, expect, it } from "vitest";
import { renderHtml } from "../src/report/html.ts";
import { renderJunit } from "../src/report/junit.ts";
import { parseReportText } from "../src/report/load.ts";
import { buildSarif, renderSarif } from "../src/report/sarif.ts";
import { ReportSchema, SCHEMA_VERSION } from "../src/report/schema.ts";
import { multitoolFindings } from "./helpers/sarif.ts";
import { buildReport } from "./report-fixture.ts";

/** `run.state`: a report says whether the run finished, and every rendering shows it when it did not. */

const partial = buildReport({ run: { state: "partial", reason: "the target stopped answering (http://127.0.0.1:8000)" } });

describe("run.state in report.json", () => {
  it("is required and one of complete / partial / incomplete", () => {
    expect(ReportSchema.safeParse(partial).success).toBe(true);
    const { run: _run, ...withoutRun } = buildReport();
    expect(ReportSchema.safeParse(withoutRun).success).toBe(false);
    expect(ReportSchema.safeParse(buildReport({ run: { state: "done" as "complete" } })).success).toBe(false);
  });

  it("a 1.0.0 report (a --baseline from before) loads as a complete run of today's version", () => {
    const { run: _run, ...old } = buildReport();
    const loaded = parseReportText(JSON.stringify({ ...old, schemaVersion: "1.0.0" }), "old.json");
    expect(loaded.schemaVersion).toBe(SCHEMA_VERSION);
    expect(loaded.run).toEqual({ state: "complete" });
  });
});

describe("renderers of a partial run", () => {
  it("HTML: a PARTIAL badge instead of PASS/FAIL and a banner with the reason", () => {
    const html = renderHtml(partial);
    expect(html).toContain(`<div class="verdict-badge" id="verdict" aria-label="Verdict">PARTIAL</div>`);
    expect(html).toMatch(/<div class="run-banner" id="run-state" role="alert">Partial run — the run ended early: the target stopped answering \(http:\/\/127\.0\.0\.1:8000\)\./);
    expect(html).toContain("<title>authproof PARTIAL");
    expect(renderHtml(buildReport())).not.toContain(`id="run-state"`);
  });

  it("JUnit: every testsuite carries authproof.run.state and authproof.run.reason", async () => {
    const parsed = (await parse(renderJunit(partial))) as TestSuites;
    expect(parsed.testsuite!.length).toBeGreaterThan(0);
    for (const suite of parsed.testsuite!) {
      expect(suite.properties).toEqual(
        expect.arrayContaining([
          { name: "authproof.run.state", value: "partial" },
          { name: "authproof.run.reason", value: "the target stopped answering (http://127.0.0.1:8000)" },
        ]),
      );
    }
    const empty = (await parse(renderJunit(buildReport({ run: { state: "partial", reason: "interrupted by SIGINT" }, results: [], summary: { ...partial.summary, passed: 0, failed: 0, skipped: 0, errors: 0 } })))) as TestSuites;
    expect(empty.testsuite![0]!.properties).toContainEqual({ name: "authproof.run.state", value: "partial" });
    expect(renderJunit(buildReport())).not.toContain("authproof.run.state");
  });

  it("SARIF: run properties, an unsuccessful invocation with a notification, and still valid for GitHub", async () => {
    const run = (buildSarif(partial) as { runs: Array<Record<string, any>> }).runs[0]!;
    expect(run.properties).toMatchObject({ runState: "partial", runReason: "the target stopped answering (http://127.0.0.1:8000)" });
    expect(run.invocations[0]).toMatchObject({ executionSuccessful: false, exitCode: 2 });
    expect(run.invocations[0].toolExecutionNotifications[0]).toMatchObject({ level: "error", message: { text: expect.stringMatching(/^authproof partial run: the target stopped answering/) } });
    const findings = await multitoolFindings(renderSarif(partial));
    expect(findings.filter((f) => f.level === "error")).toEqual([]);
  });
});
