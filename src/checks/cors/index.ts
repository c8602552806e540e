import { CHECKS } from "../../catalogue/checks.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import type { AuditContext } from "../../model/context.ts";
import { check, type CheckRecord, type Family, type Scope } from "../types.ts";
import { judgeCors } from "./judge.ts";
import { planCors, type CorsTargetPlan } from "./plan.ts";
import { runCorsProbes } from "./probe.ts";
import { corsProbeUrls } from "./targets.ts";

/** The API and Better Auth, each probed with every origin class. */
const corsTargetScope: Scope<CorsTargetPlan> = {
  name: "CORS target",
  units: (model) =>
    planCors({ ...corsProbeUrls(model), allowedOrigins: model.config.cors.allowedOrigins, authOrigin: model.authOrigin ?? model.apiOrigin, attackerLabel: `authproof-${model.seed}` }),
  label: ({ target }) => `CORS on ${target.name} (${target.endpoint.path})`,
  endpoint: ({ target }) => target.endpoint,
};

/** One probe run per target; every CORS check reads its verdict from it. */
function verdicts(ctx: AuditContext, { target, plan }: CorsTargetPlan): Promise<CheckOutcome[]> {
  return ctx.shared(`cors ${target.name}`, async () => judgeCors(target, plan.classes, await runCorsProbes(ctx.driver, plan)));
}

/** Every CORS check of the catalogue (the origin classes, wildcard with credentials, Vary). */
const checks: CheckRecord[] = CHECKS.filter((check) => check.category === "cors").map(
  ({ id }): CheckRecord<CorsTargetPlan> => ({
    id,
    scope: corsTargetScope,
    run: async (ctx, plan) => {
      const outcome = (await verdicts(ctx, plan)).find((o) => o.checkId === id);
      if (!outcome) throw new Error(`no CORS verdict for ${id}`);
      return outcome;
    },
  }),
);

/** Which foreign origins may read the API's and Better Auth's answers. */
// Every check reads the verdicts of one shared probe run per target.
export const cors: Family = { name: "cors", concurrent: true, checks };
