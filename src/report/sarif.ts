import { createHash } from "node:crypto";
import type { Severity } from "../catalogue/types.ts";
import { endpointLabel, sourceFileFor } from "./format.ts";
import { cweIds, refUrl } from "./refs.ts";
import type { CheckEntry, Report, Result } from "./schema.ts";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";
export const TOOL_INFORMATION_URI = "https://www.npmjs.com/package/authproof";

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
  /** checkId or category → repo-relative file each alert points at (GitHub requires a file location). */
  suiteFiles?: Record<string, string>;
  /** File for results not in suiteFiles. Default "authproof.config.ts". */
  defaultFile?: string;
  /** Code-scanning category: alerts of one category replace each other across uploads. Default "authproof". */
  category?: string;
  informationUri?: string;
}

/**
 * SARIF 2.1.0 accepted by GitHub code scanning. One rule per check in `report.checks`; one result per
 * failed result. Errors are not alerts (nothing was found): they go to
 * `invocations[0].toolExecutionNotifications` so they show on the tool status page without opening alerts.
 * Passes and skips are omitted, which lets GitHub close fixed alerts on the next upload.
 *
 * @example writeFileSync("results.sarif", renderSarif(report, { suiteFiles: { token: "suites/token.suite.ts" } }));
 */
export function renderSarif(report: Report, options: SarifOptions = {}): string {
  return `${JSON.stringify(buildSarif(report, options), null, 2)}\n`;
}

/** The SARIF log as an object (see renderSarif). */
export function buildSarif(report: Report, options: SarifOptions = {}): Record<string, unknown> {
  const ruleIndex = new Map(report.checks.map((check, index) => [check.id, index]));
  const failed = report.results.filter((r) => r.status === "fail");
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
            informationUri: options.informationUri ?? TOOL_INFORMATION_URI,
            rules: report.checks.map(rule),
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
              message: { text: `${r.title} could not be decided${where(r)}: ${r.reason ?? "harness error"}` },
              associatedRule: { id: r.checkId, index: ruleIndex.get(r.checkId) ?? -1 },
              })),
            ],
          },
        ],
        results: failed.map((r) => result(r, ruleIndex.get(r.checkId) ?? -1, options)),
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

function rule(check: CheckEntry): Record<string, unknown> {
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
    defaultConfiguration: { level: LEVEL[check.severity] },
    properties: {
      "security-severity": SECURITY_SEVERITY[check.severity].toFixed(1),
      tags: ["security", check.category, ...cweIds(check.refs).map((cwe) => `external/cwe/${cwe.toLowerCase()}`)],
      precision: "high",
      "problem.severity": check.severity === "info" ? "recommendation" : LEVEL[check.severity],
    },
  };
}

function result(r: Result, index: number, options: SarifOptions): Record<string, unknown> {
  const variants = r.variants ? ` ${r.variants.failed} of ${r.variants.total} variants failed.` : "";
  const out: Record<string, unknown> = {
    ruleId: r.checkId,
    ruleIndex: index,
    level: LEVEL[r.severity],
    message: { text: `${r.title}${where(r)}: ${sentence(r.reason ?? "the target did not answer as expected")}${variants}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: sourceFileFor(r, options.suiteFiles, options.defaultFile) },
          region: { startLine: 1 },
        },
      },
    ],
    partialFingerprints: { primaryLocationLineHash: fingerprint(r) },
    properties: {
      checkId: r.checkId,
      severity: r.severity,
      ...(r.endpoint ? { endpoint: endpointLabel(r) } : {}),
      ...(r.endpoint?.url ? { url: r.endpoint.url } : {}),
      ...(r.reproduce ? { reproduce: r.reproduce } : {}),
    },
  };
  if (r.baseline === "new" || r.baseline === "unchanged") out.baselineState = r.baseline;
  return out;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function where(r: Result): string {
  if (!r.endpoint) return "";
  return ` on ${r.endpoint.method.toUpperCase()} ${r.endpoint.url ?? r.endpoint.path}`;
}

/** Stable across runs for the same check and endpoint, so GitHub tracks one alert. */
function fingerprint(r: Result): string {
  const key = [r.checkId, r.endpoint?.method.toUpperCase() ?? "", r.endpoint?.path ?? ""].join("\n");
  return `${createHash("sha256").update(key).digest("hex").slice(0, 32)}:1`;
}

function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}
