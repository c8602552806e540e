import { SEVERITIES, severityRank, type Severity } from "../catalogue/types.ts";

/** What the summary counts of each result. */
interface Counted {
  status: "pass" | "fail" | "skip" | "error";
  severity: Severity;
}

/** Counts per status and per severity of the failures, and the verdict at the fail-on threshold. */
export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  bySeverity: Record<Severity, number>;
  verdict: "pass" | "fail";
}

/**
 * Counts the results and decides the verdict: "fail" iff a failed result is at or above `failOn`.
 * Errors and skips never decide the verdict (they are counted and shown; exit code 2 is for runs that could not start).
 *
 * @example summarize(report.results, "high").verdict // "pass" | "fail"
 */
export function summarize(results: ReadonlyArray<Counted>, failOn: Severity): Summary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  let errors = 0;
  let blocking = false;
  for (const result of results) {
    if (result.status === "pass") passed++;
    else if (result.status === "skip") skipped++;
    else if (result.status === "error") errors++;
    else {
      failed++;
      bySeverity[result.severity]++;
      if (severityRank(result.severity) >= severityRank(failOn)) blocking = true;
    }
  }
  return { passed, failed, skipped, errors, bySeverity, verdict: blocking ? "fail" : "pass" };
}

/**
 * Process exit code for a finished run: 1 when a failed result is at or above `failOn`
 * (default: the report's own policy), else 0.
 *
 * @example process.exitCode = exitCodeFor(report, "medium");
 */
export function exitCodeFor(report: { results: ReadonlyArray<Counted>; policy: { failOn: Severity } }, failOn: Severity = report.policy.failOn): 0 | 1 {
  return summarize(report.results, failOn).verdict === "fail" ? 1 : 0;
}
