import { CATEGORIES, severityRank, type Severity } from "../catalogue/types.ts";
import { endpointLabel, exchangeText, findingBaseline, sourceFileFor } from "./format.ts";
import type { CheckEntry, Finding, Report, Result } from "./schema.ts";
import { groupSkipReasons } from "./summary.ts";
import { xmlEscape } from "./xml.ts";
import { acceptanceText } from "./terminal.ts";

/**
 * JUnit XML for CI (GitLab, Jenkins, GitHub test reporters): one `<testsuite>` per category; in it, per check,
 * one failing `<testcase>` per finding (every affected route listed in the failure body), one `<error>` testcase
 * for the routes it could not decide, and, for a check without findings or errors, one passing (or, when every
 * result was skipped, skipped) testcase. Names are unique: the check id, or the finding id when a check has
 * several findings. Check id, severity, finding id and route counts are testcase properties. Each testcase's
 * `file` is a file of the audited project (`report.source`: the config file, the OpenAPI file or a per-route
 * override). A finding the ignore file accepts is a skipped testcase whose message gives the reason; an
 * expired acceptance fails again and says so.
 *
 * @example writeFileSync("junit.xml", renderJunit(report));
 */
export function renderJunit(report: Report): string {
  const checks = new Map(report.checks.map((c) => [c.id, c]));
  const byCategory = new Map<string, Case[]>();
  for (const testcase of testcases(report)) {
    byCategory.set(testcase.category, [...(byCategory.get(testcase.category) ?? []), testcase]);
  }
  const all = [...byCategory.values()].flat();
  const suites = CATEGORIES.filter((c) => byCategory.has(c)).map((category) =>
    renderSuite(category, byCategory.get(category)!, report, checks),
  );
  // A run that did not finish says so in every testsuite (CI tools show testsuite properties); with no
  // result at all, an empty "run" testsuite carries it.
  if (suites.length === 0 && report.run.state !== "complete")
    suites.push([`  <testsuite name="run" tests="0" failures="0" errors="0" skipped="0" time="0" timestamp="${xmlEscape(report.startedAt, true)}">`, ...runProperties(report), `  </testsuite>`].join("\n"));
  const count = (kind: Case["kind"]) => all.filter((c) => c.kind === kind || (kind === "skipped" && c.kind === "accepted")).length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="authproof" tests="${all.length}" failures="${count("failure")}" errors="${count("error")}" skipped="${count("skipped")}" time="${seconds(report.durationMs)}" timestamp="${xmlEscape(report.startedAt, true)}">`,
    ...suites,
    `</testsuites>`,
    ``,
  ].join("\n");
}

/** One JUnit testcase: a finding, a check's undecided routes, or a check that passed or was skipped. */
interface Case {
  /** accepted: a finding the ignore file accepts (a skipped testcase). */
  kind: "failure" | "accepted" | "error" | "pass" | "skipped";
  name: string;
  checkId: string;
  category: Result["category"];
  severity: Severity;
  results: Result[];
  finding?: Finding;
}

/** The testcases of a report, check by check (in results order). */
function testcases(report: Report): Case[] {
  const byCheck = new Map<string, Result[]>();
  for (const result of report.results) byCheck.set(result.checkId, [...(byCheck.get(result.checkId) ?? []), result]);
  const byId = new Map(report.results.map((r) => [r.id, r]));
  const out: Case[] = [];
  for (const [checkId, results] of byCheck) {
    const { category } = results[0]!;
    const findings = report.findings.filter((f) => f.checkId === checkId);
    for (const finding of findings) {
      out.push({
        kind: finding.acceptance?.state === "accepted" ? "accepted" : "failure",
        name: findings.length === 1 ? checkId : finding.id,
        checkId,
        category,
        severity: finding.severity,
        results: finding.resultIds.map((id) => byId.get(id)!).filter(Boolean),
        finding,
      });
    }
    const errors = results.filter((r) => r.status === "error");
    if (errors.length > 0) {
      out.push({ kind: "error", name: findings.length ? `${checkId} (undecided routes)` : checkId, checkId, category, severity: worst(errors), results: errors });
    }
    if (findings.length === 0 && errors.length === 0) {
      const passed = results.some((r) => r.status === "pass");
      out.push({ kind: passed ? "pass" : "skipped", name: checkId, checkId, category, severity: worst(results), results });
    }
  }
  return out;
}

function renderSuite(category: string, cases: Case[], report: Report, checks: Map<string, CheckEntry>): string {
  const count = (kind: Case["kind"]) => cases.filter((c) => c.kind === kind || (kind === "skipped" && c.kind === "accepted")).length;
  const time = cases.reduce((sum, c) => sum + duration(c), 0);
  const head =
    `  <testsuite name="${xmlEscape(category, true)}" tests="${cases.length}" failures="${count("failure")}" ` +
    `errors="${count("error")}" skipped="${count("skipped")}" time="${seconds(time)}" timestamp="${xmlEscape(report.startedAt, true)}">`;
  return [head, ...runProperties(report), ...cases.map((c) => renderCase(c, report, checks.get(c.checkId))), `  </testsuite>`].join("\n");
}

/** `authproof.run.state` / `authproof.run.reason` when the run is partial or incomplete. */
function runProperties(report: Report): string[] {
  if (report.run.state === "complete") return [];
  return [
    `    <properties>`,
    `      <property name="authproof.run.state" value="${xmlEscape(report.run.state, true)}"/>`,
    ...(report.run.reason ? [`      <property name="authproof.run.reason" value="${xmlEscape(report.run.reason, true)}"/>`] : []),
    `    </properties>`,
  ];
}

function renderCase(c: Case, report: Report, check: CheckEntry | undefined): string {
  const attrs =
    `classname="${xmlEscape(c.category, true)}" name="${xmlEscape(c.name, true)}" ` +
    `file="${xmlEscape(sourceFileFor(c.results, report.source), true)}" time="${seconds(duration(c))}"`;
  const routes = c.results.filter((r) => r.endpoint).length;
  const baseline = c.finding ? findingBaseline(c.results) : undefined;
  const properties = [
    `      <properties>`,
    property("checkId", c.checkId),
    property("severity", c.severity),
    ...(c.finding ? [property("findingId", c.finding.id)] : []),
    ...(c.finding?.relatedFinding ? [property("relatedFinding", c.finding.relatedFinding)] : []),
    ...(routes ? [property("routes", String(routes))] : []),
    ...(c.kind === "pass" ? [property("skippedRoutes", String(c.results.filter((r) => r.status === "skip").length))] : []),
    ...(baseline ? [property("baseline", baseline)] : []),
    ...(c.finding?.acceptance ? [property("acceptance", c.finding.acceptance.state), property("acceptanceReason", c.finding.acceptance.reason)] : []),
    `      </properties>`,
  ];
  const outcome: string[] = [];
  const type = xmlEscape(c.checkId, true);
  const acceptance = c.finding?.acceptance;
  if (c.kind === "accepted" && acceptance) {
    outcome.push(`      <skipped message="${xmlEscape(`accepted (authproof.ignore.json): ${acceptanceText(acceptance)}`, true)}"/>`);
  } else if (c.kind === "failure") {
    const expired = acceptance?.state === "expired" ? ` (acceptance expired: ${acceptanceText(acceptance)})` : "";
    const message = xmlEscape(`${c.finding!.reason ?? c.finding!.title}${expired}`, true);
    outcome.push(`      <failure message="${message}" type="${type}">${xmlEscape(failureBody(c.finding!, c.results, report, check))}</failure>`);
  } else if (c.kind === "error") {
    const message = xmlEscape(c.results[0]!.reason ?? "harness error", true);
    outcome.push(`      <error message="${message}" type="${type}">${xmlEscape(c.results.map((r) => details(r, check)).join("\n\n----\n\n"))}</error>`);
  } else if (c.kind === "skipped") {
    const reasons = Object.entries(groupSkipReasons(c.results)).map(([reason, n]) => (c.results.length > 1 ? `${reason} (${n})` : reason));
    outcome.push(`      <skipped message="${xmlEscape(reasons.join("; ") || "skipped", true)}"/>`);
  }
  return [`    <testcase ${attrs}>`, ...properties, ...outcome, `    </testcase>`].join("\n");
}

function property(name: string, value: string): string {
  return `        <property name="${xmlEscape(name, true)}" value="${xmlEscape(value, true)}"/>`;
}

/** A finding's failure body: every route with what happened there, then the check's why / fix and the worst result's details. */
function failureBody(finding: Finding, results: Result[], report: Report, check: CheckEntry | undefined): string {
  const parts: string[] = [`[${finding.severity}] ${finding.title} (${finding.checkId}) — finding ${finding.id}`];
  if (finding.relatedFinding) parts.push(`Reproduces finding ${finding.relatedFinding} (not counted again).`);
  const linked = report.findings.filter((f) => f.relatedFinding === finding.id);
  if (linked.length) parts.push(`Also found by: ${linked.map((f) => `${f.checkId} (${f.id})`).join(", ")}`);
  const routes = results.filter((r) => r.endpoint);
  if (routes.length > 0) {
    parts.push(
      `Routes (${routes.length}):\n${routes
        .map((r) => `  - ${endpointLabel(r)}${r.endpoint!.url ? ` (${r.endpoint!.url})` : ""}${r.variants ? `, ${r.variants.failed} of ${r.variants.total} variants` : ""}: ${(r.reason ?? "").split("\n")[0]}`)
        .join("\n")}`,
    );
  }
  if (finding.failedVariants.length > 0) {
    const more = finding.failedVariantsTotal ? ` (first ${finding.failedVariants.length} of ${finding.failedVariantsTotal})` : "";
    parts.push(`Failed variants${more}:\n${finding.failedVariants.map((v) => `  - ${v}`).join("\n")}`);
  }
  const worst = results.find((r) => r.reason === finding.reason) ?? results[0];
  if (worst) parts.push(`Details of ${worst.id}:\n\n${details(worst, check)}`);
  return parts.join("\n\n");
}

/** The plain-text body of one result: what happened, why it matters, how to fix, how to reproduce, evidence. */
function details(result: Result, check: CheckEntry | undefined): string {
  const parts: string[] = [`[${result.severity}] ${result.title} (${result.checkId})`];
  if (result.endpoint) parts.push(`Endpoint: ${endpointLabel(result)}${result.endpoint.url ? ` (${result.endpoint.url})` : ""}`);
  if (result.reason) parts.push(`What happened: ${result.reason}`);
  if (check) parts.push(`Expected: ${check.expects}`, `Why it matters: ${check.why}`, `How to fix: ${check.fix}`);
  if (result.variants) parts.push(`Variants: ${result.variants.failed} of ${result.variants.total} failed`);
  const failedVariants = result.evidence?.failedVariants ?? [];
  if (failedVariants.length > 0) parts.push(`Failed variants:\n${failedVariants.map((v) => `  - ${v}`).join("\n")}`);
  if (result.counterexample) parts.push(`Counterexample: ${JSON.stringify(result.counterexample, null, 2)}`);
  if (result.reproduce) parts.push(`Reproduce:\n${result.reproduce}`);
  for (const exchange of result.evidence?.exchanges ?? []) parts.push(exchangeText(exchange));
  for (const note of result.evidence?.notes ?? []) parts.push(`Note: ${note}`);
  if (result.refs.length > 0) parts.push(`References: ${result.refs.join(", ")}`);
  return parts.join("\n\n");
}

function worst(results: Result[]): Severity {
  return [...results].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0]!.severity;
}

function duration(c: Case): number {
  return c.results.reduce((sum, r) => sum + (r.durationMs ?? 0), 0);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
