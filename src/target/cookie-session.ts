import type { Exchange, HttpRequest } from "../http/types.ts";
import { cookieHeader } from "./identities.ts";

/**
 * Better Auth session flows the way a browser runs them: sign in (JSON, no Origin, like a server-to-server
 * client, so the origin check does not apply), then act with the session cookie and an Origin header.
 */

export interface SessionDriver {
  send(req: HttpRequest): Promise<Exchange>;
}

export interface AuthBase {
  baseUrl: string;
  basePath: string;
}

/** A cookie session: the sign-in exchange, its Set-Cookie lines and the Cookie header built from them. */
export interface CookieSession {
  signIn: Exchange;
  lines: string[];
  cookie: string;
  /** The user's name as Better Auth returned it (for a no-op profile update). */
  name: string;
}

/** The URL of a Better Auth endpoint under its base path. */
export function authEndpointUrl(auth: AuthBase, suffix: string): string {
  const base = auth.baseUrl.replace(/\/+$/, "");
  const path = ("/" + auth.basePath.replace(/^\/+|\/+$/g, "")).replace(/^\/$/, "");
  return `${base}${path}${suffix}`;
}

/** POST sign-in/email → a fresh cookie session; the reason as a string when there is none. */
export async function signInForCookies(
  driver: SessionDriver,
  auth: AuthBase,
  credentials: { email: string; password: string },
): Promise<CookieSession | { problem: string; exchange: Exchange }> {
  const url = authEndpointUrl(auth, "/sign-in/email");
  const exchange = await driver.send({ method: "POST", url, headers: { accept: "application/json" }, json: { email: credentials.email, password: credentials.password }, aim: "Better Auth: the audit's own users and sessions" });
  const response = exchange.response;
  if (!response) return { problem: `sign-in got no answer: ${exchange.error?.message ?? "no response"}`, exchange };
  if (response.status < 200 || response.status >= 300) return { problem: `sign-in answered ${response.status}`, exchange };
  const lines = setCookieLines(response.headers);
  const json = response.json as { user?: { name?: unknown } } | undefined;
  return { signIn: exchange, lines, cookie: cookieHeader(lines), name: typeof json?.user?.name === "string" ? json.user.name : "" };
}

/** POST sign-out with the session cookie and the given Origin (the site's own, as a browser sends it). */
export function signOutWithCookie(driver: SessionDriver, auth: AuthBase, session: Pick<CookieSession, "cookie">, origin: string): Promise<Exchange> {
  return driver.send({ method: "POST", url: authEndpointUrl(auth, "/sign-out"), headers: { cookie: session.cookie, origin, accept: "application/json" }, json: {}, aim: "Better Auth: the audit's own users and sessions" });
}

/** One state-changing call with the session cookie and an Origin (or the literal `null`). */
export function stateChangingCall(
  driver: SessionDriver,
  auth: AuthBase,
  session: Pick<CookieSession, "cookie" | "name">,
  call: "update-user" | "sign-out",
  origin: string,
): Promise<Exchange> {
  const json = call === "update-user" ? { name: session.name } : {};
  return driver.send({ method: "POST", url: authEndpointUrl(auth, `/${call}`), headers: { cookie: session.cookie, origin, accept: "application/json" }, json, aim: "Better Auth: the audit's own users and sessions" });
}

/** GET get-session with the cookie: true when Better Auth still knows the session. */
export async function sessionAlive(driver: SessionDriver, auth: AuthBase, session: Pick<CookieSession, "cookie">): Promise<{ alive: boolean; exchange: Exchange }> {
  const exchange = await driver.send({ method: "GET", url: authEndpointUrl(auth, "/get-session"), headers: { cookie: session.cookie, accept: "application/json" } });
  const json = exchange.response?.json as { session?: unknown } | null | undefined;
  return { alive: exchange.response?.status === 200 && json !== null && typeof json === "object" && json.session != null, exchange };
}

/** Set-Cookie lines of a response (the driver keeps them as an array). */
export function setCookieLines(headers: Record<string, string | string[]>): string[] {
  const value = headers["set-cookie"];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Whether Secure is expected: `cookies.expectSecure` when a boolean, else whether the auth base URL is https. */
export function secureExpectation(expectSecure: "auto" | boolean, authBaseUrl: string): { expect: boolean; basis: string } {
  if (expectSecure === true) return { expect: true, basis: "cookies.expectSecure is true" };
  if (expectSecure === false) return { expect: false, basis: "cookies.expectSecure is false" };
  const https = new URL(authBaseUrl).protocol === "https:";
  return https ? { expect: true, basis: `the site is served over https (${authBaseUrl})` } : { expect: false, basis: `the site is served over plain http (${authBaseUrl})` };
}
