import { auditScope } from "../scopes.ts";
import type { CheckRecord, Family } from "../types.ts";
import { judgeJwksPrivate, judgeSecretStrength } from "./judge.ts";

const strength: CheckRecord = {
  id: "secret.strength",
  scope: auditScope,
  run: async (ctx) => judgeSecretStrength(ctx.model.config.keys.secret),
};

const jwksPrivate: CheckRecord = {
  id: "secret.jwks-private",
  scope: auditScope,
  run: async ({ model }) => judgeJwksPrivate(model.jwksDocument, new URL(model.config.keys.jwksPath, model.config.auth.baseUrl).href),
};

/** Key material judged offline: the shared secret and the served JWKS. */
export const secret: Family = { name: "secret", checks: [strength, jwksPrivate] };
