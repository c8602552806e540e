import { SEVERITIES, severityRank } from "../catalogue/types.ts";
import { skipReasonKey } from "./summary.ts";
import type { Finding, Report } from "./schema.ts";

const ROUTES_SHOWN = 3;
const SIGNING_KEY = skipReasonKey("needs a signing key");

/**
 * The end-of-run terminal text (pure): one `✗` line per finding with its route count (a property failure that
 * reproduces it indented below it, with its seed, counterexample and curl), one `!` line per check that could not
 * be decided, then the summary line — verdict, findings, result counts, skipped results grouped by reason, seed —
 * and, for a black-box run, which checks were skipped for want of a signing key.
 *
 * @example for (const line of terminalSummary(report)) console.log(line);
 */
export function terminalSummary(report: Report): string[] {
  const lines: string[] = [];
  const findings = [...report.findings].sort(bySeverity);
  for (const finding of findings.filter((f) => f.relatedFinding === undefined)) {
    const [first = "", ...details] = (finding.reason ?? "").split("\n");
    if (finding.acceptance?.state === "accepted") {
      lines.push(`~ ${finding.checkId} [${finding.severity}]${routesText(finding.routes)} — accepted: ${acceptanceText(finding.acceptance)}`);
      continue;
    }
    const expired = finding.acceptance?.state === "expired" ? ` (acceptance expired: ${acceptanceText(finding.acceptance)})` : "";
    lines.push(`✗ ${finding.checkId} [${finding.severity}]${routesText(finding.routes)}${first ? ` — ${first}` : ""}${expired}`);
    lines.push(...details.map((line) => `  ${line.trim()}`));
    for (const linked of findings.filter((f) => f.relatedFinding === finding.id)) {
      const [head = "", ...rest] = (linked.reason ?? "").split("\n");
      const where = linked.routes.length === 1 ? ` ${route(linked.routes[0]!)}` : routesText(linked.routes);
      lines.push(`  ↳ ${linked.checkId}${where} reproduces it: ${head}`);
      lines.push(...rest.map((line) => `      ${line.trim()}`));
    }
  }
  for (const [checkId, errors] of groupBy(report.results.filter((r) => r.status === "error"), (r) => r.checkId)) {
    const routes = errors.flatMap((r) => (r.endpoint ? [r.endpoint] : []));
    lines.push(`! ${checkId}${routesText(routes)} — could not decide: ${(errors[0]!.reason ?? "harness error").split("\n")[0]}`);
  }
  lines.push(summaryLine(report));
  const note = blackBoxNote(report);
  if (note) lines.push(note);
  if (report.requests) lines.push(requestsLine(report.requests));
  if (report.shard) lines.push(`note: shard ${report.shard.index}/${report.shard.count}: this verdict covers only this slice of the checks; authproof merge joins the ${report.shard.count} shards' report.json`);
  return lines;
}

/** `authproof: FAIL — 1 finding (1 critical), 1 property failure linked to it; 242 passed, 9 failed, 0 errors; skipped 5: …; seed 7` */
export function summaryLine(report: Report): string {
  const s = report.summary;
  const severities = SEVERITIES.filter((sev) => s.findings.bySeverity[sev] > 0).map((sev) => `${s.findings.bySeverity[sev]} ${sev}`);
  const findings = `${plural(s.findings.total, "finding")}${severities.length ? ` (${severities.join(", ")})` : ""}`;
  const linked = s.findings.linked > 0 ? `, ${plural(s.findings.linked, "property failure")} linked to ${s.findings.linked === 1 ? "it" : "them"}` : "";
  const accepted = s.findings.accepted > 0 ? `, ${s.findings.accepted} accepted (ignore file)` : "";
  return `authproof: ${s.verdict.toUpperCase()} — ${findings}${linked}${accepted}; ${s.passed} passed, ${s.failed} failed, ${plural(s.errors, "error")}; ${skippedText(report)}; seed ${report.seed}`;
}

/**
 * `skipped 64: 56 need a signing key (…) · 8 …` — always present, `skipped 0` when nothing was skipped.
 *
 * @example skippedText(report) // "skipped 5: 5 runs on operations without path parameters, where both users get an answer"
 */
export function skippedText(report: Pick<Report, "summary">): string {
  const groups = Object.entries(report.summary.skippedByReason).map(([reason, n]) => `${n} ${n > 1 ? reason.replace(/^needs /, "need ") : reason}`);
  return `skipped ${report.summary.skipped}${groups.length ? `: ${groups.join(" · ")}` : ""}`;
}

/** For a run without a signing oracle: how many results and which checks the missing key skipped, and how to get one. */
export function blackBoxNote(report: Report): string | undefined {
  const skipped = report.results.filter((r) => r.status === "skip" && r.reason !== undefined && skipReasonKey(r.reason) === SIGNING_KEY);
  if (report.target.oracle !== "none" || skipped.length === 0) return undefined;
  const checks = [...new Set(skipped.map((r) => r.checkId))];
  const shown = checks.slice(0, 6).join(", ") + (checks.length > 6 ? `, +${checks.length - 6} more` : "");
  return (
    `note: black-box run (no signing key): ${plural(skipped.length, "result")} of ${plural(checks.length, "check")} skipped (${shown}); ` +
    "set BETTER_AUTH_SECRET or AUTHPROOF_PRIVATE_JWK, or point the backend at `authproof issuer`, to run them"
  );
}

/** `"public read-only API" (until 2027-01-31)` */
export function acceptanceText(acceptance: { reason: string; expires?: string }): string {
  return `"${acceptance.reason}"${acceptance.expires ? ` (until ${acceptance.expires})` : ""}`;
}

function routesText(routes: ReadonlyArray<{ method: string; path: string }>): string {
  if (routes.length === 0) return "";
  const shown = routes.slice(0, ROUTES_SHOWN).map(route).join(", ");
  const more = routes.length > ROUTES_SHOWN ? `, +${routes.length - ROUTES_SHOWN} more` : "";
  return ` on ${plural(routes.length, "route")} (${shown}${more})`;
}

function route(r: { method: string; path: string }): string {
  return `${r.method.toUpperCase()} ${r.path}`;
}

function bySeverity(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || a.checkId.localeCompare(b.checkId) || a.id.localeCompare(b.id);
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `requests: 2518 (preparation 61, checks 2441, clean-up 16): token 1302, claims 388, …; checks 19.2 s at 127 req/s, up to 32 in flight (loopback default: …)` */
export function requestsLine(requests: NonNullable<Report["requests"]>): string {
  const families = Object.entries(requests.byFamily)
    .filter(([, n]) => n > 0)
    .map(([family, n]) => `${family} ${n}`)
    .join(", ");
  return (
    `requests: ${requests.total} (preparation ${requests.preparation}, checks ${requests.checks}, clean-up ${requests.cleanup})${families ? `: ${families}` : ""}; ` +
    `checks ${(requests.checksMs / 1000).toFixed(1)} s at ${Math.round(requests.achievedRps)} req/s, up to ${requests.maxInFlight} in flight (${requests.pace})`
  );
}
