import { afterAll, inject, test } from "vitest";
import { runCsrfAttempts } from "../src/cookies/csrf-flow.ts";
import { createAuditContext } from "../src/engine/context.ts";
import { record } from "../src/engine/record.ts";
import { judgeCsrf } from "../src/judge/csrf.ts";

const model = inject("authproofModel");
const ctx = await createAuditContext(model);
afterAll(() => ctx.close());

test.runIf(ctx.selected("csrf.untrusted-origin"))("csrf.untrusted-origin", async (context) => {
  const run = await runCsrfAttempts(ctx, `https://authproof-${model.seed}.evil.test`);
  record(context, "outcome" in run ? run.outcome : judgeCsrf(run.endpoint, run.evidence));
});
