import { afterAll, beforeAll, describe, inject, test } from "vitest";
import { judgeCors, type CorsProbe } from "../src/checks/cors/judge.ts";
import { planCors } from "../src/checks/cors/plan.ts";
import { runCorsProbes } from "../src/checks/cors/probe.ts";
import { createAuditContext } from "../src/run/context.ts";
import { record } from "../src/run/record.ts";
import type { CheckOutcome } from "../src/judge/types.ts";
import { corsProbeUrls, corsCheckIds } from "../src/checks/cors/targets.ts";

const model = inject("authproofModel");
const ctx = await createAuditContext(model);
afterAll(() => ctx.close());

const checks = corsCheckIds().filter((id) => ctx.selected(id));
const plans = planCors({ ...corsProbeUrls(model), allowedOrigins: model.config.cors.allowedOrigins, authOrigin: model.authOrigin, attackerLabel: `authproof-${model.seed}` });

for (const { target, plan } of plans) {
  describe.runIf(checks.length > 0)(`CORS on ${target.name} (${target.endpoint.path})`, () => {
    let outcomes: CheckOutcome[] = [];
    beforeAll(async () => {
      const probes: CorsProbe[] = await runCorsProbes(ctx.driver, plan);
      outcomes = judgeCors(target, plan.classes, probes);
    });
    for (const checkId of checks) {
      test(checkId, (context) => {
        const outcome = outcomes.find((o) => o.checkId === checkId);
        if (!outcome) throw new Error(`no CORS verdict for ${checkId}`);
        record(context, outcome);
      });
    }
  });
}
