import { describe, expect, it } from "vitest";
import { applyBaseline } from "../src/report/baseline.ts";
import { ReportSchema } from "../src/report/schema.ts";
import { exitCodeFor, summarize } from "../src/report/summary.ts";
import { buildBaseline, buildReport } from "./report-fixture.ts";
import { withFindings } from "../src/report/findings.ts";

describe("summary and exit code", () => {
  it("counts statuses and failed results per severity", () => {
    const summary = summarize(buildReport().results, "high");
    expect(summary).toEqual({
      passed: 4,
      failed: 6,
      skipped: 2,
      errors: 1,
      bySeverity: { critical: 3, high: 1, medium: 0, low: 1, info: 1 },
      accepted: 0,
      verdict: "fail",
      skippedByReason: { "needs a signing key": 1, "no session cookie was set on sign-in": 1 },
    });
  });

  it("fails only on failed results at or above the threshold; errors and skips never decide", () => {
    const results = [
      { status: "fail", severity: "medium" },
      { status: "error", severity: "critical" },
      { status: "skip", severity: "critical" },
    ] as const;
    expect(summarize(results, "high").verdict).toBe("pass");
    expect(summarize(results, "medium").verdict).toBe("fail");
    expect(summarize(results, "info").verdict).toBe("fail");
    expect(summarize([], "info").verdict).toBe("pass");
  });

  it("maps the verdict to exit codes, by the report policy or an explicit threshold", () => {
    const report = buildReport();
    expect(exitCodeFor(report)).toBe(1);
    const onlyLow = { ...report, results: report.results.filter((r) => r.severity === "low" || r.status !== "fail") };
    expect(exitCodeFor(onlyLow)).toBe(0);
    expect(exitCodeFor(onlyLow, "low")).toBe(1);
  });
});

describe("applyBaseline", () => {
  const marked = applyBaseline(buildReport(), buildBaseline());
  const markerOf = (id: string) => marked.results.find((r) => r.id === id)?.baseline;

  it("marks failures present in both runs as unchanged and the others as new", () => {
    expect(markerOf("token.alg-none GET /api/tasks")).toBe("unchanged");
    expect(markerOf("isolation.read-foreign GET /api/tasks/{id}")).toBe("unchanged");
    expect(markerOf("isolation.write-foreign DELETE /api/tasks/{id}")).toBe("new");
    expect(markerOf("hygiene.no-store GET /api/me")).toBe("new"); // passed in the baseline
    expect(markerOf("claims.lifetime")).toBe("new");
    expect(markerOf("property.token-rejection GET /api/me")).toBe("new");
  });

  it("marks baseline failures that pass now as fixed, and leaves skips, errors and old passes unmarked", () => {
    expect(markerOf("transport.missing-token GET /api/me")).toBe("fixed");
    expect(markerOf("cors.reflect-origin")).toBe("fixed");
    expect(markerOf("transport.missing-token GET /api/tasks")).toBeUndefined();
    expect(markerOf("token.malformed GET /api/tasks")).toBeUndefined();
    expect(markerOf("claims.exp-expired")).toBeUndefined();
  });

  it("lists baseline failures absent from this run without inventing results", () => {
    expect(marked.results).toHaveLength(buildReport().results.length);
    expect(marked.baseline).toEqual({
      runId: "20260420-090000-old001",
      startedAt: "2026-04-20T09:00:00.000Z",
      counts: { new: 4, unchanged: 2, fixed: 2, absent: 1 },
      fixed: expect.arrayContaining([
        expect.objectContaining({ id: "transport.missing-token GET /api/me", now: "pass" }),
        expect.objectContaining({ id: "cors.reflect-origin", now: "pass" }),
        expect.objectContaining({ id: "token.jku-x5u GET /api/tasks", checkId: "token.jku-x5u", now: "absent" }),
      ]),
    });
    expect(marked.baseline!.fixed).toHaveLength(3);
  });

  it("produces a valid report, keeps the summary, and is idempotent", () => {
    expect(ReportSchema.safeParse(marked).success).toBe(true);
    expect(marked.summary).toEqual(buildReport().summary);
    expect(applyBaseline(marked, buildBaseline())).toEqual(marked);
  });

  it("marks every failure new against an empty baseline, and nothing fixed", () => {
    const empty = withFindings({ ...buildBaseline(), results: [] });
    const againstEmpty = applyBaseline(buildReport(), empty);
    const failed = againstEmpty.results.filter((r) => r.status === "fail");
    expect(failed.every((r) => r.baseline === "new")).toBe(true);
    expect(againstEmpty.baseline!.counts).toEqual({ new: failed.length, unchanged: 0, fixed: 0, absent: 0 });
  });
});
