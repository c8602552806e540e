/**
 * Every condition authproof reports to a person instead of crashing. The CLI prints `message` as one line and
 * exits 2 for any AuthproofError; anything else is an internal error. Callers branch on `code`, never on text.
 */
export const ERROR_CODES = [
  // command line and configuration
  "USAGE",
  "CONFIG_INVALID",
  // the target
  "TARGET_UNREACHABLE",
  "TARGET_UNEXPECTED",
  "TARGET_STOPPED",
  "AUTH_NOT_FOUND",
  "AUTH_UNREACHABLE",
  "AUTH_RATE_LIMITED",
  "SIGNUP_FAILED",
  "SIGNIN_FAILED",
  "SIGNOUT_FAILED",
  "SESSION_FAILED",
  "TOKEN_FAILED",
  "JWKS_FAILED",
  "JWKS_INVALID",
  "JWKS_UNREACHABLE",
  "OPENAPI_INVALID",
  "OPENAPI_UNSUPPORTED",
  "PATH_PARAM_MISSING",
  "RESOURCE_INVALID",
  "ROUTE_INVALID",
  // the run
  "SUITES_FAILED",
  "NO_CHECKS",
  "INCOMPLETE",
  "INTERRUPTED",
  // reports
  "REPORT_INVALID",
  "REPORT_NOT_FOUND",
  "REPORT_NOT_JSON",
  "REPORT_UNSUPPORTED_VERSION",
  "REPORT_EXISTS",
  "REPORT_WRITE_FAILED",
  "SHARDS_MISMATCH",
  "IGNORE_FILE_INVALID",
  // the forge
  "FORGE_MALFORMED_TOKEN",
  "FORGE_UNSUPPORTED_ALG",
  "FORGE_UNSUPPORTED_KEY",
  "FORGE_ALG_MISMATCH",
  "FORGE_NO_SIGNATURE",
  // the stand-in issuer
  "ISSUER_KEY_INVALID",
  "ISSUER_ALG_UNSUPPORTED",
  "ISSUER_PORT_IN_USE",
  "ISSUER_LISTEN_FAILED",
  "ISSUER_DB_FAILED",
  "ISSUER_ENV_FILE_FAILED",
  // the reference app
  "UNKNOWN_FLAW",
  "FLAW_NOT_APPLICABLE",
  "BAD_OPTION",
  "SETUP_FAILED",
  "START_FAILED",
  // the browser
  "UI_FLOW_FAILED",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The base of every error authproof raises on purpose. */
export class AuthproofError<Code extends ErrorCode = ErrorCode> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A condition that stops the harness from running (exit code 2); the message is shown as is. */
export class HarnessError extends AuthproofError<
  "TARGET_UNREACHABLE" | "TARGET_UNEXPECTED" | "TARGET_STOPPED" | "SUITES_FAILED" | "NO_CHECKS" | "INCOMPLETE" | "INTERRUPTED"
> {}
