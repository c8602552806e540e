import { createHash } from "node:crypto";
import { severityRank, type Severity } from "../catalogue/types.ts";
import { endpointLabel, findingBaseline, sourceFileFor } from "./format.ts";
import { cweIds, refUrl } from "./refs.ts";
import type { CheckEntry, Finding, Report, Result } from "./schema.ts";
import { packageInfo } from "../package.ts";
import { acceptanceText } from "./terminal.ts";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** GitHub ranks alerts by this 0.1–10 score (critical ≥ 9, high 7–8.9, medium 4–6.9, low < 4). */
export const SECURITY_SEVERITY: Record<Severity, number> = { critical: 9.5, high: 8.0, medium: 5.5, low: 3.0, info: 1.0 };

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  info: "note",
};

export interface SarifOptions {
  /** Code-scanning category: alerts of one category replace each other across uploads. Default "authproof". */
  category?: string;
  /** Default: the repository in authproof's package.json. */
  informationUri?: string;
}

/**
 * SARIF 2.1.0 accepted by GitHub code scanning. One rule per check in `report.checks` (its level and
 * security-severity from the worst finding of that check in this run, else the catalogue's); one result per
 * finding, its routes as `relatedLocations` and in the message, fingerprinted by the finding id so the alert
 * stays one alert across runs. A property finding that reproduces a scenario finding is not a second alert:
 * it is named in that alert's `properties.alsoFoundBy` (unless it is more severe, so that nothing worse is hidden). Errors are not alerts (nothing was found): they go to
 * `invocations[0].toolExecutionNotifications` so they show on the tool status page without opening alerts.
 * Passes and skips are omitted, which lets GitHub close fixed alerts on the next upload. Locations are files of
 * the audited project (`report.source`). A finding the ignore file accepts carries an accepted external
 * suppression with the reason as its justification; an expired acceptance is an ordinary alert that says so.
 *
 * @example writeFileSync("results.sarif", renderSarif(report));
 */
export function renderSarif(report: Report, options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(report, options), null, 2)}\n`;
}

/** The SARIF log as an object (see renderSarif). */
export function buildSarif(report: Report, options: SarifOptions = {}): Record<string, unknown> {
  const ruleIndex = new Map(report.checks.map((check, index) => [check.id, index]));
  const results = new Map(report.results.map((r) => [r.id, r]));
  const byId = new Map(report.findings.map((f) => [f.id, f]));
  const alerts = report.findings.filter((f) => {
    const related = f.relatedFinding === undefined ? undefined : byId.get(f.relatedFinding);
    return !related || severityRank(f.severity) > severityRank(related.severity);
  });
  const errored = report.results.filter((r) => r.status === "error");
  const endTime = new Date(Date.parse(report.startedAt) + report.durationMs).toISOString();

  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: options.informationUri ?? packageInfo().repositoryUrl,
            rules: report.checks.map((check) => rule(check, worstFinding(report.findings, check))),
          },
        },
        automationDetails: { id: `${options.category ?? "authproof"}/${report.runId}` },
        invocations: [
          {
            executionSuccessful: report.run.state === "complete",
            ...(report.run.state !== "complete"
              ? { exitCode: 2, exitCodeDescription: `${report.run.state} run${report.run.reason ? `: ${report.run.reason}` : ""}` }
              : {}),
            startTimeUtc: new Date(report.startedAt).toISOString(),
            endTimeUtc: endTime,
            toolExecutionNotifications: [
              ...(report.run.state !== "complete"
                ? [{ level: "error", message: { text: `authproof ${report.run.state} run${report.run.reason ? `: ${report.run.reason}` : ""}; results are missing` } }]
                : []),
              ...errored.map((r) => ({
              level: "warning",
              message: { text: `${r.title} could not be decided${where([r])}: ${r.reason ?? "harness error"}` },
              associatedRule: { id: r.checkId, index: ruleIndex.get(r.checkId) ?? -1 },
              })),
            ],
          },
        ],
        results: alerts.map((f) => result(f, report, results, ruleIndex.get(f.checkId) ?? -1)),
        properties: {
          target: report.target.apiUrl,
          seed: report.seed,
          verdict: report.summary.verdict,
          failOn: report.policy.failOn,
          runState: report.run.state,
          ...(report.run.reason ? { runReason: report.run.reason } : {}),
        },
      },
    ],
  };
}

/** The severity a rule carries in this run: its worst finding's (results keep their own severity), else the catalogue's. */
function worstFinding(findings: Finding[], check: CheckEntry): Severity {
  return findings
    .filter((f) => f.checkId === check.id)
    .map((f) => f.severity)
    .reduce<Severity | undefined>((worst, s) => (worst === undefined || severityRank(s) > severityRank(worst) ? s : worst), undefined) ?? check.severity;
}

function rule(check: CheckEntry, severity: Severity): Record<string, unknown> {
  const refsText = check.refs.join(", ");
  const refsMarkdown = check.refs.map((ref) => {
    const url = refUrl(ref);
    return url ? `[${ref}](${url})` : ref;
  });
  return {
    id: check.id,
    name: pascalCase(check.id),
    shortDescription: { text: check.title },
    fullDescription: { text: `${check.why} Sends: ${check.sends}. Expects: ${check.expects}.` },
    help: {
      text: `${check.why}\n\nHow to fix: ${check.fix}\n\nWhat authproof sends: ${check.sends}\nExpected: ${check.expects}\nReferences: ${refsText}`,
      markdown: [
        `**Why it matters.** ${check.why}`,
        `**How to fix.** ${check.fix}`,
        `**What authproof sends.** ${check.sends}`,
        `**Expected.** ${check.expects}`,
        refsMarkdown.length > 0 ? `**References.** ${refsMarkdown.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("\n\n"),
    },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      "security-severity": SECURITY_SEVERITY[severity].toFixed(1),
      tags: ["security", check.category, ...cweIds(check.refs).map((cwe) => `external/cwe/${cwe.toLowerCase()}`)],
      precision: "high",
      "problem.severity": severity === "info" ? "recommendation" : LEVEL[severity],
    },
  };
}

