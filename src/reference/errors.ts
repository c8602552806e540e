import { AuthproofError } from "../errors.ts";

/** Stable codes for everything that can go wrong while preparing or starting the reference app. */
export type ReferenceErrorCode = "UNKNOWN_FLAW" | "FLAW_NOT_APPLICABLE" | "BAD_OPTION" | "SETUP_FAILED" | "START_FAILED";

/** A reference-app failure with a stable `code` and a message meant for people (no stack trace needed). */
export class ReferenceAppError extends AuthproofError<ReferenceErrorCode> {}
