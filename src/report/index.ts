// The report model and its renderers: config → … → verdicts → report → (json | html | junit | sarif).
export { ReportSchema, SCHEMA_VERSION, SCHEMA_FILE, reportJsonSchema } from "./schema.ts";
export type { Report, Result, ResultStatus, Exchange, CheckEntry, Summary, Matrix, BaselineComparison } from "./schema.ts";
export { ReportError, type ReportErrorCode } from "./errors.ts";
export { validateReport } from "./validate.ts";
export { loadReport, parseReportText } from "./load.ts";
export { summarize, exitCodeFor } from "./summary.ts";
export { applyBaseline } from "./baseline.ts";
export { toCheckEntry, resultId } from "./build.ts";
export { renderHtml } from "./html.ts";
export { renderJunit, type JunitOptions } from "./junit.ts";
export { renderSarif, buildSarif, SECURITY_SEVERITY, type SarifOptions } from "./sarif.ts";
export { writeReportFiles, renderReport, REPORT_FILES, type Reporter, type WriteOptions, type RenderOptions } from "./write.ts";
