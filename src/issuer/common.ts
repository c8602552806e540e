import { AuthproofError } from "../errors.ts";

// What the CLI needs before it loads Better Auth (issuer.ts imports better-auth, ~2 s; only `authproof issuer` pays it).

export type IssuerAlg = "EdDSA" | "ES256" | "ES512" | "RS256" | "PS256";
export const ISSUER_ALGS: readonly IssuerAlg[] = ["EdDSA", "ES256", "ES512", "RS256", "PS256"];

/** Could not start the stand-in issuer (bad key, bad algorithm, port taken, database, env file). */
export class IssuerError extends AuthproofError<
  "ISSUER_KEY_INVALID" | "ISSUER_ALG_UNSUPPORTED" | "ISSUER_PORT_IN_USE" | "ISSUER_LISTEN_FAILED" | "ISSUER_DB_FAILED" | "ISSUER_ENV_FILE_FAILED"
> {}
