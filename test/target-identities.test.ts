import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpDriver } from "../src/http/driver.ts";
import { synthesizeBody, synthesizeUpdate } from "../src/target/bodies.ts";
import { TargetError } from "../src/target/errors.ts";
import { discoverOperations } from "../src/target/openapi.ts";
import { fillPath, inferResources, userIdParamOf } from "../src/target/resources.ts";
import {
  cookieHeader,
  deleteUser,
  fetchBackendToken,
  fetchJwks,
  getSession,
  makeTestUser,
  signIn,
  signOut,
  signUp,
  type AuthDriver,
} from "../src/target/identities.ts";

/** A small server that answers like Better Auth 1.7 with the bearer() and jwt() plugins. */
async function startFakeBetterAuth() {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwk = { ...(await exportJWK(publicKey)), alg: "EdDSA", kid: "k1" };
  const users = new Map<string, { id: string; name: string; email: string; password: string }>();
  const sessions = new Map<string, string>(); // token → user id
  const seen: IncomingMessage[] = [];
  const behaviour = { rateLimit: false, requireVerification: false, deleteUser: false };
  let origin = "";

  const signed = (token: string) => `${token}.${randomBytes(32).toString("base64")}`;
  const sessionOf = (req: IncomingMessage): string | undefined => {
    const auth = req.headers.authorization;
    const cookie = /better-auth\.session_token=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    const raw = auth?.replace(/^bearer /i, "") ?? (cookie ? decodeURIComponent(cookie) : undefined);
    const token = raw?.split(".")[0];
    return token && sessions.has(token) ? sessions.get(token) : undefined;
  };
  const mint = (userId: string) =>
    new SignJWT({ email: users.get(userId)!.email }).setProtectedHeader({ alg: "EdDSA", kid: "k1" }).setSubject(userId).setIssuedAt().setIssuer(origin).setAudience(origin).setExpirationTime("15m").sign(privateKey);
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const startSession = (res: ServerResponse, user: { id: string; name: string; email: string }, extra: Record<string, unknown> = {}) => {
    const token = randomBytes(16).toString("hex");
    sessions.set(token, user.id);
    const value = signed(token);
    json(res, 200, { ...extra, token, user: { ...user, emailVerified: false } }, {
      "set-auth-token": value,
      "set-cookie": [`better-auth.session_token=${encodeURIComponent(value)}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax`],
    });
  };

  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", async () => {
      seen.push(req);
      const body = raw ? JSON.parse(raw) : undefined;
      const path = req.url ?? "";
      if (req.method === "POST" && req.headers["content-type"] !== "application/json") return json(res, 415, { code: "UNSUPPORTED_MEDIA_TYPE" });
      if (req.method === "POST" && path === "/api/auth/sign-up/email") {
        if (behaviour.rateLimit) return json(res, 429, { message: "Too many requests. Please try again later." }, { "x-retry-after": "7" });
        if (users.has(body.email)) return json(res, 422, { code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", message: "User already exists. Use another email." });
        if (String(body.password).length < 8) return json(res, 400, { code: "PASSWORD_TOO_SHORT", message: "Password too short" });
        const user = { id: randomBytes(16).toString("base64url"), name: body.name, email: body.email, password: body.password };
        users.set(body.email, user);
        users.set(user.id, user);
        if (behaviour.requireVerification) return json(res, 200, { token: null, user: { id: user.id, email: user.email, name: user.name } });
        return startSession(res, { id: user.id, name: user.name, email: user.email });
      }
      if (req.method === "POST" && path === "/api/auth/sign-in/email") {
        const user = users.get(body.email);
        if (!user || user.password !== body.password) return json(res, 401, { code: "INVALID_EMAIL_OR_PASSWORD", message: "Invalid email or password" });
        return startSession(res, { id: user.id, name: user.name, email: user.email }, { redirect: false });
      }
      if (req.method === "POST" && path === "/api/auth/sign-out") {
        const token = req.headers.authorization?.replace(/^bearer /i, "").split(".")[0];
        if (token) sessions.delete(token);
        return json(res, 200, { success: true }, { "set-cookie": ["better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"] });
      }
      if (req.method === "POST" && path === "/api/auth/delete-user") {
        if (!behaviour.deleteUser) return json(res, 404, { message: "Not Found" });
        const userId = sessionOf(req);
        if (!userId) return json(res, 401, { code: "UNAUTHORIZED" });
        return json(res, 200, { success: true, message: "User deleted" });
      }
      if (req.method === "GET" && path === "/api/auth/get-session") {
        const userId = sessionOf(req);
        if (!userId) return json(res, 200, null);
        const user = users.get(userId)!;
        return json(res, 200, { session: { userId }, user: { id: user.id, email: user.email, name: user.name } }, { "set-auth-jwt": await mint(userId), "cache-control": "no-store" });
      }
      if (req.method === "GET" && path === "/api/auth/token") {
        const userId = sessionOf(req);
        if (!userId) return json(res, 401, { message: "Unauthorized", code: "UNAUTHORIZED" });
        return json(res, 200, { token: await mint(userId) });
      }
      if (req.method === "GET" && path === "/api/opaque-token") return json(res, 200, { data: { token: "not-a-jwt" } });
      if (req.method === "GET" && path === "/api/auth/jwks") return json(res, 200, { keys: [jwk] });
      if (req.method === "GET" && path === "/api/empty-jwks") return json(res, 200, { keys: [] });
      if (req.method === "GET" && path === "/api/html") {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>hi</html>");
      }
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Not Found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen, behaviour, jwk, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function errorOf(promise: Promise<unknown>): Promise<TargetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TargetError) return error;
    throw new Error(`expected a TargetError, got ${String(error)}`);
  }
  throw new Error("expected a TargetError, nothing was thrown");
}

