import { AuthproofError } from "../errors.ts";

/** A wrong command line: shown as one line, exit code 2. */
export class UsageError extends AuthproofError<"USAGE"> {
  constructor(message: string) {
    super("USAGE", message);
  }
}

/**
 * Prints a harness failure as one clear line and exits 2. AuthproofErrors (config, target, reference app,
 * report, …) are expected conditions; anything else is an internal error, whose stack is shown only with
 * AUTHPROOF_DEBUG=1.
 */
export function exitWithError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof AuthproofError ? `authproof: ${message}` : `authproof: internal error: ${message} (set AUTHPROOF_DEBUG=1 for details)`);
  if (process.env.AUTHPROOF_DEBUG && error instanceof Error && error.stack) console.error(error.stack);
  process.exit(2);
}
