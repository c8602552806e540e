import { CHECKS } from "../catalogue/checks.ts";
import { mergeWrites } from "../http/writes.ts";
import { ReportError } from "./errors.ts";
import { withFindings } from "./findings.ts";
import type { Report } from "./schema.ts";
import { validateReport } from "./validate.ts";

/**
 * Joins the reports of `authproof audit --shard i/n` into the report of the whole audit: every shard 1..n
 * exactly once, all of one seed, one target, one policy and one tool version. Results are the union (a result
 * id in two shards is refused by validation), findings and the summary are recomputed from them; the run is
 * partial when any shard was, and incomplete when no shard judged anything (shards themselves are never marked
 * incomplete for that: one slice may hold only skips). `startedAt` / `runId` are the earliest shard's, `durationMs` the longest
 * (the shards ran side by side). Throws ReportError SHARDS_MISMATCH with one line naming what does not fit.
 *
 * The replay basis (the users' decoded tokens) is shard 1's: each shard signed up its own users, so
 * `authproof replay` on another shard's result needs that shard's own report.
 */
export function mergeShards(reports: ReadonlyArray<{ file: string; report: Report }>): Report {
  if (reports.length === 0) throw new ReportError("SHARDS_MISMATCH", "merge: no reports given");
  const unsharded = reports.find(({ report }) => !report.shard);
  if (unsharded) throw new ReportError("SHARDS_MISMATCH", `merge: ${unsharded.file} is not a shard's report (it was not written by authproof audit --shard i/n)`);
  const [first] = reports;
  const count = first!.report.shard!.count;
  const byIndex = new Map<number, string>();
  for (const { file, report } of reports) {
    const { index, count: n } = report.shard!;
    if (n !== count) throw new ReportError("SHARDS_MISMATCH", `merge: ${file} is shard ${index}/${n}, ${first!.file} is of ${count} shards`);
    const twice = byIndex.get(index);
    if (twice) throw new ReportError("SHARDS_MISMATCH", `merge: shard ${index}/${count} is given twice (${twice} and ${file})`);
    byIndex.set(index, file);
    const differs = difference(first!.report, report);
    if (differs) throw new ReportError("SHARDS_MISMATCH", `merge: ${file} and ${first!.file} are not shards of one audit: ${differs}`);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) throw new ReportError("SHARDS_MISMATCH", `merge: shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${count}`).join(", ")} missing`);

  const ordered = [...reports].sort((a, b) => a.report.shard!.index - b.report.shard!.index).map(({ report }) => report);
  const earliest = [...ordered].sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0]!;
  const rank = new Map(CHECKS.map((check, i) => [check.id as string, i]));
  const results = ordered.flatMap((r) => r.results.map(({ baseline: _marker, ...result }) => result)).sort((a, b) => (rank.get(a.checkId) ?? 0) - (rank.get(b.checkId) ?? 0));
  const usedChecks = new Set(results.map((r) => r.checkId));
  const notComplete = ordered.filter((r) => r.run.state !== "complete");
  const writes = ordered.flatMap((r) => (r.writes ? [r.writes.map((w) => ({ ...w }))] : []));
  const cells = ordered.flatMap((r) => r.matrix?.cells ?? []);
  const { baseline: _baseline, shard: _shard, findings: _findings, summary: _summary, matrix: _matrix, requests: _requests, writes: _writes, ...base } = earliest;
  const merged = withFindings({
    ...base,
    durationMs: Math.max(...ordered.map((r) => r.durationMs)),
    run: notComplete.length
      ? { state: notComplete.some((r) => r.run.state === "partial") ? "partial" : "incomplete", reason: notComplete.map((r) => `shard ${r.shard!.index}/${count}: ${r.run.reason ?? r.run.state}`).join("; ") }
      : results.some((r) => r.status === "pass" || r.status === "fail")
        ? { state: "complete" }
        : { state: "incomplete", reason: "no check ran to a verdict in any shard (every result was skipped or an error)" },
    replayBasis: ordered[0]!.replayBasis,
    checks: uniqueById(ordered.flatMap((r) => r.checks)).filter((c) => usedChecks.has(c.id)),
    results,
    ...(writes.length ? { writes: mergeWrites(...writes) } : {}),
    ...(requestsOf(ordered) ? { requests: requestsOf(ordered)! } : {}),
    ...(cells.length ? { matrix: { users: uniqueBy(ordered.flatMap((r) => r.matrix?.users ?? []), (u) => `${u.label} ${u.id}`), cells } } : {}),
  });
  return validateReport(merged, "merged report");
}

/** What two shard reports disagree on (seed, target, policy, tool version), or undefined. */
function difference(a: Report, b: Report): string | undefined {
  if (a.seed !== b.seed) return `seed ${a.seed} vs ${b.seed}`;
  const target = (r: Report) => `${r.target.mode} ${r.target.apiUrl} ${r.target.authUrl ?? "-"} (oracle ${r.target.oracle})`;
  if (target(a) !== target(b)) return `target ${target(a)} vs ${target(b)}`;
  if (JSON.stringify(a.policy) !== JSON.stringify(b.policy)) return `policy ${JSON.stringify(a.policy)} vs ${JSON.stringify(b.policy)}`;
  if (a.tool.version !== b.tool.version) return `authproof ${a.tool.version} vs ${b.tool.version}`;
  return undefined;
}

function requestsOf(reports: Report[]): Report["requests"] | undefined {
  const all = reports.map((r) => r.requests).filter((r): r is NonNullable<Report["requests"]> => r !== undefined);
  if (all.length === 0) return undefined;
  const sum = (pick: (r: NonNullable<Report["requests"]>) => number) => all.reduce((n, r) => n + pick(r), 0);
  const byFamily: Record<string, number> = {};
  for (const r of all) for (const [family, n] of Object.entries(r.byFamily)) byFamily[family] = (byFamily[family] ?? 0) + n;
  const checks = sum((r) => r.checks);
  const checksMs = Math.max(...all.map((r) => r.checksMs));
  return {
    total: sum((r) => r.total),
    preparation: sum((r) => r.preparation),
    checks,
    cleanup: sum((r) => r.cleanup),
    byFamily,
    checksMs,
    achievedRps: checksMs > 0 ? Math.round((checks / (checksMs / 1000)) * 10) / 10 : 0,
    maxInFlight: sum((r) => r.maxInFlight),
    pace: `${all[0]!.pace} (each of ${all.length} shards)`,
  };
}

function uniqueById<T extends { id: string }>(items: T[]): T[] {
  return uniqueBy(items, (item) => item.id);
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
