import type { Exchange } from "../../http/types.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import { DEFAULT_MAX_COOKIE_LIFETIME_SEC, type CookieScene } from "./judge.ts";
import { secureExpectation, signInForCookies, signOutWithCookie, type CookieSession, type SessionDriver } from "../../target/cookie-session.ts";
import type { CheckId } from "../../catalogue/checks.ts";

/** The parts of the audit context the cookie checks read (structurally the engine's AuditContext). */
export interface CookieAuditView {
  driver: SessionDriver;
  model: {
    authOrigin: string;
    config: {
      auth: { baseUrl: string; basePath: string };
      cookies: { expectSecure: "auto" | boolean };
      policy: { maxCookieLifetimeSec?: number };
    };
  };
  userA: { email: string; password: string };
}

export type PreparedScene =
  | { scene: CookieScene; session: CookieSession }
  | { problem: (checkId: CheckId) => CheckOutcome };

/** Signs user A in afresh and describes the answer's cookies for the judges. Never rejects: a failed sign-in becomes an `error` verdict. */
export async function cookieSignInScene(ctx: CookieAuditView): Promise<PreparedScene> {
  const { config } = ctx.model;
  const auth = { baseUrl: config.auth.baseUrl, basePath: config.auth.basePath };
  try {
    const session = await signInForCookies(ctx.driver, auth, ctx.userA);
    const url = new URL(`${auth.baseUrl.replace(/\/+$/, "")}/x`);
    if ("problem" in session) {
      const exchange = session.exchange;
      return {
        problem: (checkId) => ({
          checkId,
          endpoint: endpointOf(session.exchange),
          status: "error",
          reason: `cannot judge the session cookies: ${session.problem}`,
          exchanges: [{ label: "sign-in", exchange }],
        }),
      };
    }
    const secure = secureExpectation(config.cookies.expectSecure, auth.baseUrl);
    const scene: CookieScene = {
      endpoint: endpointOf(session.signIn),
      lines: session.lines,
      expectSecure: secure.expect,
      secureBasis: secure.basis,
      host: url.hostname,
      maxLifetimeSec: config.policy.maxCookieLifetimeSec ?? DEFAULT_MAX_COOKIE_LIFETIME_SEC,
      exchange: session.signIn,
    };
    return { scene, session };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problem: (checkId) => ({ checkId, status: "error", reason: `cannot judge the session cookies: ${message}` }) };
  }
}

/** Signs the cookie session out the way the site's own page would (its cookie, its Origin). */
export function cookieSignOut(ctx: CookieAuditView, session: CookieSession): Promise<Exchange> {
  const { config } = ctx.model;
  return signOutWithCookie(ctx.driver, { baseUrl: config.auth.baseUrl, basePath: config.auth.basePath }, session, ctx.model.authOrigin);
}

function endpointOf(exchange: Exchange): NonNullable<CheckOutcome["endpoint"]> {
  const url = new URL(exchange.request.url);
  return { method: exchange.request.method, path: url.pathname, url: exchange.request.url };
}