function result(f: Finding, report: Report, results: Map<string, Result>, index: number): Record<string, unknown> {
  const own = f.resultIds.map((id) => results.get(id)).filter((r): r is Result => r !== undefined);
  const worst = own.find((r) => r.reason === f.reason) ?? own[0];
  const uri = sourceFileFor(own, report.source);
  const routes = own.filter((r) => r.endpoint);
  const variants = routes.length === 1 && worst?.variants ? ` ${worst.variants.failed} of ${worst.variants.total} variants failed.` : "";
  const linked = report.findings.filter((l) => l.relatedFinding === f.id);
  const out: Record<string, unknown> = {
    ruleId: f.checkId,
    ruleIndex: index,
    level: LEVEL[f.severity],
    message: { text: `${f.title}${where(routes)}: ${sentence(f.reason ?? "the target did not answer as expected")}${variants}${expiredText(f)}` },
    locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } } }],
    ...(routes.length > 0
      ? {
          relatedLocations: routes.map((r, i) => ({
            id: i + 1,
            physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
            message: { text: `${endpointLabel(r)}${r.endpoint!.url ? ` (${r.endpoint!.url})` : ""}${r.variants ? `: ${r.variants.failed} of ${r.variants.total} variants failed` : ""}` },
          })),
        }
      : {}),
    partialFingerprints: { primaryLocationLineHash: fingerprint(f) },
    ...(f.acceptance?.state === "accepted"
      ? { suppressions: [{ kind: "external", status: "accepted", justification: `authproof.ignore.json: ${acceptanceText(f.acceptance)}` }] }
      : {}),
    properties: {
      checkId: f.checkId,
      findingId: f.id,
      severity: f.severity,
      ...(routes.length ? { routes: routes.map(endpointLabel) } : {}),
      ...(routes.length === 1 ? { endpoint: endpointLabel(routes[0]!) } : {}),
      ...(routes.length === 1 && routes[0]!.endpoint!.url ? { url: routes[0]!.endpoint!.url } : {}),
      ...(f.exploitConfirmed !== undefined ? { exploitConfirmed: f.exploitConfirmed } : {}),
      ...(linked.length ? { alsoFoundBy: linked.map((l) => l.id) } : {}),
      ...(worst?.reproduce ? { reproduce: worst.reproduce } : {}),
    },
  };
  const baseline = findingBaseline(own);
  if (baseline) out.baselineState = baseline;
  return out;
}

/** " The acceptance in authproof.ignore.json expired: "…" (until 2026-01-31)." */
function expiredText(f: Finding): string {
  return f.acceptance?.state === "expired" ? ` The acceptance in authproof.ignore.json expired: ${acceptanceText(f.acceptance)}.` : "";
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** " on GET http://…/api/me", or " on 8 routes (GET /api/me, GET /api/tasks, … +5 more)". */
function where(results: Result[]): string {
  const routes = results.filter((r) => r.endpoint);
  if (routes.length === 0) return "";
  if (routes.length === 1) return ` on ${routes[0]!.endpoint!.method.toUpperCase()} ${routes[0]!.endpoint!.url ?? routes[0]!.endpoint!.path}`;
  const shown = routes.slice(0, 5).map(endpointLabel).join(", ");
  return ` on ${routes.length} routes (${shown}${routes.length > 5 ? `, +${routes.length - 5} more` : ""})`;
}

/**
 * Stable across runs for the same finding (check and failed-variant names, run-specific parts masked), not for
 * its routes: fixing one route keeps the alert, a different verifier behaviour is another alert.
 */
function fingerprint(f: Finding): string {
  return `${createHash("sha256").update(f.id).digest("hex").slice(0, 32)}:1`;
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}
