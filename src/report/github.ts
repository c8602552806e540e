import { SEVERITIES, severityRank } from "../catalogue/types.ts";
import { sourceFileFor } from "./format.ts";
import type { Finding, Report, Result } from "./schema.ts";
import { acceptanceText, skippedText } from "./terminal.ts";

const TOP_FINDINGS = 10;

/**
 * The GitHub Actions job summary (`$GITHUB_STEP_SUMMARY`, Markdown, pure): verdict, counts per severity, the top
 * findings with their routes, accepted findings with their reasons, and the baseline comparison when there is one.
 *
 * @example appendFileSync(process.env.GITHUB_STEP_SUMMARY!, githubStepSummary(report));
 */
export function githubStepSummary(report: Report): string {
  const s = report.summary;
  const open = report.findings.filter((f) => f.relatedFinding === undefined && f.acceptance?.state !== "accepted").sort(worstFirst);
  const accepted = report.findings.filter((f) => f.acceptance?.state === "accepted");
  const state = report.run.state === "complete" ? "" : ` (${report.run.state} run${report.run.reason ? `: ${report.run.reason}` : ""}: not a pass)`;
  const lines = [
    `## authproof: ${s.verdict === "pass" && report.run.state === "complete" ? "✅ PASS" : "❌ FAIL"}${state}`,
    "",
    `Target \`${report.target.apiUrl}\` (${report.target.mode}, oracle: ${report.target.oracle}) · fails on **${report.policy.failOn}** and above · seed ${report.seed} · run \`${report.runId}\``,
    "",
    "| Severity | Findings |",
    "|---|---|",
    ...SEVERITIES.map((sev) => `| ${sev} | ${s.findings.bySeverity[sev]} |`),
    "",
    `${s.passed} passed, ${s.failed} failed, ${s.errors} errors, ${s.accepted} accepted; ${skippedText(report)}`,
  ];
  if (report.baseline) {
    const c = report.baseline.counts;
    lines.push("", `Against baseline \`${report.baseline.runId}\`: **${c.new} new**, ${c.unchanged} unchanged, ${c.fixed} fixed, ${c.absent} not re-tested`);
  }
  if (open.length > 0) {
    lines.push("", `### Top findings`, "", "| Severity | Check | Routes | What happened |", "|---|---|---|---|");
    for (const f of open.slice(0, TOP_FINDINGS)) lines.push(`| ${f.severity} | \`${f.checkId}\`${baselineMark(f, report)} | ${cell(routesOf(f))} | ${cell(firstLine(f.reason ?? f.title))} |`);
    if (open.length > TOP_FINDINGS) lines.push("", `… and ${open.length - TOP_FINDINGS} more in the HTML report.`);
  }
  if (accepted.length > 0) {
    lines.push("", "### Accepted (authproof.ignore.json)", "");
    for (const f of accepted) lines.push(`- \`${f.checkId}\`${routesOf(f) ? ` on ${routesOf(f)}` : ""}: ${cell(acceptanceText(f.acceptance!))}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Workflow commands that annotate the run: `::error` for findings at or above the fail-on severity, `::warning`
 * below it, each on the project file the finding points at. Accepted findings are not annotated.
 *
 * @example for (const line of githubAnnotations(report)) console.log(line);
 */
export function githubAnnotations(report: Report): string[] {
  const results = new Map(report.results.map((r) => [r.id, r]));
  return report.findings
    .filter((f) => f.relatedFinding === undefined && f.acceptance?.state !== "accepted")
    .sort(worstFirst)
    .map((f) => {
      const level = severityRank(f.severity) >= severityRank(report.policy.failOn) ? "error" : "warning";
      const own = f.resultIds.map((id) => results.get(id)).filter((r): r is Result => r !== undefined);
      const file = sourceFileFor(own, report.source);
      const where = routesOf(f);
      const expired = f.acceptance?.state === "expired" ? ` (acceptance expired: ${acceptanceText(f.acceptance)})` : "";
      const message = `${f.title}${where ? ` on ${where}` : ""}: ${firstLine(f.reason ?? "")}${expired}`;
      return `::${level} file=${property(file)},title=${property(`authproof ${f.checkId} [${f.severity}]`)}::${data(message)}`;
    });
}

function worstFirst(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || a.checkId.localeCompare(b.checkId);
}

function baselineMark(f: Finding, report: Report): string {
  if (!report.baseline) return "";
  const marks = new Set(f.resultIds.map((id) => report.results.find((r) => r.id === id)?.baseline));
  return marks.has("new") ? " 🆕" : "";
}

function routesOf(f: Finding): string {
  const shown = f.routes.slice(0, 3).map((r) => `${r.method.toUpperCase()} ${r.path}`);
  return shown.join(", ") + (f.routes.length > 3 ? `, +${f.routes.length - 3} more` : "");
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** Escaping of a workflow command's message. */
function data(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escaping of a workflow command's property value. */
function property(text: string): string {
  return data(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
