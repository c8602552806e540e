import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { SignJWT, createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { ISSUER_ALGS, IssuerError, startIssuer, type RunningIssuer } from "../src/issuer/issuer.ts";
import { parseEnvFile } from "./helpers/issuer.ts";

// The stand-in issuer is a real Better Auth (issue R2.3). Node's fetch sends `Sec-Fetch-Mode: cors`, so
// Better Auth wants an Origin on every POST: these helpers send the issuer's own, as its site's browser would.

const PASSWORD = "correct-horse-battery-9";

interface Reply {
  status: number;
  headers: Headers;
  json: any;
}

async function call(issuer: RunningIssuer, method: "GET" | "POST", route: string, opts: { bearer?: string; body?: unknown; origin?: string; cookie?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (method === "POST") {
    headers["content-type"] = "application/json";
    headers.origin = opts.origin ?? issuer.origin;
  }
  const res = await fetch(`${issuer.origin}${route}`, { method, headers, ...(method === "POST" ? { body: JSON.stringify(opts.body ?? {}) } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json };
}

/** Signs up a user; returns the bearer() plugin's session credential (`set-auth-token`) and the user. */
async function signUp(issuer: RunningIssuer, email: string): Promise<{ session: string; cookie: string; user: { id: string; email: string } }> {
  const reply = await call(issuer, "POST", "/api/auth/sign-up/email", { body: { name: "Test User", email, password: PASSWORD } });
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  const session = reply.headers.get("set-auth-token");
  expect(session).toMatch(/^[A-Za-z0-9]+\.[A-Za-z0-9+/=]+$/);
  const cookie = reply.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="))!.split(";")[0]!;
  return { session: session!, cookie, user: reply.json.user };
}

async function jwtOf(issuer: RunningIssuer, session: string): Promise<string> {
  const reply = await call(issuer, "GET", "/api/auth/token", { bearer: session });
  expect(reply.status, JSON.stringify(reply.json)).toBe(200);
  return reply.json.token as string;
}

describe("stand-in issuer: a real Better Auth", () => {
  it("sign-up → sign-in → get-session → /token gives a JWT the served JWKS verifies; sign-out revokes; delete-user works", async () => {
    const issuer = await startIssuer();
    try {
      const { user } = await signUp(issuer, "alice@example.com");
      expect(user.email).toBe("alice@example.com");

      const signIn = await call(issuer, "POST", "/api/auth/sign-in/email", { body: { email: "alice@example.com", password: PASSWORD } });
      expect(signIn.status).toBe(200);
      expect(signIn.json.user.id).toBe(user.id);
      const session = signIn.headers.get("set-auth-token")!;
      expect(session).toBeTruthy();
      expect((await call(issuer, "POST", "/api/auth/sign-in/email", { body: { email: "alice@example.com", password: "wrong-password-1" } })).json.code).toBe(
        "INVALID_EMAIL_OR_PASSWORD",
      );

      const got = await call(issuer, "GET", "/api/auth/get-session", { bearer: session });
      expect(got.status).toBe(200);
      expect(got.json.user).toMatchObject({ id: user.id, email: "alice@example.com" });
      expect(got.headers.get("cache-control")).toBe("no-store");
      const headerJwt = got.headers.get("set-auth-jwt");
      expect(headerJwt).toBeTruthy();

      const token = await jwtOf(issuer, session);
      const jwks = createRemoteJWKSet(new URL(issuer.jwksUrl));
      for (const t of [token, headerJwt!]) {
        const { payload, protectedHeader } = await jwtVerify(t, jwks, { issuer: issuer.origin, audience: issuer.origin, algorithms: ["EdDSA"] });
        expect(protectedHeader).toEqual({ alg: "EdDSA", kid: issuer.kid });
        // As Better Auth shapes them: the user object, sub = user id, iss = aud = origin, exp = iat + 15 min.
        expect(payload).toMatchObject({ sub: user.id, id: user.id, email: "alice@example.com", iss: issuer.origin, aud: issuer.origin });
        expect(payload.exp! - payload.iat!).toBe(15 * 60);
        expect(payload.nbf).toBeUndefined();
        expect(payload.jti).toBeUndefined();
      }
      // The token verifies with the harness's own public key: Better Auth signed with the harness's key.
      await expect(jwtVerify(token, issuer.publicJwk)).resolves.toBeTruthy();
      expect(issuer.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

      // Shared-secret mode: the HS256 route signs {sub, email, iat, exp, iss, aud} with the secret.
      const backend = await call(issuer, "GET", "/api/backend-token", { bearer: session });
      expect(backend.status).toBe(200);
      expect(backend.headers.get("cache-control")).toBe("no-store");
      const hs = await jwtVerify(backend.json.token as string, new TextEncoder().encode(issuer.secret), {
        algorithms: ["HS256"],
        issuer: issuer.origin,
        audience: issuer.origin,
      });
      expect(hs.protectedHeader).toEqual({ alg: "HS256", typ: "JWT" });
      expect(Object.keys(hs.payload).sort()).toEqual(["aud", "email", "exp", "iat", "iss", "sub"]);
      expect(hs.payload).toMatchObject({ sub: user.id, email: "alice@example.com" });
      expect(hs.payload.exp! - hs.payload.iat!).toBe(15 * 60);
      await expect(jwtVerify(backend.json.token as string, new TextEncoder().encode("another-secret-of-at-least-32-bytes!"))).rejects.toThrow();
      expect((await call(issuer, "GET", "/api/backend-token")).status).toBe(401);
      expect((await call(issuer, "GET", "/api/auth/token")).json).toEqual({ message: "Unauthorized", code: "UNAUTHORIZED" });

      // Sign-out revokes the session: get-session, /token and the HS256 route no longer know it.
      const out = await call(issuer, "POST", "/api/auth/sign-out", { bearer: session });
      expect(out.status).toBe(200);
      expect(out.json).toEqual({ success: true });
      expect((await call(issuer, "GET", "/api/auth/get-session", { bearer: session })).json).toBeNull();
      expect((await call(issuer, "GET", "/api/auth/token", { bearer: session })).status).toBe(401);
      expect((await call(issuer, "GET", "/api/backend-token", { bearer: session })).status).toBe(401);
      // ... while the JWT stays valid until exp (Better Auth's JWTs carry no session id).
      await expect(jwtVerify(token, jwks, { issuer: issuer.origin, audience: issuer.origin })).resolves.toBeTruthy();

      // delete-user (user.deleteUser.enabled): the account is gone.
      const again = await call(issuer, "POST", "/api/auth/sign-in/email", { body: { email: "alice@example.com", password: PASSWORD } });
      const deleted = await call(issuer, "POST", "/api/auth/delete-user", { bearer: again.headers.get("set-auth-token")!, body: { password: PASSWORD } });
      expect(deleted.status, JSON.stringify(deleted.json)).toBe(200);
      expect(deleted.json).toMatchObject({ success: true });
      expect((await call(issuer, "POST", "/api/auth/sign-in/email", { body: { email: "alice@example.com", password: PASSWORD } })).status).toBe(401);
    } finally {
      await issuer.stop();
    }
  });

  it.each(ISSUER_ALGS)("signs with a %s key of the harness's and serves it at /jwks the way Better Auth does", async (alg) => {
    const issuer = await startIssuer({ alg });
    try {
      expect(issuer.alg).toBe(alg);
      const { session, user } = await signUp(issuer, `user-${alg.toLowerCase()}@example.com`);
      const token = await jwtOf(issuer, session);
      const jwks = createRemoteJWKSet(new URL(issuer.jwksUrl));
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: issuer.origin, audience: issuer.origin, algorithms: [alg] });
      expect(protectedHeader).toEqual({ alg, kid: issuer.kid });
      expect(payload.sub).toBe(user.id);

      const res = await fetch(issuer.jwksUrl);
      expect(res.headers.get("content-type")).toBe("application/json");
      const doc = (await res.json()) as { keys: Array<Record<string, unknown>> };
      expect(doc.keys).toHaveLength(1);
      const members: Record<string, string[]> = {
        EdDSA: ["alg", "crv", "x", "kty", "kid"],
        ES256: ["alg", "crv", "kty", "x", "y", "kid"],
        ES512: ["alg", "crv", "kty", "x", "y", "kid"],
        RS256: ["alg", "kty", "n", "e", "kid"],
        PS256: ["alg", "kty", "n", "e", "kid"],
      };
      expect(Object.keys(doc.keys[0]!).sort()).toEqual([...members[alg]!].sort());
      expect(doc.keys[0]).toMatchObject({ alg, kid: issuer.kid });
      expect(issuer.privateJwk.d).toBeTypeOf("string");

      // A token from another key with the same kid does not verify against the served JWKS.
      const other = await generateKeyPair(alg, { extractable: true });
      const forged = await new SignJWT({ sub: user.id }).setProtectedHeader({ alg, kid: issuer.kid }).sign(other.privateKey);
      await expect(jwtVerify(forged, jwks)).rejects.toThrow();
    } finally {
      await issuer.stop();
    }
  });

  it("signs with a given private key, keeping its kid, with the configured iss and aud", async () => {
    const pair = await generateKeyPair("EdDSA", { extractable: true });
    const privateJwk = { ...(await exportJWK(pair.privateKey)), kid: "test-kid-1" };
    const issuer = await startIssuer({ privateJwk, issuer: "http://localhost:3000", audience: "backend-api" });
    try {
      expect(issuer.kid).toBe("test-kid-1");
      expect(issuer.alg).toBe("EdDSA");
      expect(issuer.publicJwk.d).toBeUndefined();
      const { session } = await signUp(issuer, "kid@example.com");
      const token = await jwtOf(issuer, session);
      expect(decodeProtectedHeader(token)).toEqual({ alg: "EdDSA", kid: "test-kid-1" });
      const { payload } = await jwtVerify(token, pair.publicKey, { issuer: "http://localhost:3000", audience: "backend-api" });
      expect(payload.exp! - payload.iat!).toBe(900);
      const hs = await call(issuer, "GET", "/api/backend-token", { bearer: session });
      await expect(jwtVerify(hs.json.token as string, new TextEncoder().encode(issuer.secret), { issuer: "http://localhost:3000", audience: "backend-api" })).resolves.toBeTruthy();
    } finally {
      await issuer.stop();
    }
  });

  it("checks Origin even though vitest runs with NODE_ENV=test; --trusted-origins extends its own origin", async () => {
    expect(process.env.NODE_ENV).toBe("test");
    const issuer = await startIssuer({ trustedOrigins: ["http://app.test:3000"] });
    try {
      const { cookie } = await signUp(issuer, "csrf@example.com");
      const foreign = await call(issuer, "POST", "/api/auth/sign-out", { cookie, origin: "http://evil.test" });
      expect(foreign.status).toBe(403);
      expect(foreign.json.code).toBe("INVALID_ORIGIN");
      const trusted = await call(issuer, "POST", "/api/auth/sign-in/email", { origin: "http://app.test:3000", body: { email: "csrf@example.com", password: PASSWORD } });
      expect(trusted.status).toBe(200);
      expect((await call(issuer, "POST", "/api/auth/sign-out", { cookie, origin: issuer.origin })).status).toBe(200);
    } finally {
      await issuer.stop();
    }
  });

  it("rate limiting is off by default and Better Auth's own when enabled", async () => {
    const signIns = async (issuer: RunningIssuer) => {
      await signUp(issuer, "rate@example.com");
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await call(issuer, "POST", "/api/auth/sign-in/email", { body: { email: "rate@example.com", password: PASSWORD } })).status);
      return statuses;
    };
    const open = await startIssuer();
    try {
      expect(await signIns(open)).toEqual([200, 200, 200, 200, 200]);
    } finally {
      await open.stop();
    }
    const limited = await startIssuer({ rateLimit: true });
    try {
      expect(await signIns(limited)).toContain(429);
    } finally {
      await limited.stop();
    }
  });

  it("keeps users in a SQLite file across restarts (--db)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "authproof-issuer-db-"));
    try {
      const db = path.join(dir, "auth.db");
      const first = await startIssuer({ db });
      await signUp(first, "persist@example.com").finally(() => first.stop());
      const second = await startIssuer({ db, privateJwk: first.privateJwk, secret: first.secret });
      try {
        expect(second.kid).toBe(first.kid);
        const signIn = await call(second, "POST", "/api/auth/sign-in/email", { body: { email: "persist@example.com", password: PASSWORD } });
        expect(signIn.status).toBe(200);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes the key, the secret and the URLs to a mode-600 env file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "authproof-issuer-env-"));
    const envFile = path.join(dir, "issuer.env");
    writeFileSync(envFile, "stale\n");
    chmodSync(envFile, 0o644); // an existing, world-readable file is narrowed before secrets go in
    const issuer = await startIssuer({ envFile, secretEnv: "JWT_SECRET" });
    try {
      expect(issuer.envFile).toBe(envFile);
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
      const env = parseEnvFile(readFileSync(envFile, "utf8"));
      expect(env.AUTHPROOF_AUTH_URL).toBe(issuer.origin);
      expect(env.BETTER_AUTH_URL).toBe(issuer.origin);
      expect(JSON.parse(env.AUTHPROOF_PRIVATE_JWK!)).toEqual(issuer.privateJwk);
      expect(env.BETTER_AUTH_SECRET).toBe(issuer.secret);
      expect(env.JWT_SECRET).toBe(issuer.secret);
      expect(Buffer.from(issuer.secret, "base64url").length).toBeGreaterThanOrEqual(32);
    } finally {
      await issuer.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers 404 outside Better Auth and the HS256 route, 405 for a POST to the HS256 route", async () => {
    const issuer = await startIssuer();
    try {
      for (const [method, route] of [["GET", "/"], ["GET", "/api"], ["GET", "/api/backend-token/x"], ["GET", "/api/auth/nope"]] as const) {
        expect((await call(issuer, method, route)).status, `${method} ${route}`).toBe(404);
      }
      expect((await call(issuer, "POST", "/api/backend-token")).status).toBe(405);
    } finally {
      await issuer.stop();
    }
  });

  it("refuses a key that does not fit the algorithm, a public key, and a taken port, with typed errors", async () => {
    const ec = await generateKeyPair("ES256", { extractable: true });
    await expect(startIssuer({ privateJwk: await exportJWK(ec.privateKey), alg: "EdDSA" })).rejects.toMatchObject({ code: "ISSUER_KEY_INVALID" });
    await expect(startIssuer({ privateJwk: await exportJWK(ec.publicKey) })).rejects.toBeInstanceOf(IssuerError);
    await expect(startIssuer({ db: "/nonexistent-dir/auth.db" })).rejects.toMatchObject({ code: "ISSUER_DB_FAILED" });

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(startIssuer({ port })).rejects.toMatchObject({ code: "ISSUER_PORT_IN_USE" });
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
