import { randomBytes } from "node:crypto";
import { englishFaker } from "./faker.ts";
import { TargetError, type TargetErrorCode } from "./errors.ts";

/**
 * Test identities through Better Auth's HTTP API (email + password, the bearer() and jwt() plugins):
 * sign up / sign in like a server-to-server client (JSON, no cookie, no Origin), read the session
 * credential, get the backend JWT, sign out. Every failure is a `TargetError` naming the request.
 */

/** What this module needs from an HTTP driver (src/http's HttpDriver fits). `send` never throws. */
export interface AuthDriver {
  send(req: { method: string; url: string; headers?: Record<string, string | string[]>; body?: string; json?: unknown; maxBodyBytes?: number; aim?: string }): Promise<{
    response?: { status: number; headers: Record<string, string | string[]>; body: string; json?: unknown };
    error?: { kind: string; message: string };
  }>;
}

/** Where Better Auth answers: `baseUrl` (its origin) + `basePath` (default `/api/auth`). */
export interface AuthEndpoint {
  baseUrl: string;
  basePath: string;
}

/** Where the backend JWT comes from: GET `tokenPath` (relative to `baseUrl`) → JSON field `tokenField`. */
export interface TokenEndpoint extends AuthEndpoint {
  tokenPath: string;
  /** Field holding the JWT; dotted paths (`data.token`) work. */
  tokenField: string;
}

export interface Identity {
  userId: string;
  email: string;
  password: string;
  name: string;
  /** The bearer() plugin's session credential (`set-auth-token`: `token.signature`), sent as `Bearer`. */
  sessionToken: string;
  /** Raw Set-Cookie headers of the sign-up / sign-in answer. */
  cookies: string[];
}

export interface TestUser {
  name: string;
  email: string;
  password: string;
}

export interface SessionState {
  status: number;
  /** The signed-in user, or null when the credential names no live session. */
  user: { id: string; email?: string; name?: string } | null;
  /** The fresh JWT from the `set-auth-jwt` header (jwt() plugin), when present. */
  jwt?: string;
  cookies: string[];
}

type Reply = NonNullable<Awaited<ReturnType<AuthDriver["send"]>>["response"]>;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const minted: TestUser[] = [];

/**
 * A fresh user for a run: a faker name, a unique `authproof+<seed>-<index>-<random>@example.test` address and a
 * strong password. Every user made here is remembered (see mintedTestUsers), so the run can delete the ones
 * that were signed up, wherever that happened.
 */
export function makeTestUser(seed: number, index: number, opts: { password?: string } = {}): TestUser {
  const faker = englishFaker([seed, index]);
  const unique = randomBytes(4).toString("hex");
  const user = {
    name: faker.person.fullName(),
    email: `authproof+${seed}-${index}-${unique}@example.test`,
    password: opts.password ?? `Ap-${randomBytes(15).toString("base64url")}-9z`,
  };
  minted.push(user);
  return user;
}

/** Every user makeTestUser made in this process (whether or not it was signed up), oldest first. */
export function mintedTestUsers(): readonly TestUser[] {
  return minted;
}

/** POST `<basePath>/sign-up/email` → the new user's identity. Throws SIGNUP_FAILED, AUTH_RATE_LIMITED, AUTH_UNREACHABLE, … */
export async function signUp(driver: AuthDriver, auth: AuthEndpoint, user: TestUser): Promise<Identity> {
  const url = authUrl(auth, "/sign-up/email");
  const reply = await call(driver, { method: "POST", url, json: { name: user.name, email: user.email, password: user.password } }, "SIGNUP_FAILED", "sign-up");
  return identityFrom(reply, "POST", url, user, "SIGNUP_FAILED");
}

