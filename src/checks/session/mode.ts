import { createHmac, randomBytes } from "node:crypto";
import type { Exchange, HttpRequest } from "../../http/types.ts";
import type { CheckOutcome, Endpoint, LabelledExchange } from "../../judge/types.ts";
import type { AuditContext } from "../../model/context.ts";
import { bearer, endpointOf } from "../../model/endpoint.ts";
import type { Probe } from "../../model/target.ts";
import { cookieHeader, signIn, signOut, type AuthEndpoint, type Identity } from "../../target/identities.ts";
import { expireSession } from "../../target/session-db.ts";

const NOT_SESSION_MODE = "session mode only (mode: session): the backend takes JWTs here";
const SESSION_COOKIE = /^(?:__Secure-)?[^=;]*\.session_token$/;
const CACHE_COOKIE = /^(?:__Secure-)?[^=;]*\.session_data$/;

/**
 * Session mode (SPEC §1): the backend takes Better Auth's own session token, as `Bearer token.signature` or as the
 * session cookie. One fresh session of user A is signed in, used once through each channel, and signed out; the
 * backend must then refuse it (at once for the token alone, within the policy through a cookie cache).
 */
export class SessionModeScenario {
  private revoked?: Promise<Revoked | string>;

  constructor(
    private readonly ctx: AuditContext,
    private readonly auth: AuthEndpoint,
  ) {}

  private get mode(): boolean {
    return this.ctx.model.config.mode === "session";
  }

  /** A read probe where a valid credential gets 2xx. */
  private probe(): Probe | undefined {
    return this.ctx.model.probes.find((p) => p.kind === "read" && p.op.pathParams.length === 0 && isSuccess(p.controls.positive));
  }

  private send(request: HttpRequest, headers: Record<string, string>): Promise<Exchange> {
    return this.ctx.driver.send({ ...request, headers: { ...request.headers, ...headers } });
  }

  private signInA(): Promise<Identity> {
    const { userA } = this.ctx;
    return signIn(this.ctx.driver, this.auth, { email: userA.email, password: userA.password });
  }

  /** session.revoked-accepted: the signed-out session's token, as Bearer and as the session cookie alone. */
  async revokedAccepted(): Promise<CheckOutcome> {
    const base = { checkId: "session.revoked-accepted" as const };
    if (!this.mode) return { ...base, status: "skip", reason: NOT_SESSION_MODE };
    const state = await this.signedOut();
    if (typeof state === "string") return { ...base, status: "skip", reason: state };
    const { probe, identity } = state;
    const exchanges: LabelledExchange[] = [
      { label: "Bearer token after sign-out", exchange: await this.send(probe.request, bearer(identity.sessionToken)) },
      { label: "session cookie alone after sign-out", exchange: await this.send(probe.request, { cookie: state.tokenCookie }) },
    ];
    return judgeRefused(base, endpointOfProbe(probe), exchanges, "a signed-out session", [...state.controls, ...exchanges]);
  }

