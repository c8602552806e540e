import { aud, expExpired, expInvalid, expMissing, iss, nbfFuture, sub } from "../checks/claims/sends.ts";
import { algConfusion, algNone, algRelabel, emptyKey } from "../checks/token/alg.ts";
import { critUnknown, embeddedJwk, jkuX5u, kidInjection } from "../checks/token/header.ts";
import { guessableSecret, magicValue, malformed, signatureInvalid, signatureStripped, signatureTampered, wrongKey } from "../checks/token/signature.ts";
import { identityOverride, missingToken, scheme, tokenInQuery } from "../checks/transport/sends.ts";
import type { AttackGenerator } from "../checks/attack/types.ts";

export type { Attack, AttackContext, AttackGenerator, AttackerKeys } from "../checks/attack/types.ts";
export { createAttackerKeys, loadX5uMaterial, type AttackerKeyPair } from "../forge/attacker-keys.ts";
export { oracleControl } from "../checks/claims/sends.ts";
export { commonSecrets, magicValues } from "../data/dictionaries.ts";
export { casings } from "../checks/token/alg.ts";

/** Every attack generator, keyed by catalogue check id. */
export const attackGenerators: Record<string, AttackGenerator> = {
  "transport.missing-token": missingToken,
  "transport.scheme": scheme,
  "transport.token-in-query": tokenInQuery,
  "transport.identity-override": identityOverride,
  "token.magic-value": magicValue,
  "token.guessable-secret": guessableSecret,
  "token.malformed": malformed,
  "token.signature-tampered": signatureTampered,
  "token.signature-invalid": signatureInvalid,
  "token.signature-stripped": signatureStripped,
  "token.wrong-key": wrongKey,
  "token.alg-none": algNone,
  "token.alg-confusion": algConfusion,
  "token.alg-relabel": algRelabel,
  "token.empty-key": emptyKey,
  "token.embedded-jwk": embeddedJwk,
  "token.jku-x5u": jkuX5u,
  "token.kid-injection": kidInjection,
  "token.crit-unknown": critUnknown,
  "claims.exp-expired": expExpired,
  "claims.exp-missing": expMissing,
  "claims.exp-invalid": expInvalid,
  "claims.nbf-future": nbfFuture,
  "claims.iss": iss,
  "claims.aud": aud,
  "claims.sub": sub,
};

/** Checks whose attacks need a signing oracle (`ctx.signer`); without one their generators return []. */
export const ORACLE_CHECKS: ReadonlySet<string> = new Set([
  "token.crit-unknown",
  "claims.exp-expired",
  "claims.exp-missing",
  "claims.exp-invalid",
  "claims.nbf-future",
  "claims.iss",
  "claims.aud",
  "claims.sub",
]);

/**
 * Whether a check needs a signing oracle (the engine reports it as skip "needs a signing key" without one).
 * @example needsOracle("claims.exp-expired") // true
 */
export function needsOracle(checkId: string): boolean {
  return ORACLE_CHECKS.has(checkId);
}

/**
 * Why a generator legitimately returned no attacks for this context, or undefined when it should have some.
 * @example skipReason("token.jku-x5u", ctx) // "needs the attacker listener" when ctx.listener is undefined
 */
export function skipReason(
  checkId: string,
  ctx: { signer?: unknown; victim?: unknown; publicJwks: unknown[]; listener?: unknown },
): string | undefined {
  if (needsOracle(checkId) && !ctx.signer) return "needs a signing key";
  if (checkId === "transport.identity-override" && !ctx.victim) return "needs a second user";
  if (checkId === "token.alg-confusion" && ctx.publicJwks.length === 0) return "needs the target's public keys (jwks mode)";
  if (checkId === "token.jku-x5u" && !ctx.listener) return "needs the attacker listener";
  return undefined;
}
