import { auditScope } from "../scopes.ts";
import type { CheckRecord, Family } from "../types.ts";
import { runCsrfAttempts } from "./flow.ts";
import { judgeCsrf } from "./judge.ts";

const untrustedOrigin: CheckRecord = {
  id: "csrf.untrusted-origin",
  scope: auditScope,
  run: async (ctx) => {
    const run = await runCsrfAttempts(ctx, `https://authproof-${ctx.model.seed}.evil.test`);
    return "outcome" in run ? run.outcome : judgeCsrf(run.endpoint, run.evidence);
  },
};

/** Cross-site state changes riding the session cookie. */
export const csrf: Family = { name: "csrf", checks: [untrustedOrigin] };
