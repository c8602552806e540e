import fc from "fast-check";
import type { Attack } from "../../attack/types.ts";
import { applyAttack } from "../../attack/runner.ts";
import type { AuditContext } from "../../../model/context.ts";
import { judgeAttack } from "../../attack/judge.ts";
import { controlProblem } from "../../../judge/controls.ts";
import type { CheckOutcome } from "../../../judge/types.ts";
import { judgeToken } from "../acceptance-model.ts";
import { STRICT_MAX_BYTES } from "../arbitraries/authorization.ts";
import { rejectionSpecArb } from "../arbitraries/token.ts";
import { propertySettings, RequestBudget } from "../budget.ts";
import { nowSec, tokenPropertyEnv } from "../environment.ts";
import { findTokenProbe } from "../identity.ts";
import { propertyOutcome, type PropertyFailure } from "../outcome.ts";
import { refusalProblem } from "../rejection.ts";
import { counterexampleOf } from "../token-counterexample.ts";
import { describeSpec, renderToken } from "../token-spec.ts";

export const CHECK_ID = "property.token-rejection" as const;

/**
 * P1: every generated token the acceptance model rejects gets 401 — never 2xx (or the valid token's answer),
 * never 5xx, never another status (tokens beyond 4 KB: any refusal).
 */
export async function runTokenRejection(ctx: AuditContext): Promise<CheckOutcome> {
  const probe = findTokenProbe(ctx.model);
  if (!probe) return { checkId: CHECK_ID, status: "skip", reason: "no protected operation could be probed" };
  const endpoint = { method: probe.op.method, path: probe.op.path, url: probe.request.url };
  const problem = controlProblem(probe.controls);
  if (problem) return { checkId: CHECK_ID, endpoint, status: "error", reason: problem };

  const env = tokenPropertyEnv(ctx.model);
  const settings = propertySettings(ctx.model, CHECK_ID);
  const budget = new RequestBudget(settings.budget);
  let failure: PropertyFailure | undefined;

  const property = fc.asyncProperty(rejectionSpecArb(env.arbOptions), async (spec) => {
    const now = nowSec();
    const rendered = renderToken(spec, env.at(now));
    const judgement = judgeToken(env.acceptance, rendered, now);
    fc.pre(judgement.verdict === "reject");
    if (!budget.take()) return true;
    const attack: Attack = {
      checkId: CHECK_ID,
      variant: describeSpec(spec),
      authorization: `Bearer ${rendered.token}`,
      expect: "reject",
      token: { header: rendered.header, claims: rendered.claims },
    };
    const exchange = await ctx.driver.send(applyAttack(probe.request, attack));
    const judged = judgeAttack(attack, exchange, probe.controls, { maxLatencyMs: ctx.model.config.policy.maxLatencyMs });
    // Like P4: values beyond 4 KB may be refused by the HTTP layer before the verifier sees them.
    const detail = refusalProblem(judged, Buffer.byteLength(`Bearer ${rendered.token}`, "utf8") <= STRICT_MAX_BYTES);
    if (detail === undefined) return true;
    failure = {
      detail,
      exchange,
      description: describeSpec(spec),
      why: judgement.reasons.join("; "),
      counterexample: counterexampleOf(rendered),
      // Accepted: what the token's worst flaw means; a crash is robustness; another refusal than 401, a nit.
      severity: judged.kind === "accepted" ? (judgement.severity ?? "critical") : judged.kind === "server-error" ? "medium" : "low",
    };
    return false;
  });

  const details = await fc.check(property, { seed: settings.seed, numRuns: settings.numRuns });
  return propertyOutcome({ checkId: CHECK_ID, endpoint, settings, details, failure, budget, controls: probe.controls });
}
