import { readFile } from "node:fs/promises";
import { ReportError } from "./errors.ts";
import { withFindings } from "./findings.ts";
import { ReportSchema, SCHEMA_VERSION, type Report } from "./schema.ts";
import { validateReport } from "./validate.ts";

/**
 * Reads and validates a report.json (for `authproof report <file>` and `--baseline`).
 * Throws ReportError: REPORT_NOT_FOUND, REPORT_NOT_JSON, REPORT_UNSUPPORTED_VERSION or REPORT_INVALID
 * (the message names the first bad fields, e.g. `results[2].status: Invalid option ...`).
 *
 * @example const report = await loadReport("reports/latest/report.json");
 */
export async function loadReport(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ReportError("REPORT_NOT_FOUND", `cannot read report ${file}: ${code ?? String(cause)}`, [], { cause });
  }
  return parseReportText(text, file);
}

/**
 * Parses report.json text; same errors as loadReport.
 *
 * @example const report = parseReportText(await response.text(), "upload");
 */
export function parseReportText(text: string, source = "report"): Report {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ReportError("REPORT_NOT_JSON", `${source} is not JSON: ${(cause as Error).message}`, [], { cause });
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version !== "string") {
    throw new ReportError("REPORT_INVALID", `${source} is not an authproof report: schemaVersion is missing`, [
      "schemaVersion: missing",
    ]);
  }
  if (majorOf(version) !== majorOf(SCHEMA_VERSION)) {
    throw new ReportError(
      "REPORT_UNSUPPORTED_VERSION",
      `${source} has schemaVersion ${version}; this authproof reads ${majorOf(SCHEMA_VERSION)}.x`,
      [`schemaVersion: ${version}`],
    );
  }
  const upgraded = upgrade(value as Record<string, unknown>);
  return validateReport(MIGRATABLE.includes(version) ? migrate(upgraded) : upgraded, source);
}

function majorOf(version: string): string {
  return version.split(".")[0]!;
}

/** A report of an earlier minor version in today's shape: 1.0 had no `run` (every 1.0 run was complete). */
function upgrade(report: Record<string, unknown>): Record<string, unknown> {
  return { ...report, schemaVersion: SCHEMA_VERSION, run: report.run ?? { state: "complete" } };
}

/** Earlier minor versions of the current major, read by migrating them to SCHEMA_VERSION. */
const MIGRATABLE = ["1.0.0"];

/** Results as 1.0.0 wrote them (1.1.0 only added optional fields to results). */
const LegacyResults = ReportSchema.shape.results;

/**
 * 1.0.0 → current: the same results, with `findings[]` and the summary's `skippedByReason` / `findings`
 * derived from them. When the results themselves are broken, the value is left for validation to name the fields.
 */
function migrate(value: Record<string, unknown>): unknown {
  const results = LegacyResults.safeParse(value.results);
  const policy = value.policy as { failOn?: unknown } | undefined;
  if (!results.success || !policy || typeof policy.failOn !== "string") return { ...value, schemaVersion: SCHEMA_VERSION };
  return withFindings({ ...(value as unknown as Report), results: results.data, schemaVersion: SCHEMA_VERSION });
}
