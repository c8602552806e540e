import type { BaselineComparison, Report, Result } from "./schema.ts";

/**
 * Compares a run with an earlier one, matching results by `id` (`checkId METHOD path`):
 * - a failing result is `new` unless it also failed in the baseline (`unchanged`);
 * - a passing result that failed in the baseline is `fixed`;
 * - skips and errors get no marker (nothing was proven either way).
 * Baseline failures with no result in this run are not turned into fake passes: they are listed in
 * `report.baseline.fixed` with `now: "absent"` (not tested this run) so the summary stays true to what ran.
 * Pure: returns a new report; markers from an earlier comparison are replaced.
 *
 * @example const marked = applyBaseline(report, await loadReport("old/report.json"));
 */
export function applyBaseline(current: Report, baseline: Report): Report {
  const failedBefore = new Map<string, Result>();
  for (const result of baseline.results) if (result.status === "fail") failedBefore.set(result.id, result);

  const currentIds = new Set<string>();
  const counts = { new: 0, fixed: 0, unchanged: 0, absent: 0 };
  const fixed: BaselineComparison["fixed"] = [];

  const results = current.results.map((result): Result => {
    currentIds.add(result.id);
    const { baseline: _previousMarker, ...rest } = result;
    const before = failedBefore.get(result.id);
    if (result.status === "fail") {
      const marker = before ? "unchanged" : "new";
      counts[marker]++;
      return { ...rest, baseline: marker };
    }
    if (result.status === "pass" && before) {
      counts.fixed++;
      fixed.push({ ...identify(result), now: "pass" });
      return { ...rest, baseline: "fixed" };
    }
    return rest;
  });

  for (const [id, before] of failedBefore) {
    if (currentIds.has(id)) continue;
    counts.absent++;
    fixed.push({ ...identify(before), now: "absent" });
  }

  return {
    ...current,
    results,
    baseline: { runId: baseline.runId, startedAt: baseline.startedAt, counts, fixed },
  };
}

function identify(result: Result): Omit<BaselineComparison["fixed"][number], "now"> {
  const { id, checkId, title, category, severity, endpoint } = result;
  return endpoint ? { id, checkId, title, category, severity, endpoint } : { id, checkId, title, category, severity };
}