/** POST `<basePath>/sign-in/email` with existing credentials → identity. Throws SIGNIN_FAILED, AUTH_RATE_LIMITED, … */
export async function signIn(driver: AuthDriver, auth: AuthEndpoint, credentials: { email: string; password: string }): Promise<Identity> {
  const url = authUrl(auth, "/sign-in/email");
  const reply = await call(driver, { method: "POST", url, json: { email: credentials.email, password: credentials.password } }, "SIGNIN_FAILED", "sign-in");
  const name = readString(reply.json, "user.name") ?? "";
  return identityFrom(reply, "POST", url, { ...credentials, name }, "SIGNIN_FAILED");
}

/** POST `<basePath>/sign-out` with the session as Bearer → the status and the Set-Cookie lines (expected to clear cookies). */
export async function signOut(driver: AuthDriver, auth: AuthEndpoint, identity: Pick<Identity, "sessionToken">): Promise<{ status: number; cookies: string[] }> {
  const url = authUrl(auth, "/sign-out");
  const reply = await call(driver, { method: "POST", url, headers: bearer(identity), json: {} }, "SIGNOUT_FAILED", "sign-out");
  return { status: reply.status, cookies: setCookies(reply) };
}

/**
 * GET `<basePath>/get-session` with the session (as Bearer, or as the Cookie header rebuilt from the
 * identity's Set-Cookie lines) → the user or null, plus the `set-auth-jwt` header when present.
 */
export async function getSession(
  driver: AuthDriver,
  auth: AuthEndpoint,
  identity: Pick<Identity, "sessionToken"> & Partial<Pick<Identity, "cookies">>,
  opts: { via?: "bearer" | "cookie" } = {},
): Promise<SessionState> {
  const url = authUrl(auth, "/get-session");
  const headers = opts.via === "cookie" ? { cookie: cookieHeader(identity.cookies ?? []) } : bearer(identity);
  const reply = await call(driver, { method: "GET", url, headers }, "SESSION_FAILED", "get-session", [401]);
  const jwtHeader = header(reply, "set-auth-jwt");
  const state: SessionState = { status: reply.status, user: null, cookies: setCookies(reply) };
  if (jwtHeader) state.jwt = jwtHeader;
  const id = readString(reply.json, "user.id") ?? readNumber(reply.json, "user.id");
  if (reply.status === 200 && id !== undefined) {
    state.user = { id: String(id) };
    const email = readString(reply.json, "user.email");
    const name = readString(reply.json, "user.name");
    if (email !== undefined) state.user.email = email;
    if (name !== undefined) state.user.name = name;
  }
  return state;
}

/** GET `tokenPath` with the session as Bearer → the backend JWT from `tokenField`. Throws TOKEN_FAILED when it is missing or not a JWT. */
export async function fetchBackendToken(driver: AuthDriver, auth: TokenEndpoint, identity: Pick<Identity, "sessionToken">): Promise<string> {
  const url = resolveUrl(auth.baseUrl, auth.tokenPath);
  const reply = await call(driver, { method: "GET", url, headers: bearer(identity) }, "TOKEN_FAILED", "backend token");
  const json = reply.json ?? parseJson(reply.body);
  const token = readString(json, auth.tokenField);
  if (token === undefined) {
    const keys = isObject(json) ? Object.keys(json).join(", ") || "none" : "not a JSON object";
    throw new TargetError("TOKEN_FAILED", `GET ${url} answered ${reply.status} without a string field "${auth.tokenField}" (fields: ${keys}); set auth.tokenField`);
  }
  if (!JWT_SHAPE.test(token)) {
    throw new TargetError("TOKEN_FAILED", `GET ${url}: field "${auth.tokenField}" is not a JWT (expected header.payload.signature, got ${token.length} characters)`);
  }
  return token;
}

