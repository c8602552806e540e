import type { AuditContext } from "../../model/context.ts";
import { withBetterAuth } from "../../model/endpoint.ts";
import { auditScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { SessionModeScenario } from "./mode.ts";
import { SessionScenario } from "./scenario.ts";

/** One second session of user A serves every session check (sign-out happens once). */
function scenario(ctx: AuditContext): SessionScenario {
  return ctx.shared("session scenario", () => new SessionScenario(ctx, withBetterAuth(ctx.model).config.auth));
}

/** Session mode: one fresh session of user A, signed out once, serves the revocation checks. */
function sessionMode(ctx: AuditContext): SessionModeScenario {
  return ctx.shared("session mode scenario", () => new SessionModeScenario(ctx, withBetterAuth(ctx.model).config.auth));
}

const checks: CheckRecord[] = [
  { id: "session.jwt-refresh", needs: { betterAuth: true, jwt: true }, scope: auditScope, run: (ctx) => scenario(ctx).refresh() },
  { id: "session.signout-revokes-session", needs: { betterAuth: true }, scope: auditScope, run: (ctx) => scenario(ctx).signOutRevokes() },
  { id: "session.jwt-after-signout", needs: { betterAuth: true, jwt: true }, scope: auditScope, run: (ctx) => scenario(ctx).jwtAfterSignOut() },
  { id: "session.expired-accepted", needs: { betterAuth: true }, scope: auditScope, run: (ctx) => sessionMode(ctx).expiredAccepted() },
  { id: "session.cookie-signature", needs: { betterAuth: true }, scope: auditScope, run: (ctx) => sessionMode(ctx).cookieSignature() },
  { id: "session.revoked-accepted", needs: { betterAuth: true }, scope: auditScope, run: (ctx) => sessionMode(ctx).revokedAccepted() },
  { id: "session.cookie-cache-window", needs: { betterAuth: true }, scope: auditScope, run: (ctx) => sessionMode(ctx).cacheWindow() },
];

/** The Better Auth session around the backend JWT: refresh, sign-out, replay. */
export const session: Family = { name: "session", checks };
