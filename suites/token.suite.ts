import { afterAll, describe, inject, test } from "vitest";
import { ATTACK_CHECK_IDS, runAttackCheck } from "../src/checks/attack/runner.ts";
import { createAuditContext } from "../src/run/context.ts";
import { record } from "../src/run/record.ts";
import type { AttackOutcome } from "../src/judge/attack.ts";
import { judgeErrorLeak } from "../src/checks/hygiene/error-leak.ts";

const model = inject("authproofModel");
const ctx = await createAuditContext(model);
afterAll(() => ctx.close());

const checks = ATTACK_CHECK_IDS.filter((id) => ctx.selected(id));

for (const probe of model.probes) {
  const endpoint = { method: probe.op.method, path: probe.op.path, url: probe.request.url };
  describe(`${probe.op.method} ${probe.op.path}`, () => {
    const sent: AttackOutcome[] = [];
    for (const checkId of checks) {
      test(checkId, async (context) => {
        const run = await runAttackCheck(ctx, checkId, probe);
        sent.push(...run.attacks);
        record(context, run.outcome);
      });
    }
    test.runIf(ctx.selected("hygiene.error-leak"))("hygiene.error-leak", (context) => {
      record(context, judgeErrorLeak(endpoint, sent));
    });
  });
}