/** GET a JWKS → its keys. Throws JWKS_UNREACHABLE, JWKS_FAILED (non-2xx) or JWKS_INVALID (not `{keys:[…]}`). */
export async function fetchJwks(driver: AuthDriver, url: string): Promise<JsonWebKey[]> {
  const exchange = await driver.send({ method: "GET", url, headers: { accept: "application/json" }, maxBodyBytes: DOCUMENT_MAX_BYTES });
  if (!exchange.response) throw new TargetError("JWKS_UNREACHABLE", `GET ${url} failed (${exchange.error?.kind ?? "network"}): ${exchange.error?.message ?? "no response"}`);
  const reply = exchange.response;
  if (reply.status < 200 || reply.status >= 300) throw new TargetError("JWKS_FAILED", `GET ${url} answered ${describeReply(reply)}`);
  const json = reply.json ?? parseJson(reply.body);
  if (!isObject(json) || !Array.isArray(json["keys"])) throw new TargetError("JWKS_INVALID", `GET ${url} answered ${reply.status} but the body is not a JWKS ({"keys": [...]})`);
  const keys = json["keys"] as unknown[];
  if (keys.length === 0) throw new TargetError("JWKS_INVALID", `GET ${url}: the JWKS has no keys`);
  const bad = keys.findIndex((k) => !isObject(k) || typeof k["kty"] !== "string");
  if (bad >= 0) throw new TargetError("JWKS_INVALID", `GET ${url}: key ${bad} has no "kty"`);
  return keys as JsonWebKey[];
}

/** Read cap for documents the harness needs whole (the JWKS, the OpenAPI document), far above the attack-response cap. */
export const DOCUMENT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Best-effort clean-up: POST `<basePath>/delete-user` with the password (works when the target enabled
 * `user.deleteUser`; Better Auth then also deletes the user's sessions and accounts). Never throws; says why
 * when nothing was deleted.
 */
export async function deleteUser(driver: AuthDriver, auth: AuthEndpoint, identity: Pick<Identity, "sessionToken" | "password">): Promise<{ deleted: boolean; reason?: string }> {
  const url = authUrl(auth, "/delete-user");
  const exchange = await driver.send({ method: "POST", url, headers: { accept: "application/json", ...bearer(identity) }, json: { password: identity.password }, aim: "Better Auth: the audit's own users and sessions" });
  if (!exchange.response) return { deleted: false, reason: `POST ${url} failed (${exchange.error?.kind ?? "network"})` };
  const reply = exchange.response;
  if (reply.status >= 200 && reply.status < 300) return { deleted: true };
  if (reply.status === 404) return { deleted: false, reason: "the deployment does not allow deleting users (Better Auth user.deleteUser)" };
  return { deleted: false, reason: `POST ${url} answered ${describeReply(reply)}` };
}

/**
 * Best-effort: POST `<basePath>/revoke-sessions` (every session of the user), then `<basePath>/sign-out` (this
 * one, in case revoking all is not offered). Never throws; true when either call succeeded.
 */
export async function revokeSessions(driver: AuthDriver, auth: AuthEndpoint, identity: Pick<Identity, "sessionToken">): Promise<boolean> {
  let revoked = false;
  for (const suffix of ["/revoke-sessions", "/sign-out"]) {
    const exchange = await driver.send({ method: "POST", url: authUrl(auth, suffix), headers: { accept: "application/json", ...bearer(identity) }, json: {}, aim: "Better Auth: the audit's own users and sessions" });
    const status = exchange.response?.status ?? 0;
    if (status >= 200 && status < 300) revoked = true;
  }
  return revoked;
}

/** A `Cookie` request header from raw `Set-Cookie` lines, skipping cookies that are being cleared. */
export function cookieHeader(setCookieLines: string[]): string {
  const pairs: string[] = [];
  for (const line of setCookieLines) {
    const [pair, ...attributes] = line.split(";");
    if (!pair || !pair.includes("=")) continue;
    const cleared = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a)) || pair.trim().endsWith("=");
    if (!cleared) pairs.push(pair.trim());
  }
  return pairs.join("; ");
}

