import { auditScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { runCsrfAttempts } from "./flow.ts";
import { judgeCsrf } from "./judge.ts";
import { withBetterAuth } from "../../model/endpoint.ts";

const untrustedOrigin = check({
  id: "csrf.untrusted-origin",
  needs: { betterAuth: true },
  scope: auditScope,
  run: async (ctx) => {
    const run = await runCsrfAttempts({ ...ctx, model: withBetterAuth(ctx.model) }, `https://authproof-${ctx.model.seed}.evil.test`);
    return "outcome" in run ? run.outcome : judgeCsrf(run.endpoint, run.evidence);
  },
});

/** Cross-site state changes riding the session cookie. */
export const csrf: Family = { name: "csrf", checks: [untrustedOrigin] };
