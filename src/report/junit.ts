import { CATEGORIES } from "../catalogue/types.ts";
import { endpointLabel, exchangeText, sourceFileFor } from "./format.ts";
import type { CheckEntry, Report, Result } from "./schema.ts";
import { xmlEscape } from "./xml.ts";

export interface JunitOptions {
  /** checkId or category → repo-relative suite file, written as each testcase's `file`. */
  suiteFiles?: Record<string, string>;
}

/**
 * JUnit XML for CI (GitLab, Jenkins, GitHub test reporters): one `<testsuite>` per category,
 * one `<testcase>` per result named by its unique id (`checkId METHOD path`), with `<failure>`,
 * `<error>` or `<skipped>`, and the check id and severity as testcase properties.
 *
 * @example writeFileSync("junit.xml", renderJunit(report, { suiteFiles: { token: "suites/token.suite.ts" } }));
 */
export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const checks = new Map(report.checks.map((c) => [c.id, c]));
  const byCategory = new Map<string, Result[]>();
  for (const result of report.results) {
    const list = byCategory.get(result.category) ?? [];
    list.push(result);
    byCategory.set(result.category, list);
  }
  const suites = CATEGORIES.filter((c) => byCategory.has(c)).map((category) =>
    renderSuite(category, byCategory.get(category)!, report, checks, options),
  );
  // A run that did not finish says so in every testsuite (CI tools show testsuite properties); with no
  // result at all, an empty "run" testsuite carries it.
  if (suites.length === 0 && report.run.state !== "complete")
    suites.push([`  <testsuite name="run" tests="0" failures="0" errors="0" skipped="0" time="0" timestamp="${xmlEscape(report.startedAt, true)}">`, ...runProperties(report), `  </testsuite>`].join("\n"));
  const s = report.summary;
  const total = report.results.length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="authproof" tests="${total}" failures="${s.failed}" errors="${s.errors}" skipped="${s.skipped}" time="${seconds(report.durationMs)}" timestamp="${xmlEscape(report.startedAt, true)}">`,
    ...suites,
    `</testsuites>`,
    ``,
  ].join("\n");
}

function renderSuite(
  category: string,
  results: Result[],
  report: Report,
  checks: Map<string, CheckEntry>,
  options: JunitOptions,
): string {
  const count = (status: Result["status"]) => results.filter((r) => r.status === status).length;
  const time = results.reduce((sum, r) => sum + (r.durationMs ?? 0), 0);
  const head =
    `  <testsuite name="${xmlEscape(category, true)}" tests="${results.length}" failures="${count("fail")}" ` +
    `errors="${count("error")}" skipped="${count("skip")}" time="${seconds(time)}" timestamp="${xmlEscape(report.startedAt, true)}">`;
  return [head, ...runProperties(report), ...results.map((r) => renderCase(r, checks.get(r.checkId), options)), `  </testsuite>`].join("\n");
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

function renderCase(result: Result, check: CheckEntry | undefined, options: JunitOptions): string {
  const attrs =
    `classname="${xmlEscape(result.category, true)}" name="${xmlEscape(result.id, true)}" ` +
    `file="${xmlEscape(sourceFileFor(result, options.suiteFiles), true)}" time="${seconds(result.durationMs ?? 0)}"`;
  const properties = [
    `      <properties>`,
    property("checkId", result.checkId),
    property("severity", result.severity),
    ...(result.endpoint ? [property("endpoint", endpointLabel(result))] : []),
    ...(result.baseline ? [property("baseline", result.baseline)] : []),
    `      </properties>`,
  ];
  const outcome: string[] = [];
  const message = xmlEscape(result.reason ?? result.title, true);
  if (result.status === "fail") {
    outcome.push(`      <failure message="${message}" type="${xmlEscape(result.checkId, true)}">${xmlEscape(details(result, check))}</failure>`);
  } else if (result.status === "error") {
    outcome.push(`      <error message="${message}" type="${xmlEscape(result.checkId, true)}">${xmlEscape(details(result, check))}</error>`);
  } else if (result.status === "skip") {
    outcome.push(`      <skipped message="${xmlEscape(result.reason ?? "skipped", true)}"/>`);
  }
  return [`    <testcase ${attrs}>`, ...properties, ...outcome, `    </testcase>`].join("\n");
}

function property(name: string, value: string): string {
  return `        <property name="${xmlEscape(name, true)}" value="${xmlEscape(value, true)}"/>`;
}

/** The plain-text body of a failure or error: what happened, why it matters, how to fix, how to reproduce, evidence. */
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

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
