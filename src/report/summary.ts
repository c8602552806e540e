import { SEVERITIES, severityRank, type Severity } from "../catalogue/types.ts";

/** What the summary counts of each result. */
interface Counted {
  status: "pass" | "fail" | "skip" | "error";
  severity: Severity;
  reason?: string;
  /** An ignore-file entry: accepted failures are counted apart and never decide the verdict. */
  acceptance?: { state: "accepted" | "expired" };
  baseline?: "new" | "fixed" | "unchanged";
}

/** What the finding counts read of each finding. */
interface CountedFinding {
  id: string;
  severity: Severity;
  relatedFinding?: string;
  acceptance?: { state: "accepted" | "expired" };
}

/** Counts per status and per severity of the failures, skips per reason, and the verdict at the fail-on threshold. */
export interface ResultCounts {
  passed: number;
  failed: number;
  skipped: number;
  errors: number;
  bySeverity: Record<Severity, number>;
  accepted: number;
  verdict: "pass" | "fail";
  skippedByReason: Record<string, number>;
}

export interface FindingCounts {
  total: number;
  linked: number;
  accepted: number;
  bySeverity: Record<Severity, number>;
}

export interface Summary extends ResultCounts {
  findings: FindingCounts;
}

/** Whether an ignore-file entry (not expired) accepts this failure. */
export function isAccepted(item: { acceptance?: { state: string } }): boolean {
  return item.acceptance?.state === "accepted";
}

/**
 * Counts the results and decides the verdict: "fail" iff a failed result is at or above `failOn`. Failures an
 * ignore-file entry accepts are counted as `accepted`, apart from `failed`, and never decide the verdict.
 * Errors and skips never decide the verdict (they are counted and shown; exit code 2 is for runs that could not start).
 *
 * @example summarize(report.results, "high").verdict // "pass" | "fail"
 */
export function summarize(results: ReadonlyArray<Counted>, failOn: Severity): ResultCounts {
  const bySeverity = zeroBySeverity();
  let passed = 0;
  let failed = 0;
  let errors = 0;
  let accepted = 0;
  let blocking = false;
  const skips: Counted[] = [];
  for (const result of results) {
    if (result.status === "pass") passed++;
    else if (result.status === "skip") skips.push(result);
    else if (result.status === "error") errors++;
    else if (isAccepted(result)) accepted++;
    else {
      failed++;
      bySeverity[result.severity]++;
      if (severityRank(result.severity) >= severityRank(failOn)) blocking = true;
    }
  }
  return { passed, failed, skipped: skips.length, errors, bySeverity, accepted, verdict: blocking ? "fail" : "pass", skippedByReason: groupSkipReasons(skips) };
}

/**
 * The summary of a report: result counts plus finding counts.
 *
 * @example report.summary = summaryOf(report.results, report.findings, report.policy.failOn);
 */
export function summaryOf(results: ReadonlyArray<Counted>, findings: ReadonlyArray<CountedFinding>, failOn: Severity): Summary {
  return { ...summarize(results, failOn), findings: countFindings(findings) };
}

/** Findings per severity; a property finding linked to the scenario finding it reproduces counts as `linked` only. */
export function countFindings(findings: ReadonlyArray<CountedFinding>): FindingCounts {
  const bySeverity = zeroBySeverity();
  let total = 0;
  let linked = 0;
  let accepted = 0;
  for (const finding of findings) {
    if (isAccepted(finding)) accepted++;
    else if (finding.relatedFinding !== undefined) linked++;
    else {
      total++;
      bySeverity[finding.severity]++;
    }
  }
  return { total, linked, accepted, bySeverity };
}

/**
 * The findings that make the verdict fail: at or above `failOn`, and not linked to a finding that is already
 * at or above it (a linked property finding counts only when the scenario finding it reproduces is below).
 *
 * @example blockingFindings(report.findings, report.policy.failOn).length
 */
export function blockingFindings<F extends CountedFinding>(findings: ReadonlyArray<F>, failOn: Severity): F[] {
  const atOrAbove = (f: CountedFinding) => !isAccepted(f) && severityRank(f.severity) >= severityRank(failOn);
  const blockingIds = new Set(findings.filter((f) => f.relatedFinding === undefined && atOrAbove(f)).map((f) => f.id));
  return findings.filter((f) => atOrAbove(f) && (f.relatedFinding === undefined || !blockingIds.has(f.relatedFinding)));
}

/**
 * Skip reasons grouped: reasons that differ only in per-route detail (what follows a colon, parentheses,
 * URLs, case) share a group, labelled by its most common wording. Ordered by count, then label.
 *
 * @example groupSkipReasons(report.results.filter((r) => r.status === "skip")) // { "needs a signing key (…)": 56, … }
 */
export function groupSkipReasons(skips: ReadonlyArray<{ reason?: string }>): Record<string, number> {
  const groups = new Map<string, Map<string, number>>();
  for (const { reason } of skips) {
    const line = (reason ?? "").split("\n")[0]!.trim() || "no reason given";
    const key = skipReasonKey(line);
    const wordings = groups.get(key) ?? new Map<string, number>();
    wordings.set(line, (wordings.get(line) ?? 0) + 1);
    groups.set(key, wordings);
  }
  const entries = [...groups.values()].map((wordings) => {
    const [label] = [...wordings].sort(([a, m], [b, n]) => n - m || a.length - b.length || (a < b ? -1 : 1))[0]!;
    return [label, [...wordings.values()].reduce((sum, n) => sum + n, 0)] as const;
  });
  entries.sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

/** The grouping key of a skip reason: its first clause, without parentheses, URLs, case or extra spaces. */
export function skipReasonKey(reason: string): string {
  const line = reason.split("\n")[0]!;
  const colon = line.indexOf(": ");
  return (colon > 0 ? line.slice(0, colon) : line)
    .replace(/\([^)]*\)/g, "")
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, "<url>")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/**
 * Process exit code for a finished run: 1 when a failed result (not accepted) is at or above `failOn`
 * (default: the report's own policy), else 0. With `onlyNew` (--fail-on-new, ZAP baseline style) only
 * failures the baseline marked `new` count: an unchanged finding does not fail the run again.
 *
 * @example process.exitCode = exitCodeFor(report, "medium", { onlyNew: true });
 */
export function exitCodeFor(
  report: { results: ReadonlyArray<Counted>; policy: { failOn: Severity } },
  failOn: Severity = report.policy.failOn,
  options: { onlyNew?: boolean } = {},
): 0 | 1 {
  const counted = options.onlyNew ? report.results.filter((r) => r.status !== "fail" || r.baseline === "new") : report.results;
  return summarize(counted, failOn).verdict === "fail" ? 1 : 0;
}

function zeroBySeverity(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}