describe("makeTestUser", () => {
  it("gives a faker name (same for a seed), a unique marked address and a strong password", () => {
    const a = makeTestUser(42, 0);
    const again = makeTestUser(42, 0);
    expect(a.name).toBe(again.name);
    expect(a.name).not.toBe(makeTestUser(42, 1).name);
    expect(a.email).toMatch(/^authproof\+42-0-[0-9a-f]{8}@example\.test$/);
    expect(a.email).not.toBe(again.email);
    expect(a.password.length).toBeGreaterThanOrEqual(20);
    expect(a.password.length).toBeLessThanOrEqual(128);
    expect(a.password).not.toBe(again.password);
    expect(makeTestUser(1, 1, { password: "given-password" }).password).toBe("given-password");
  });
});

describe("cookieHeader", () => {
  it("rebuilds a Cookie header and drops cleared cookies", () => {
    expect(
      cookieHeader([
        "better-auth.session_token=abc.def%3D; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax",
        "better-auth.dont_remember=; Max-Age=0; Path=/",
        "other=1; Max-Age=0",
        "x=2",
      ]),
    ).toBe("better-auth.session_token=abc.def%3D; x=2");
  });
});

describe("identities against a Better-Auth-shaped server", () => {
  let fake: Awaited<ReturnType<typeof startFakeBetterAuth>>;
  let driver: HttpDriver;
  let auth: { baseUrl: string; basePath: string };

  beforeAll(async () => {
    fake = await startFakeBetterAuth();
    driver = new HttpDriver({ allowedOrigins: [fake.origin], maxRetries429: 0, timeoutMs: 5000 });
    auth = { baseUrl: fake.origin, basePath: "/api/auth" };
  });
  afterAll(async () => {
    await driver.close();
    await fake.close();
  });

  it("signs up with JSON, no cookie and no Origin, and reads the bearer credential and user id", async () => {
    const user = makeTestUser(1, 0);
    const identity = await signUp(driver, auth, user);
    expect(identity).toMatchObject({ email: user.email, password: user.password, name: user.name });
    expect(identity.userId).toMatch(/^[\w-]{20,}$/);
    expect(identity.sessionToken).toMatch(/^[0-9a-f]{32}\.[A-Za-z0-9+/]{43}=$/);
    expect(identity.cookies[0]).toMatch(/^better-auth\.session_token=/);
    const request = fake.seen.at(-1)!;
    expect(request.headers.origin).toBeUndefined();
    expect(request.headers.cookie).toBeUndefined();
    expect(request.headers["content-type"]).toBe("application/json");
  });

  it("signs in, reads the session and its JWT, gets the backend token and verifies it with the JWKS", async () => {
    const user = makeTestUser(1, 1);
    const created = await signUp(driver, auth, user);
    const identity = await signIn(driver, auth, { email: user.email, password: user.password });
    expect(identity.userId).toBe(created.userId);
    expect(identity.name).toBe(user.name);
    expect(identity.sessionToken).not.toBe(created.sessionToken);

    const session = await getSession(driver, auth, identity);
    expect(session.user).toEqual({ id: created.userId, email: user.email, name: user.name });
    expect(session.jwt).toMatch(/^eyJ/);
    const viaCookie = await getSession(driver, auth, identity, { via: "cookie" });
    expect(viaCookie.user?.id).toBe(created.userId);

    const token = await fetchBackendToken(driver, { ...auth, tokenPath: "/api/auth/token", tokenField: "token" }, identity);
    const keys = await fetchJwks(driver, `${fake.origin}/api/auth/jwks`);
    expect(keys).toEqual([fake.jwk]);
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: keys as never }), { issuer: fake.origin, audience: fake.origin });
    expect(payload.sub).toBe(created.userId);
  });

  it("signs out: the session is gone and the cookie is cleared", async () => {
    const identity = await signUp(driver, auth, makeTestUser(1, 2));
    expect((await getSession(driver, auth, identity)).user).not.toBeNull();
    const out = await signOut(driver, auth, identity);
    expect(out.status).toBe(200);
    expect(out.cookies[0]).toMatch(/Max-Age=0/);
    const after = await getSession(driver, auth, identity);
    expect(after).toMatchObject({ status: 200, user: null });
    expect(after.jwt).toBeUndefined();
    const token = await errorOf(fetchBackendToken(driver, { ...auth, tokenPath: "/api/auth/token", tokenField: "token" }, identity));
    expect(token.code).toBe("TOKEN_FAILED");
    expect(token.message).toContain("answered 401 UNAUTHORIZED: Unauthorized");
  });

  it("reports a duplicate sign-up with Better Auth's code", async () => {
    const user = makeTestUser(1, 3);
    await signUp(driver, auth, user);
    const error = await errorOf(signUp(driver, auth, user));
    expect(error.code).toBe("SIGNUP_FAILED");
    expect(error.message).toBe(
      `SIGNUP_FAILED: POST ${fake.origin}/api/auth/sign-up/email answered 422 USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: User already exists. Use another email.`,
    );
    expect(error.message).not.toContain(user.password);
  });

  it("reports a wrong password on sign-in", async () => {
    const error = await errorOf(signIn(driver, auth, { email: "nobody@example.test", password: "wrong-password" }));
    expect(error.code).toBe("SIGNIN_FAILED");
    expect(error.message).toContain("answered 401 INVALID_EMAIL_OR_PASSWORD");
    expect(error.message).not.toContain("wrong-password");
  });

  it("reports 429 with the pacing advice", async () => {
    fake.behaviour.rateLimit = true;
    try {
      const error = await errorOf(signUp(driver, auth, makeTestUser(1, 4)));
      expect(error.code).toBe("AUTH_RATE_LIMITED");
      expect(error.message).toMatch(/answered 429 \(Better Auth rate limit, retry after 7 s\): pace sign-ups or give accounts in the config/);
    } finally {
      fake.behaviour.rateLimit = false;
    }
  });

  it("reports a sign-up that yields no session (email verification required)", async () => {
    fake.behaviour.requireVerification = true;
    try {
      const error = await errorOf(signUp(driver, auth, makeTestUser(1, 5)));
      expect(error.code).toBe("SIGNUP_FAILED");
      expect(error.message).toMatch(/without a session .*email verification/);
    } finally {
      fake.behaviour.requireVerification = false;
    }
  });

  it("reports a wrong base path as AUTH_NOT_FOUND and a dead server as AUTH_UNREACHABLE", async () => {
    const notFound = await errorOf(signUp(driver, { ...auth, basePath: "/auth" }, makeTestUser(1, 6)));
    expect(notFound.code).toBe("AUTH_NOT_FOUND");
    expect(notFound.message).toContain(`POST ${fake.origin}/auth/sign-up/email answered 404`);

    const dead = new HttpDriver({ allowedOrigins: ["http://127.0.0.1:9"], timeoutMs: 2000 });
    try {
      const unreachable = await errorOf(signUp(dead, { baseUrl: "http://127.0.0.1:9", basePath: "/api/auth/" }, makeTestUser(1, 7)));
      expect(unreachable.code).toBe("AUTH_UNREACHABLE");
      expect(unreachable.message).toContain("POST http://127.0.0.1:9/api/auth/sign-up/email (sign-up) failed");
      const jwks = await errorOf(fetchJwks(dead, "http://127.0.0.1:9/api/auth/jwks"));
      expect(jwks.code).toBe("JWKS_UNREACHABLE");
    } finally {
      await dead.close();
    }
  });

  it("rejects token endpoints that give no JWT, and bad JWKS documents", async () => {
    const identity = await signUp(driver, auth, makeTestUser(1, 8));
    const missing = await errorOf(fetchBackendToken(driver, { ...auth, tokenPath: "/api/auth/token", tokenField: "jwt" }, identity));
    expect(missing.message).toContain(`without a string field "jwt" (fields: token)`);
    const opaque = await errorOf(fetchBackendToken(driver, { ...auth, tokenPath: "/api/opaque-token", tokenField: "data.token" }, identity));
    expect(opaque.message).toContain(`field "data.token" is not a JWT`);
    expect((await errorOf(fetchJwks(driver, `${fake.origin}/api/empty-jwks`))).message).toContain("has no keys");
    expect((await errorOf(fetchJwks(driver, `${fake.origin}/api/html`))).code).toBe("JWKS_INVALID");
    expect((await errorOf(fetchJwks(driver, `${fake.origin}/nope`))).message).toBe(`JWKS_FAILED: GET ${fake.origin}/nope answered 404: Not Found`);
  });

  it("deletes users only when the target allows it, without throwing", async () => {
    const identity = await signUp(driver, auth, makeTestUser(1, 9));
    expect(await deleteUser(driver, auth, identity)).toEqual({ deleted: false, reason: expect.stringContaining("does not allow deleting users") });
    fake.behaviour.deleteUser = true;
    expect(await deleteUser(driver, auth, identity)).toEqual({ deleted: true });
  });

  it("works with any driver of the structural shape (a fetch-free adapter over undici.request)", async () => {
    const { request } = await import("undici");
    const adapter: AuthDriver = {
      async send(req) {
        try {
          const body = req.body ?? (req.json !== undefined ? JSON.stringify(req.json) : undefined);
          const headers = { ...(req.json !== undefined ? { "content-type": "application/json" } : {}), ...req.headers };
          const res = await request(req.url, { method: req.method as "GET", headers, body });
          const text = await res.body.text();
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = k === "set-cookie" ? ([] as string[]).concat(v) : (v as string);
          return { response: { status: res.statusCode, headers: out, body: text } };
        } catch (error) {
          return { error: { kind: "network", message: (error as Error).message } };
        }
      },
    };
    const identity = await signUp(adapter, auth, makeTestUser(2, 0));
    expect((await getSession(adapter, auth, identity)).user?.id).toBe(identity.userId);
  });
});

