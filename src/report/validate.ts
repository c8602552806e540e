import type { z } from "zod";
import { ReportError } from "./errors.ts";
import { ReportSchema, type Report } from "./schema.ts";

/** Renders a zod issue path as `results[3].evidence.exchanges[0].label`. */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(root)" : out;
}

function formatIssues(issues: ReadonlyArray<z.core.$ZodIssue>): string[] {
  return issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

/**
 * Parses a value as a Report, or throws ReportError("REPORT_INVALID") naming each bad field.
 * Unknown fields are dropped, so only what the schema describes is ever written.
 *
 * @example const report = validateReport(JSON.parse(text), "reports/latest/report.json");
 */
export function validateReport(value: unknown, source = "report"): Report {
  const parsed = ReportSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = formatIssues(parsed.error.issues);
  const shown = issues.slice(0, 5).join("; ");
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : "";
  throw new ReportError("REPORT_INVALID", `${source} is not a valid authproof report: ${shown}${more}`, issues);
}
