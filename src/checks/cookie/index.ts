import type { CheckOutcome } from "../../judge/types.ts";
import type { AuditContext } from "../../model/context.ts";
import { withBetterAuth } from "../../model/endpoint.ts";
import { browserVerdict } from "../browser/index.ts";
import { auditScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import {
  judgeClearedOnSignout,
  judgeCookieLifetime,
  judgeHttpOnly,
  judgePrefix,
  judgeSameSite,
  judgeSecure,
  type CookieScene,
} from "./judge.ts";
import { cookieSignInScene, cookieSignOut, type PreparedScene } from "./scene.ts";

/** One fresh sign-in of user A: every cookie check judges its raw Set-Cookie lines; signed out when the audit ends. */
function scene(audit: AuditContext): { prepared: Promise<PreparedScene>; signedOut: boolean } {
  const ctx = { ...audit, model: withBetterAuth(audit.model) };
  return audit.shared(
    "cookie scene",
    () => ({ prepared: cookieSignInScene(ctx), signedOut: false }),
    async (shared) => {
      const prepared = await shared.prepared;
      if (!shared.signedOut && "session" in prepared) await cookieSignOut(ctx, prepared.session);
    },
  );
}

/** A cookie check judged on the raw Set-Cookie lines of a sign-in and, where a browser keeps the attribute, on its jar. */
function cookieCheck(id: "cookie.httponly" | "cookie.secure" | "cookie.samesite" | "cookie.prefix" | "cookie.lifetime", judge: (s: CookieScene) => CheckOutcome): CheckRecord {
  return {
    id,
    needs: { betterAuth: true },
    scope: auditScope,
    run: async (ctx) => {
      const prepared = await scene(ctx).prepared;
      const raw = "problem" in prepared ? prepared.problem(id) : judge(prepared.scene);
      if (id === "cookie.prefix" || id === "cookie.lifetime") return raw;
      return [raw, await browserVerdict(ctx, id)];
    },
  };
}

const clearedOnSignout = check({
  id: "cookie.cleared-on-signout",
  needs: { betterAuth: true },
  scope: auditScope,
  run: async (ctx) => {
    const shared = scene(ctx);
    const prepared = await shared.prepared;
    if ("problem" in prepared) return prepared.problem("cookie.cleared-on-signout");
    shared.signedOut = true;
    return judgeClearedOnSignout(prepared.scene, await cookieSignOut({ ...ctx, model: withBetterAuth(ctx.model) }, prepared.session));
  },
});

/** The Better Auth session cookies: attributes as set on sign-in and as a browser keeps them, and sign-out. */
export const cookie: Family = {
  name: "cookie",
  checks: [
    cookieCheck("cookie.httponly", judgeHttpOnly),
    cookieCheck("cookie.secure", judgeSecure),
    cookieCheck("cookie.samesite", judgeSameSite),
    cookieCheck("cookie.prefix", judgePrefix),
    cookieCheck("cookie.lifetime", judgeCookieLifetime),
    clearedOnSignout,
  ],
};
