import { AuthproofError } from "../errors.ts";

/** Stable error codes of the forge; callers branch on `code`, never on message text. */
export type ForgeErrorCode =
  | "FORGE_MALFORMED_TOKEN"
  | "FORGE_UNSUPPORTED_ALG"
  | "FORGE_UNSUPPORTED_KEY"
  | "FORGE_ALG_MISMATCH"
  | "FORGE_NO_SIGNATURE";

/** A typed error raised by the forge for bad input (never a bare TypeError). */
export class ForgeError extends AuthproofError<ForgeErrorCode> {}
