import fc from "fast-check";
import { applyAttack } from "../../attack/runner.ts";
import type { AuditContext } from "../../../model/context.ts";
import type { CheckOutcome } from "../../../judge/types.ts";
import { judgeToken } from "../acceptance-model.ts";
import { acceptanceSpecArb } from "../arbitraries/token.ts";
import { propertySettings, RequestBudget } from "../budget.ts";
import { nowSec, tokenPropertyEnv } from "../environment.ts";
import { findIdentityProbe, valueAt } from "../identity.ts";
import { propertyOutcome, type PropertyFailure } from "../outcome.ts";
import { counterexampleOf } from "../token-counterexample.ts";
import { describeSpec, renderToken } from "../token-spec.ts";

export const CHECK_ID = "property.token-acceptance" as const;

/**
 * P2: tokens the acceptance model accepts — a user's real claims, fresh times, the trusted key, plus arbitrary
 * extra claims and header fields — get 2xx, and the answer names the token's subject as the caller.
 */
export async function runTokenAcceptance(ctx: AuditContext): Promise<CheckOutcome> {
  const env = tokenPropertyEnv(ctx.model);
  if (!env.oracle) return { checkId: CHECK_ID, status: "skip", reason: "needs a signing key (shared secret or a private key the target trusts)" };
  const identity = findIdentityProbe(ctx.model);
  if (!identity) return { checkId: CHECK_ID, status: "skip", reason: "no read operation without path parameters answers with the caller's id" };
  const { probe, path } = identity;
  const endpoint = { method: probe.op.method, path: probe.op.path, url: probe.request.url };
  const settings = propertySettings(ctx.model, CHECK_ID);
  const budget = new RequestBudget(settings.budget);
  let failure: PropertyFailure | undefined;

  const property = fc.asyncProperty(acceptanceSpecArb(env.arbOptions), async (spec) => {
    const now = nowSec();
    const tokenEnv = env.at(now);
    const rendered = renderToken(spec, tokenEnv);
    fc.pre(judgeToken(env.acceptance, rendered, now).verdict === "accept");
    if (!budget.take()) return true;
    const authorization = `Bearer ${rendered.token}`;
    const exchange = await ctx.driver.send(applyAttack(probe.request, { authorization }));
    const expected = tokenEnv.users[spec.base].id;
    const response = exchange.response;
    let detail: string | undefined;
    if (!response) detail = `no answer (${exchange.error?.kind}: ${exchange.error?.message})`;
    else if (response.status < 200 || response.status >= 300) detail = `valid token refused with ${response.status}`;
    else if (valueAt(response.json, path) !== expected)
      detail = `answered as ${JSON.stringify(valueAt(response.json, path)) ?? "nobody"} at ${path.join(".") || "the root"}, not the token's ${env.acceptance.identityClaim} (user ${spec.base})`;
    if (detail === undefined) return true;
    failure = { detail, exchange, description: describeSpec(spec), counterexample: counterexampleOf(rendered) };
    return false;
  });

  const details = await fc.check(property, { seed: settings.seed, numRuns: settings.numRuns });
  return propertyOutcome({ checkId: CHECK_ID, endpoint, settings, details, failure, budget, controls: probe.controls });
}
