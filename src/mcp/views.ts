import { CHECKS, isCheckId, getCheck } from "../catalogue/checks.ts";
import type { Category } from "../catalogue/types.ts";
import { needsOf } from "../cli/checks.ts";
import { applyBaseline } from "../report/baseline.ts";
import type { Finding, Report, Result } from "../report/schema.ts";

/**
 * What the MCP tools answer, built from the catalogue and from reports only: a report is redacted when it is
 * built, so nothing here can carry a configured key, a test user's password or a whole token.
 */

export function checkList(filter: { category?: Category; idPrefix?: string }) {
  return CHECKS.filter((c) => (!filter.category || c.category === filter.category) && (!filter.idPrefix || c.id.startsWith(filter.idPrefix))).map((c) => ({
    id: c.id,
    title: c.title,
    category: c.category,
    severity: c.severity,
    needs: needsOf(c.id),
    refs: c.refs,
  }));
}

const route = (endpoint: { method: string; path: string }) => `${endpoint.method} ${endpoint.path}`;

/** The verdict, the counts and the grouped findings of a report (what the `audit` tool returns). */
export function auditView(report: Report, extra: { exitCode: number; reportDir?: string; leftBehind?: string[] }) {
  const { summary } = report;
  return {
    verdict: report.run.state === "complete" ? summary.verdict : report.run.state,
    exitCode: extra.exitCode,
    ...(report.run.reason ? { reason: report.run.reason } : {}),
    runId: report.runId,
    seed: report.seed,
    target: report.target,
    failOn: report.policy.failOn,
    counts: {
      passed: summary.passed,
      failed: summary.failed,
      skipped: summary.skipped,
      errors: summary.errors,
      accepted: summary.accepted,
      failedBySeverity: summary.bySeverity,
      findings: summary.findings.total,
    },
    findings: report.findings.map(findingView),
    ...(extra.reportDir ? { reportDir: extra.reportDir } : {}),
    ...(extra.leftBehind?.length ? { leftBehind: extra.leftBehind } : {}),
    next: "explain_finding { id } on a finding id, result id or check id",
  };
}

function findingView(finding: Finding) {
  return {
    id: finding.id,
    checkId: finding.checkId,
    title: finding.title,
    severity: finding.severity,
    routes: finding.routes.map(route),
    ...(finding.reason ? { reason: finding.reason } : {}),
    failedVariants: finding.failedVariants.slice(0, 10),
    ...(finding.exploitConfirmed ? { exploitConfirmed: true } : {}),
    ...(finding.acceptance ? { acceptance: finding.acceptance.state } : {}),
    resultIds: finding.resultIds,
  };
}

/**
 * Why a finding matters, how to fix it, its references and a reproduction: the catalogue entry, and from the
 * report the finding's routes, reason, failed variants and each result's curl line. `id` is a finding id, a
 * result id or a check id (then its findings in the report, or the catalogue entry alone when it passed).
 */
export function explanation(report: Report | undefined, id: string) {
  const finding = report?.findings.find((f) => f.id === id) ?? report?.findings.find((f) => f.resultIds.includes(id)) ?? report?.findings.find((f) => f.checkId === id);
  const result = report?.results.find((r) => r.id === id);
  const checkId = finding?.checkId ?? result?.checkId ?? (isCheckId(id) ? id : undefined);
  if (!checkId) return undefined;
  const entry = report?.checks.find((c) => c.id === checkId) ?? (isCheckId(checkId) ? getCheck(checkId) : undefined);
  if (!entry) return undefined;
  const results: Result[] = finding ? report!.results.filter((r) => finding.resultIds.includes(r.id)) : result ? [result] : [];
  return {
    checkId,
    title: entry.title,
    severity: finding?.severity ?? result?.severity ?? entry.severity,
    category: entry.category,
    status: finding ? "fail" : (result?.status ?? "not in the report"),
    whyItMatters: entry.why,
    howToFix: entry.fix,
    whatWasSent: entry.sends,
    whatACorrectTargetAnswers: entry.expects,
    references: entry.refs,
    ...(finding ? { finding: findingView(finding) } : {}),
    reproduction: results.slice(0, 5).map((r) => ({
      resultId: r.id,
      status: r.status,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.reproduce ? { curl: r.reproduce } : {}),
      ...(r.replay ? { placeholders: r.replay.placeholders, replay: `authproof replay <report.json> ${JSON.stringify(r.id)}` } : {}),
      exchanges: (r.evidence?.exchanges ?? []).slice(0, 2).map((e) => ({ label: e.label, request: `${e.request.method} ${e.request.url}`, ...(e.response ? { status: e.response.status } : {}), ...(e.error ? { error: e.error } : {}) })),
    })),
  };
}

/** A baseline diff: what is new, unchanged and fixed in `current` against `baseline` (by result id). */
export function comparison(current: Report, baseline: Report) {
  const marked = applyBaseline(current, baseline);
  const comparedTo = marked.baseline!;
  const byMarker = (marker: "new" | "unchanged") =>
    marked.results.filter((r) => r.baseline === marker).map((r) => ({ id: r.id, checkId: r.checkId, severity: r.severity, ...(r.reason ? { reason: r.reason } : {}) }));
  return {
    current: { runId: current.runId, verdict: current.summary.verdict },
    baseline: { runId: baseline.runId, verdict: baseline.summary.verdict },
    counts: comparedTo.counts,
    new: byMarker("new"),
    unchanged: byMarker("unchanged"),
    fixed: comparedTo.fixed.map((f) => ({ id: f.id, checkId: f.checkId, now: f.now })),
  };
}
