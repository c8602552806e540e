import { auditScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { runCsrfAttempts } from "./flow.ts";
import { cookieBackendCsrf } from "./cookie-backend.ts";
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

const cookieBackend = check({ id: "csrf.cookie-backend", needs: { betterAuth: true }, scope: auditScope, run: cookieBackendCsrf });

/** Cross-site state changes riding the session cookie: at Better Auth, and at a cookie-authenticated backend. */
export const csrf: Family = { name: "csrf", checks: [untrustedOrigin, cookieBackend] };