const referenceReady =
  existsSync(new URL("../src/reference/launch.ts", import.meta.url)) &&
  existsSync(new URL("../reference-app/frontend/.next/BUILD_ID", import.meta.url)) &&
  existsSync(new URL("../reference-app/backend/.venv/bin/python", import.meta.url));

// The launcher switches Better Auth's rate limit off (REFERENCE_RATE_LIMIT=off), so 429s are covered by the fake server only.
describe.runIf(referenceReady)("identities against the live reference app (jwks mode)", () => {
  let app: { webUrl: string; apiUrl: string; stop(): Promise<void> };
  let driver: HttpDriver;
  let auth: { baseUrl: string; basePath: string };

  beforeAll(async () => {
    const { sharedReference } = await import("./helpers/shared-reference.ts");
    app = await sharedReference("jwks");
    driver = new HttpDriver({ allowedOrigins: [app.webUrl, app.apiUrl], maxRetries429: 0, timeoutMs: 15_000 });
    auth = { baseUrl: app.webUrl, basePath: "/api/auth" };
  });
  afterAll(async () => {
    await driver?.close();
    await app?.stop();
  });

  it("signs up, signs in, gets a JWT the backend accepts, signs out; duplicates are reported", async () => {
    const user = makeTestUser(7, 0);
    const created = await signUp(driver, auth, user);
    expect(created.userId).toMatch(/\w{10,}/);
    expect(created.cookies.some((c) => /session_token=/.test(c))).toBe(true);

    const identity = await signIn(driver, auth, { email: user.email, password: user.password });
    expect(identity.userId).toBe(created.userId);

    const session = await getSession(driver, auth, identity);
    expect(session.user?.id).toBe(created.userId);
    expect(session.jwt).toMatch(/^eyJ/);

    const token = await fetchBackendToken(driver, { ...auth, tokenPath: "/api/auth/token", tokenField: "token" }, identity);
    const keys = await fetchJwks(driver, `${app.webUrl}/api/auth/jwks`);
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet({ keys: keys as never }), { issuer: app.webUrl, audience: app.webUrl });
    expect(payload.sub).toBe(created.userId);
    expect(protectedHeader.alg).toBe("EdDSA");
    const me = await driver.send({ method: "GET", url: `${app.apiUrl}/api/me`, headers: { authorization: `Bearer ${token}` } });
    expect(me.response?.status).toBe(200);

    const out = await signOut(driver, auth, identity);
    expect(out.status).toBe(200);
    expect((await getSession(driver, auth, identity)).user).toBeNull();

    const duplicate = await errorOf(signUp(driver, auth, user));
    expect(duplicate.message).toMatch(/^SIGNUP_FAILED: POST .*\/api\/auth\/sign-up\/email answered 422 USER_ALREADY_EXISTS/);
  });

  it("builds the target model from the live backend: discovered operations, inferred tasks resource, bodies it accepts", async () => {
    const identity = await signUp(driver, auth, makeTestUser(8, 0));
    const token = await fetchBackendToken(driver, { ...auth, tokenPath: "/api/auth/token", tokenField: "token" }, identity);
    const bearer = { authorization: `Bearer ${token}` };
    const doc = await driver.send({ method: "GET", url: `${app.apiUrl}/openapi.json` });
    const ops = discoverOperations(doc.response?.json, { publicRoutes: ["/health", "/docs", "/openapi.json"] });
    expect(ops.filter((o) => !o.isPublic).every((o) => o.declaresSecurity)).toBe(true);
    expect(ops.filter((o) => o.path.includes("{user_id}")).map((o) => userIdParamOf(o.path))).toEqual(["user_id"]);

    const [tasks] = inferResources(ops).filter((r) => r.collection === "/api/tasks");
    expect(tasks).toMatchObject({ item: "/api/tasks/{task_id}", idParam: "task_id", idField: "id" });
    for (const seed of [1, 2, 3]) {
      const body = synthesizeBody(tasks!.create!.requestBody!.schema, { seed });
      const created = await driver.send({ method: "POST", url: `${app.apiUrl}${tasks!.collection}`, headers: bearer, json: body });
      expect(created.response?.status, created.response?.body).toBeGreaterThanOrEqual(200);
      expect(created.response!.status).toBeLessThan(300);
      const id = String((created.response!.json as Record<string, unknown>)[tasks!.idField]);
      const itemUrl = `${app.apiUrl}${fillPath(tasks!.item, { [tasks!.idParam]: id })}`;
      for (const update of tasks!.update ?? []) {
        const changed = synthesizeUpdate(update.requestBody!.schema, { seed, method: update.method as "PUT" | "PATCH", base: body });
        const answer = await driver.send({ method: update.method, url: itemUrl, headers: bearer, json: changed });
        expect(answer.response?.status, `${update.method} ${JSON.stringify(changed)} → ${answer.response?.body}`).toBe(200);
      }
      const removed = await driver.send({ method: "DELETE", url: itemUrl, headers: bearer });
      expect(removed.response!.status).toBeLessThan(300);
    }
  });
});

describe.runIf(referenceReady)("identities against the live reference app (shared-secret mode)", () => {
  let app: { webUrl: string; apiUrl: string; secret: string; stop(): Promise<void> };
  let driver: HttpDriver;

  beforeAll(async () => {
    const { sharedReference } = await import("./helpers/shared-reference.ts");
    app = await sharedReference("shared-secret");
    driver = new HttpDriver({ allowedOrigins: [app.webUrl, app.apiUrl], maxRetries429: 0, timeoutMs: 15_000 });
  });
  afterAll(async () => {
    await driver?.close();
    await app?.stop();
  });

  it("gets the HS256 backend token from the app's own token route", async () => {
    const auth = { baseUrl: app.webUrl, basePath: "/api/auth" };
    const identity = await signUp(driver, auth, makeTestUser(9, 0));
    const token = await fetchBackendToken(driver, { ...auth, tokenPath: "/api/backend-token", tokenField: "token" }, identity);
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(app.secret), { issuer: app.webUrl, audience: app.webUrl });
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload.sub).toBe(identity.userId);
    const me = await driver.send({ method: "GET", url: `${app.apiUrl}/api/me`, headers: { authorization: `Bearer ${token}` } });
    expect(me.response?.status).toBe(200);
  });
});
