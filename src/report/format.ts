import { severityRank } from "../catalogue/types.ts";
import type { Exchange, Report, Result } from "./schema.ts";

const STATUS_ORDER: Record<Result["status"], number> = { fail: 0, error: 1, skip: 2, pass: 3 };

/**
 * Orders results the way a reader triages them: failures, then errors, skips, passes;
 * within each, by severity (worst first), then check id and result id.
 *
 * @example [...report.results].sort(byTriageOrder)
 */
export function byTriageOrder(a: Result, b: Result): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    severityRank(b.severity) - severityRank(a.severity) ||
    a.checkId.localeCompare(b.checkId) ||
    a.id.localeCompare(b.id)
  );
}

/**
 * A finding's state against the baseline, from its results' markers: `new` when none of its routes failed
 * before, `unchanged` when all did, `updated` when some did; undefined without a baseline comparison.
 *
 * @example findingBaseline(finding.resultIds.map((id) => byId.get(id)!)) // "new"
 */
export function findingBaseline(results: ReadonlyArray<Pick<Result, "baseline">>): "new" | "unchanged" | "updated" | undefined {
  const marks = results.map((r) => r.baseline).filter((m) => m === "new" || m === "unchanged");
  if (marks.length === 0) return undefined;
  if (marks.every((m) => m === "new")) return "new";
  return marks.every((m) => m === "unchanged") ? "unchanged" : "updated";
}

/** "GET /api/tasks/{id}", or "" when the result has no endpoint. */
export function endpointLabel(result: Pick<Result, "endpoint">): string {
  return result.endpoint ? `${result.endpoint.method.toUpperCase()} ${result.endpoint.path}` : "";
}

/** Human duration: "850 ms", "12.3 s", "2 min 05 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, "0")} s`;
}

/** The header lines of a request or response, repeated headers on their own lines. */
export function headerLines(headers: Record<string, string | string[]>): string[] {
  return Object.entries(headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`),
  );
}

/**
 * One exchange as plain text (HTTP-message style), for JUnit bodies and terminals.
 *
 * @example exchangeText(result.evidence.exchanges[0])
 */
export function exchangeText(exchange: Exchange): string {
  const lines = [`# ${exchange.label}`, `> ${exchange.request.method} ${exchange.request.url}`];
  for (const line of headerLines(exchange.request.headers)) lines.push(`> ${line}`);
  if (exchange.request.body) lines.push(">", ...exchange.request.body.split("\n").map((l) => `> ${l}`));
  if (exchange.response) {
    lines.push(`< ${exchange.response.status}`);
    for (const line of headerLines(exchange.response.headers)) lines.push(`< ${line}`);
    if (exchange.response.body) lines.push("<", ...exchange.response.body.split("\n").map((l) => `< ${l}`));
  }
  if (exchange.error) lines.push(`! ${exchange.error}`);
  return lines.join("\n");
}

/** Where alerts point when the report names no source file (no config file, no OpenAPI file). */
export const DEFAULT_SOURCE_FILE = "authproof.config.ts";

/**
 * The repo-relative file of the audited project a finding or result points at (SARIF location, JUnit `file`):
 * the per-route file of its first route that has one (`report.sourceFiles`), else `report.sourceFile`.
 *
 * @example sourceFileFor(ownResults, report.source) // "app/routers/tasks.py"
 */
export function sourceFileFor(results: ReadonlyArray<Pick<Result, "endpoint">>, source: Report["source"]): string {
  for (const result of results) {
    const file = result.endpoint ? source?.routes[endpointLabel(result)] : undefined;
    if (file) return file;
  }
  return source?.file ?? DEFAULT_SOURCE_FILE;
}
