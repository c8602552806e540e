export type HarnessErrorCode = "TARGET_UNREACHABLE" | "TARGET_UNEXPECTED" | "SUITES_FAILED" | "NO_CHECKS";

/** A condition that stops the harness from running (exit code 2); the message is shown as is. */
export class HarnessError extends Error {
  readonly code: HarnessErrorCode;
  constructor(code: HarnessErrorCode, message: string) {
    super(message);
    this.name = "HarnessError";
    this.code = code;
  }
}