async function call(
  driver: AuthDriver,
  req: { method: string; url: string; headers?: Record<string, string>; json?: unknown },
  failCode: TargetErrorCode,
  what: string,
  alsoAccept: number[] = [],
): Promise<Reply & { json?: unknown }> {
  const exchange = await driver.send({ ...req, headers: { accept: "application/json", ...req.headers }, aim: "Better Auth: the audit's own users and sessions" });
  if (!exchange.response) {
    const kind = exchange.error?.kind ?? "network";
    throw new TargetError(
      "AUTH_UNREACHABLE",
      `${req.method} ${req.url} (${what}) failed (${kind}): ${exchange.error?.message ?? "no response"}; is Better Auth running at ${new URL(req.url).origin}?`,
    );
  }
  const reply = exchange.response;
  const json = reply.json ?? parseJson(reply.body);
  const withJson = { ...reply, json };
  if ((reply.status >= 200 && reply.status < 300) || alsoAccept.includes(reply.status)) return withJson;
  if (reply.status === 429) {
    const retry = header(reply, "retry-after") ?? header(reply, "x-retry-after");
    throw new TargetError(
      "AUTH_RATE_LIMITED",
      `${req.method} ${req.url} answered 429 (Better Auth rate limit${retry ? `, retry after ${retry} s` : ""}): pace sign-ups or give accounts in the config (users.accounts)`,
    );
  }
  if (reply.status === 404) {
    throw new TargetError("AUTH_NOT_FOUND", `${req.method} ${req.url} answered 404: no ${what} endpoint there; check the auth base URL and base path (default /api/auth)`);
  }
  throw new TargetError(failCode, `${req.method} ${req.url} answered ${describeReply(withJson)}`);
}

function identityFrom(reply: Reply & { json?: unknown }, method: string, url: string, user: TestUser, failCode: TargetErrorCode): Identity {
  const id = readString(reply.json, "user.id") ?? readNumber(reply.json, "user.id");
  if (id === undefined) {
    throw new TargetError(failCode, `${method} ${url} answered ${reply.status} without user.id in the body (is this Better Auth?)`);
  }
  const sessionToken = header(reply, "set-auth-token") ?? readString(reply.json, "token");
  if (!sessionToken) {
    throw new TargetError(
      failCode,
      `${method} ${url} answered ${reply.status} without a session (no set-auth-token header, token is null): email verification may be required; give verified accounts in the config (users.accounts)`,
    );
  }
  return { userId: String(id), email: user.email, password: user.password, name: user.name, sessionToken, cookies: setCookies(reply) };
}

function describeReply(reply: Reply & { json?: unknown }): string {
  const json = reply.json ?? parseJson(reply.body);
  const code = readString(json, "code");
  const message = readString(json, "message") ?? readString(json, "detail");
  if (code || message) return `${reply.status} ${[code, message].filter(Boolean).join(": ")}`;
  const text = reply.body.replace(/\s+/g, " ").trim();
  return text ? `${reply.status}: ${text.length > 160 ? text.slice(0, 160) + "…" : text}` : String(reply.status);
}

function authUrl(auth: AuthEndpoint, suffix: string): string {
  const base = auth.baseUrl.replace(/\/+$/, "");
  const path = ("/" + auth.basePath.replace(/^\/+|\/+$/g, "")).replace(/^\/$/, "");
  return `${base}${path}${suffix}`;
}

function resolveUrl(baseUrl: string, path: string): string {
  try {
    return new URL(path, baseUrl).href;
  } catch {
    throw new TargetError("TOKEN_FAILED", `cannot build a URL from ${JSON.stringify(baseUrl)} and ${JSON.stringify(path)}`);
  }
}

function bearer(identity: Pick<Identity, "sessionToken">): Record<string, string> {
  return { authorization: `Bearer ${identity.sessionToken}` };
}

function header(reply: Reply, name: string): string | undefined {
  const value = reply.headers[name] ?? Object.entries(reply.headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

function setCookies(reply: Reply): string[] {
  const value = reply.headers["set-cookie"];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) current = isObject(current) ? current[key] : undefined;
  return current;
}

function readString(value: unknown, path: string): string | undefined {
  const v = readPath(value, path);
  return typeof v === "string" ? v : undefined;
}

function readNumber(value: unknown, path: string): number | undefined {
  const v = readPath(value, path);
  return typeof v === "number" ? v : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
