/** A wrong command line: shown as one line, exit code 2. */
export class UsageError extends Error {
  readonly code = "USAGE";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const KNOWN_CODES = new Set([
  "USAGE",
  "CONFIG_INVALID",
  "TARGET_UNREACHABLE",
  "TARGET_UNEXPECTED",
  "SUITES_FAILED",
  "NO_CHECKS",
]);

/**
 * Prints a harness failure as one clear line and exits 2. Errors with a stable `code` (config, target,
 * reference app, report) are expected conditions; anything else is an internal error, whose stack is
 * shown only with AUTHPROOF_DEBUG=1.
 */
export function exitWithError(error: unknown): never {
  const err = error as { code?: unknown; message?: unknown; stack?: unknown };
  const message = typeof err?.message === "string" ? err.message : String(error);
  const coded = typeof err?.code === "string" && (KNOWN_CODES.has(err.code) || /^[A-Z_]+$/.test(err.code));
  console.error(coded ? `authproof: ${message}` : `authproof: internal error: ${message} (set AUTHPROOF_DEBUG=1 for details)`);
  if (process.env.AUTHPROOF_DEBUG && typeof err?.stack === "string") console.error(err.stack);
  process.exit(2);
}
