import { AuthproofError } from "../errors.ts";

/** Stable codes callers (the CLI) branch on. */
export type ReportErrorCode =
  | "REPORT_INVALID"
  | "REPORT_NOT_FOUND"
  | "REPORT_NOT_JSON"
  | "REPORT_UNSUPPORTED_VERSION"
  | "REPORT_EXISTS"
  | "REPORT_WRITE_FAILED"
  | "SHARDS_MISMATCH";

/** A report could not be read, validated or written. `issues` lists "field.path: problem" lines. */
export class ReportError extends AuthproofError<ReportErrorCode> {
  constructor(
    code: ReportErrorCode,
    message: string,
    readonly issues: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