  /**
   * session.cookie-cache-window: after sign-out, the old cookies (session token and cookie cache) are sent to
   * get-session (Better Auth) and to the backend, and the old token as Bearer to the backend, once a second, until
   * each is refused or the policy is exceeded; the longest time still accepted is the window.
   */
  async cacheWindow(): Promise<CheckOutcome> {
    const base = { checkId: "session.cookie-cache-window" as const };
    if (!this.mode) return { ...base, status: "skip", reason: NOT_SESSION_MODE };
    const state = await this.signedOut();
    if (typeof state === "string") return { ...base, status: "skip", reason: state };
    const { probe, identity, signedOutAt } = state;
    const policy = this.ctx.model.config.policy.maxSessionCacheSec;
    const boundSec = Math.min(this.ctx.model.config.session.maxWaitSec, policy + 5);
    const jar = cookieHeader(identity.cookies);
    const channels: Channel[] = [
      { label: "get-session (Better Auth) with the old cookies", send: () => this.ctx.driver.send({ method: "GET", url: `${this.auth.baseUrl}${this.auth.basePath}/get-session`, headers: { cookie: jar } }) },
      { label: "backend with the old cookies", send: () => this.send(probe.request, { cookie: jar }) },
      { label: "backend with the old Bearer token", send: () => this.send(probe.request, bearer(identity.sessionToken)) },
    ];
    for (;;) {
      const elapsed = (Date.now() - signedOutAt) / 1000;
      const open = channels.filter((c) => c.refusedAfter === undefined);
      if (open.length === 0 || elapsed > boundSec) break;
      await Promise.all(
        open.map(async (channel) => {
          const exchange = await channel.send();
          channel.last = exchange;
          if (isSuccess(exchange)) channel.acceptedAfter = (Date.now() - signedOutAt) / 1000;
          else channel.refusedAfter = (Date.now() - signedOutAt) / 1000;
        }),
      );
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cacheMaxAge = maxAgeOf(identity.cookies, CACHE_COOKIE);
    const notes = [
      cacheMaxAge === undefined ? "no session_data cookie (session.cookieCache off)" : `session_data cookie Max-Age ${cacheMaxAge} s`,
      ...channels.map((c) => `${c.label}: ${describeWindow(c)}`),
    ];
    const worst = Math.max(...channels.map((c) => Math.round(c.acceptedAfter ?? 0)));
    const still = channels.find((c) => c.refusedAfter === undefined);
    const exchanges = channels.flatMap((c) => (c.last ? [{ label: `${c.label}, last answer`, exchange: c.last }] : []));
    const endpoint = endpointOfProbe(probe);
    if (worst > policy) {
      const reason = still
        ? `a signed-out session still worked after ${worst} s (${still.label}), above the policy's ${policy} s`
        : `a signed-out session kept working for ${worst} s, above the policy's ${policy} s`;
      return { ...base, endpoint, status: "fail", reason, exchanges, notes };
    }
    if (still)
      return { ...base, endpoint, status: "error", reason: `inconclusive: still accepted after ${worst} s when polling stopped (session.maxWaitSec ${this.ctx.model.config.session.maxWaitSec} s), within the policy's ${policy} s`, exchanges, notes };
    return { ...base, endpoint, status: "pass", exchanges, notes: [`revocation window ${worst} s (policy ${policy} s)`, ...notes] };
  }

  /** session.cookie-signature: user A's session token with its signature stripped or forged. */
  async cookieSignature(): Promise<CheckOutcome> {
    const base = { checkId: "session.cookie-signature" as const };
    if (!this.mode) return { ...base, status: "skip", reason: NOT_SESSION_MODE };
    const probe = this.probe();
    if (!probe) return { ...base, status: "skip", reason: "no read operation where a valid session gets 2xx" };
    const { userA } = this.ctx;
    const name = cookieName(userA.cookies, SESSION_COOKIE);
    const [token] = userA.sessionToken.split(".");
    if (!name || !token) return { ...base, status: "skip", reason: "sign-in set no session_token cookie" };
    const forged = createHmac("sha256", randomBytes(32)).update(token).digest("base64");
    const control = await this.send(probe.request, { cookie: `${name}=${encodeURIComponent(userA.sessionToken)}` });
    const exchanges: LabelledExchange[] = [
      { label: "cookie with the signature stripped", exchange: await this.send(probe.request, { cookie: `${name}=${encodeURIComponent(token)}` }) },
      { label: "cookie with a forged signature", exchange: await this.send(probe.request, { cookie: `${name}=${encodeURIComponent(`${token}.${forged}`)}` }) },
      { label: "Bearer token with a forged signature", exchange: await this.send(probe.request, bearer(`${token}.${forged}`)) },
    ];
    const outcome = judgeRefused(base, endpointOfProbe(probe), exchanges, "a session token without its valid signature", [{ label: "control: the real cookie", exchange: control }, ...exchanges]);
    if (!isSuccess(control) && outcome.status === "pass") outcome.notes = [...(outcome.notes ?? []), `the backend does not take the session cookie (the real one got ${control.response?.status ?? "no answer"}); the Bearer variant was judged`];
    return outcome;
  }

  /** session.expired-accepted: a fresh session of user A, expired in Better Auth's database, sent as Bearer. */
  async expiredAccepted(): Promise<CheckOutcome> {
    const base = { checkId: "session.expired-accepted" as const };
    if (!this.mode) return { ...base, status: "skip", reason: NOT_SESSION_MODE };
    const database = this.ctx.model.config.session.authDatabase;
    if (!database) return { ...base, status: "skip", reason: "needs Better Auth's database (session.authDatabase) to expire a session of the audit" };
    const probe = this.probe();
    if (!probe) return { ...base, status: "skip", reason: "no read operation where a valid session gets 2xx" };
    const identity = await this.signInA();
    try {
      const control = await this.send(probe.request, bearer(identity.sessionToken));
      if (!isSuccess(control)) return { ...base, status: "error", reason: `a fresh session got ${control.response?.status ?? "no answer"} before it was expired`, exchanges: [{ label: "control", exchange: control }] };
      const [token] = identity.sessionToken.split(".");
      const expired = token ? await expireSession(database, token).catch((error: Error) => `session.authDatabase could not be changed: ${error.message.split("\n")[0]}`) : false;
      if (typeof expired === "string") return { ...base, status: "error", reason: expired };
      if (!expired) return { ...base, status: "error", reason: "the fresh session was not found in session.authDatabase" };
      const exchanges = [{ label: "Bearer token of an expired session", exchange: await this.send(probe.request, bearer(identity.sessionToken)) }];
      return judgeRefused(base, endpointOfProbe(probe), exchanges, "an expired session", [{ label: "control: the same session before it expired", exchange: control }, ...exchanges]);
    } finally {
      await signOut(this.ctx.driver, this.auth, identity).catch(() => undefined);
    }
  }

  /** A fresh session of A: accepted through each channel, then signed out (once, for both checks that need it). */
  private signedOut(): Promise<Revoked | string> {
    return (this.revoked ??= (async () => {
      const probe = this.probe();
      if (!probe) return "no read operation where a valid session gets 2xx";
      const identity = await this.signInA();
      const name = cookieName(identity.cookies, SESSION_COOKIE);
      if (!name) return "sign-in set no session_token cookie";
      const tokenCookie = `${name}=${encodeURIComponent(identity.sessionToken)}`;
      const controls: LabelledExchange[] = [
        { label: "control: Bearer token before sign-out", exchange: await this.send(probe.request, bearer(identity.sessionToken)) },
        { label: "control: session cookie before sign-out", exchange: await this.send(probe.request, { cookie: tokenCookie }) },
        { label: "control: all cookies before sign-out", exchange: await this.send(probe.request, { cookie: cookieHeader(identity.cookies) }) },
      ];
      if (!isSuccess(controls[0]!.exchange)) return `the fresh session's Bearer token got ${controls[0]!.exchange.response?.status ?? "no answer"} before sign-out`;
      const out = await signOut(this.ctx.driver, this.auth, identity);
      if (out.status < 200 || out.status >= 300) return `sign-out answered ${out.status}`;
      return { probe, identity, tokenCookie, controls, signedOutAt: Date.now() };
    })());
  }
}

interface Revoked {
  probe: Probe;
  identity: Identity;
  tokenCookie: string;
  controls: LabelledExchange[];
  signedOutAt: number;
}

interface Channel {
  label: string;
  send(): Promise<Exchange>;
  last?: Exchange;
  acceptedAfter?: number;
  refusedAfter?: number;
}

function describeWindow(c: Channel): string {
  if (c.refusedAfter === undefined) return `still accepted ${Math.round(c.acceptedAfter ?? 0)} s after sign-out (polling stopped)`;
  if (c.acceptedAfter === undefined) return "refused at once";
  return `accepted for ${Math.round(c.acceptedAfter)} s, refused ${Math.round(c.refusedAfter)} s after sign-out`;
}

/** Every variant must be refused (401/403); any 2xx fails. */
function judgeRefused<Id extends CheckOutcome["checkId"]>(
  base: { checkId: Id },
  endpoint: Endpoint,
  variants: LabelledExchange[],
  what: string,
  evidence: LabelledExchange[],
): CheckOutcome {
  const accepted = variants.filter((v) => isSuccess(v.exchange));
  if (accepted.length > 0)
    return { ...base, endpoint, status: "fail", reason: `${what} was accepted: ${accepted.map((v) => `${v.label} got ${v.exchange.response!.status}`).join("; ")}`, exchanges: [...accepted, ...evidence.filter((e) => !accepted.includes(e))], failedVariants: accepted.map((v) => v.label), variants: { total: variants.length, failed: accepted.length } };
  return { ...base, endpoint, status: "pass", exchanges: evidence, notes: variants.map((v) => `${v.label}: ${v.exchange.response?.status ?? v.exchange.error?.message}`), variants: { total: variants.length, failed: 0 } };
}

function endpointOfProbe(probe: Probe): Endpoint {
  return endpointOf(probe.op, probe.request.url);
}

function cookieName(setCookies: string[], pattern: RegExp): string | undefined {
  return setCookies.map((line) => line.split("=")[0]!.trim()).find((name) => pattern.test(name));
}

function maxAgeOf(setCookies: string[], pattern: RegExp): number | undefined {
  const line = setCookies.find((l) => pattern.test(l.split("=")[0]!.trim()));
  const match = line?.match(/;\s*max-age\s*=\s*(\d+)/i);
  return match ? Number(match[1]) : undefined;
}

/** 2xx; for get-session (which answers 200 null without a session) only with a user in the answer. */
function isSuccess(exchange: Exchange): boolean {
  const status = exchange.response?.status ?? 0;
  if (status < 200 || status >= 300) return false;
  const json = exchange.response?.json;
  return json === undefined || (json !== null && (typeof json !== "object" || !("session" in json) || Boolean((json as { user?: unknown }).user)));
}
