import { decodeJwt } from "jose";
import type { Exchange } from "../../http/types.ts";
import { describeError } from "../../judge/controls.ts";
import { formatDuration } from "../claims/lifetime.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import { fetchBackendToken, getSession, signIn, signOut, type Identity } from "../../target/identities.ts";
import type { AuditContext } from "../../model/context.ts";
import type { Probe } from "../../model/target.ts";
import { bearer } from "../../model/endpoint.ts";

/** The lifecycle of a second session of user A: token refresh, sign-out, replay of the old JWT. */
export class SessionScenario {
  private session?: Identity;
  private tokenBeforeSignOut?: string;
  private signedOut?: Promise<{ status: number }>;

  constructor(
    private readonly ctx: AuditContext,
    private readonly auth: { baseUrl: string; basePath: string; tokenPath: string; tokenField: string },
  ) {}

  /** A read probe where a valid token gets 2xx: where accepted / rejected tokens are easy to tell apart. */
  private probe(): Probe | undefined {
    return this.ctx.model.probes.find((p) => p.kind === "read" && p.op.pathParams.length === 0 && isSuccess(p.controls.positive));
  }

  private async start(): Promise<Identity> {
    if (this.session) return this.session;
    const { userA } = this.ctx;
    this.session = await signIn(this.ctx.driver, this.auth, { email: userA.email, password: userA.password });
    this.tokenBeforeSignOut = await fetchBackendToken(this.ctx.driver, this.auth, this.session);
    return this.session;
  }

  /** session.jwt-refresh: a JWT from get-session's set-auth-jwt header is accepted by the backend. */
  async refresh(): Promise<CheckOutcome> {
    const base = { checkId: "session.jwt-refresh" as const };
    if (this.ctx.model.config.mode !== "jwks")
      return { ...base, status: "skip", reason: "backend tokens come from the configured token path in shared-secret mode, not from set-auth-jwt" };
    const probe = this.probe();
    if (!probe) return { ...base, status: "skip", reason: "no read operation where a valid token gets 2xx" };
    const session = await this.start();
    const state = await getSession(this.ctx.driver, this.auth, session);
    if (!state.jwt) return { ...base, status: "skip", reason: "get-session answered without a set-auth-jwt header (jwt plugin not exposing it)" };
    const exchange = await this.send(probe, state.jwt);
    const endpoint = { method: probe.op.method, path: probe.op.path, url: probe.request.url };
    if (isSuccess(exchange)) return { ...base, endpoint, status: "pass", exchanges: [{ label: "refreshed JWT", exchange }] };
    return { ...base, endpoint, status: "fail", reason: `the JWT from set-auth-jwt got ${exchange.response?.status ?? describeError(exchange)}`, exchanges: [{ label: "refreshed JWT", exchange }] };
  }

  /** session.signout-revokes-session: after sign-out, get-session with the old session finds none. */
  async signOutRevokes(): Promise<CheckOutcome> {
    const base = { checkId: "session.signout-revokes-session" as const };
    const session = await this.start();
    const out = await this.signOutOnce();
    if (out.status < 200 || out.status >= 300) return { ...base, status: "error", reason: `sign-out answered ${out.status}` };
    const state = await getSession(this.ctx.driver, this.auth, session);
    if (state.user) return { ...base, status: "fail", reason: `after sign-out, get-session still returns user ${state.user.id}` };
    return { ...base, status: "pass", notes: [`get-session after sign-out answered ${state.status} without a user`] };
  }

  /**
   * session.jwt-after-signout: the backend JWT issued before sign-out, replayed after it. Accepted is
   * expected for stateless JWTs (reported with the remaining lifetime); a lifetime above the policy fails.
   */
  async jwtAfterSignOut(): Promise<CheckOutcome> {
    const base = { checkId: "session.jwt-after-signout" as const };
    const probe = this.probe();
    if (!probe) return { ...base, status: "skip", reason: "no read operation where a valid token gets 2xx" };
    await this.start();
    const out = await this.signOutOnce();
    if (out.status < 200 || out.status >= 300 || !this.tokenBeforeSignOut) return { ...base, status: "error", reason: `sign-out answered ${out.status}` };
    const exchange = await this.send(probe, this.tokenBeforeSignOut);
    const endpoint = { method: probe.op.method, path: probe.op.path, url: probe.request.url };
    const exchanges = [{ label: "JWT issued before sign-out", exchange }];
    if (!isSuccess(exchange)) return { ...base, endpoint, status: "pass", exchanges, notes: ["the backend rejects JWTs of signed-out sessions"] };
    const claims = decodeJwt(this.tokenBeforeSignOut);
    const now = Math.floor(Date.now() / 1000);
    const remaining = typeof claims.exp === "number" ? claims.exp - now : undefined;
    const lifetime = typeof claims.exp === "number" && typeof claims.iat === "number" ? claims.exp - claims.iat : undefined;
    const maxLifetime = this.ctx.model.config.policy.maxTokenLifetimeSec;
    if (remaining === undefined || lifetime === undefined)
      return { ...base, endpoint, status: "fail", exchanges, reason: "accepted after sign-out, and the token has no exp/iat: it may never expire" };
    const note = `accepted after sign-out; still valid for ${formatDuration(remaining)} (lifetime ${formatDuration(lifetime)})`;
    if (lifetime > maxLifetime)
      return { ...base, endpoint, status: "fail", exchanges, reason: `${note}, above the policy's ${formatDuration(maxLifetime)}` };
    return { ...base, endpoint, status: "pass", exchanges, notes: [note] };
  }

  private signOutOnce(): Promise<{ status: number }> {
    return (this.signedOut ??= this.start().then((session) => signOut(this.ctx.driver, this.auth, session)));
  }

  private send(probe: Probe, token: string): Promise<Exchange> {
    return this.ctx.driver.send({ ...probe.request, headers: { ...probe.request.headers, ...bearer(token) } });
  }
}

function isSuccess(exchange: Exchange): boolean {
  const status = exchange.response?.status ?? 0;
  return status >= 200 && status < 300;
}
