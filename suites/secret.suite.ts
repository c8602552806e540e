import { inject, test } from "vitest";
import { record } from "../src/run/record.ts";
import { selectedIn } from "../src/run/selection.ts";
import { judgeLifetime } from "../src/checks/claims/lifetime.ts";
import { judgeJwksPrivate, judgeSecretStrength } from "../src/checks/secret/judge.ts";

const model = inject("authproofModel");
const selected = selectedIn(model);
const jwksUrl = new URL(model.config.keys.jwksPath, model.config.auth.baseUrl).href;

test.runIf(selected("secret.strength"))("secret.strength", (context) => {
  record(context, judgeSecretStrength(model.config.keys.secret));
});

test.runIf(selected("secret.jwks-private"))("secret.jwks-private", (context) => {
  record(context, judgeJwksPrivate(model.jwksDocument, jwksUrl));
});

test.runIf(selected("claims.lifetime"))("claims.lifetime", (context) => {
  record(context, judgeLifetime(model.users, model.config.policy.maxTokenLifetimeSec));
});
