import { auditScope } from "../scopes.ts";
import { check, jwtOnly, type CheckRecord, type Family } from "../types.ts";
import { judgeLifetime } from "./lifetime.ts";
import { claimsAttackChecks } from "./sends.ts";

const lifetime = check({
  id: "claims.lifetime",
  // The lifetime of the tokens the issuer gives out; minted tokens have the lifetime the audit chose.
  needs: { betterAuth: true },
  scope: auditScope,
  run: async (ctx) => judgeLifetime(ctx.model.users, ctx.model.config.policy.maxTokenLifetimeSec),
});

/** What a validly signed token claims: expiry, not-before, issuer, audience, subject, lifetime. */
export const claims: Family = {
  name: "claims",
  concurrent: true,
  checks: jwtOnly([...claimsAttackChecks, lifetime]),
};
