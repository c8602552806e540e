import fc from "fast-check";
import { applyAttack } from "../../attack/runner.ts";
import type { AuditContext } from "../../../model/context.ts";
import { judgeAttack } from "../../attack/judge.ts";
import { controlProblem } from "../../../judge/controls.ts";
import type { CheckOutcome } from "../../../judge/types.ts";
import { authorizationArb } from "../arbitraries/authorization.ts";
import { propertySettings, RequestBudget } from "../budget.ts";
import { findTokenProbe } from "../identity.ts";
import { propertyOutcome, type PropertyFailure } from "../outcome.ts";
import { refusalProblem } from "../rejection.ts";

export const CHECK_ID = "property.header-fuzz" as const;

/** P4: arbitrary Authorization values get 401 (values beyond 4 KB: any refusal), never 2xx, never 5xx. */
export async function runHeaderFuzz(ctx: AuditContext): Promise<CheckOutcome> {
  const probe = findTokenProbe(ctx.model);
  if (!probe) return { checkId: CHECK_ID, status: "skip", reason: "no protected operation could be probed" };
  const endpoint = { method: probe.op.method, path: probe.op.path, url: probe.request.url };
  const problem = controlProblem(probe.controls);
  if (problem) return { checkId: CHECK_ID, endpoint, status: "error", reason: problem };
  const settings = propertySettings(ctx.model, CHECK_ID);
  const budget = new RequestBudget(settings.budget);
  let failure: PropertyFailure | undefined;

  const property = fc.asyncProperty(authorizationArb, async ({ value, strict }) => {
    if (!budget.take()) return true;
    const attack = { checkId: CHECK_ID, variant: "fuzz", authorization: value, expect: "reject" as const };
    const exchange = await ctx.driver.send(applyAttack(probe.request, attack));
    const judged = judgeAttack(attack, exchange, probe.controls, { maxLatencyMs: ctx.model.config.policy.maxLatencyMs });
    const detail = refusalProblem(judged, strict);
    if (detail === undefined) return true;
    failure = {
      detail,
      exchange,
      description: `Authorization: ${describeValue(value)}`,
      counterexample: { authorization: value },
    };
    return false;
  });

  const details = await fc.check(property, { seed: settings.seed, numRuns: settings.numRuns });
  return propertyOutcome({ checkId: CHECK_ID, endpoint, settings, details, failure, budget, controls: probe.controls });
}

function describeValue(value: string): string {
  const shown = JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}` : value);
  return value.length > 120 ? `${shown}… (${value.length} characters)` : shown;
}
