import { afterAll, inject, test } from "vitest";
import { runCsrfAttempts } from "../src/checks/csrf/flow.ts";
import { createAuditContext } from "../src/run/context.ts";
import { record } from "../src/run/record.ts";
import { judgeCsrf } from "../src/checks/csrf/judge.ts";

const model = inject("authproofModel");
const ctx = await createAuditContext(model);
afterAll(() => ctx.close());

test.runIf(ctx.selected("csrf.untrusted-origin"))("csrf.untrusted-origin", async (context) => {
  const run = await runCsrfAttempts(ctx, `https://authproof-${model.seed}.evil.test`);
  record(context, "outcome" in run ? run.outcome : judgeCsrf(run.endpoint, run.evidence));
});
