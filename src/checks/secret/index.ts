import { auditScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { judgeJwksPrivate, judgeSecretStrength } from "./judge.ts";

const strength = check({
  id: "secret.strength",
  scope: auditScope,
  run: async (ctx) => judgeSecretStrength(ctx.model.config.keys.secret, ctx.model.candidates ?? []),
});

const jwksPrivate = check({
  id: "secret.jwks-private",
  scope: auditScope,
  run: async ({ model }) =>
    model.config.auth.baseUrl
      ? judgeJwksPrivate(model.jwksDocument, new URL(model.config.keys.jwksPath, model.config.auth.baseUrl).href)
      : { checkId: "secret.jwks-private", status: "skip", reason: "the target has no JWKS in this mode" },
});

/** Key material judged offline: the shared secret and the served JWKS. */
export const secret: Family = { name: "secret", checks: [strength, jwksPrivate] };
