import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BACKEND_PYTHON,
  BackendExitedError,
  claimsFor,
  compactJws,
  ed25519Signer,
  hmacSigner,
  httpCall,
  jwksIssuer,
  newEd25519Key,
  secretIssuer,
  startBackend,
  startJsonServer,
  type HttpResult,
  type JsonServer,
  type RunningBackend,
  type TokenIssuer,
} from "./helpers/backend.ts";

const FRONTEND_ORIGIN = "http://localhost:3000";
const SECRET = randomBytes(32).toString("hex");

const bearer = (token: string): Array<[string, string]> => [["Authorization", `Bearer ${token}`]];

function expectInvalidToken(res: HttpResult): void {
  expect(res.status).toBe(401);
  expect(res.json).toEqual({ detail: "Invalid token" });
  expect(res.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
}

let server: JsonServer;
let jwks: Awaited<ReturnType<typeof jwksIssuer>>;

beforeAll(async () => {
  server = await startJsonServer();
  jwks = await jwksIssuer(server);
});
afterAll(async () => {
  await server?.stop();
});

/** The mode-independent secure behaviour, run against one backend per mode. */
function secureSuite(mode: "jwks" | "shared-secret") {
  describe(`secure backend, ${mode} mode`, () => {
    let backend: RunningBackend;
    let issuer: TokenIssuer;
    const call = (method: string, p: string, options?: Parameters<typeof httpCall>[3]) =>
      httpCall(backend.url, method, p, options);

    beforeAll(async () => {
      issuer = mode === "jwks" ? jwks : secretIssuer(SECRET, server.origin);
      backend = await startBackend({
        mode,
        betterAuthUrl: server.origin,
        secret: SECRET,
        corsOrigins: [FRONTEND_ORIGIN],
      });
    });
    afterAll(async () => {
      await backend?.stop();
    });

    it("answers /health and serves the OpenAPI document without a token", async () => {
      expect((await call("GET", "/health")).json).toEqual({ status: "ok" });
      expect((await call("GET", "/openapi.json")).status).toBe(200);
      expect((await call("GET", "/docs")).status).toBe(200);
    });

    it("accepts a valid token and returns its identity with Cache-Control: no-store", async () => {
      const sub = randomUUID();
      const res = await call("GET", "/api/me", { headers: bearer(await issuer.token(sub)) });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ id: sub, email: `${sub}@example.test` });
      expect(res.headers["cache-control"]).toBe("no-store");
    });

    it("omits email when the token has none, and accepts a lowercase scheme", async () => {
      const sub = randomUUID();
      const token = await issuer.token(sub, { omit: ["email"] });
      const res = await call("GET", "/api/me", { headers: [["Authorization", `bearer ${token}`]] });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ id: sub });
    });

    it("answers a missing token with 401 Not authenticated and WWW-Authenticate: Bearer", async () => {
      for (const [method, p] of [
        ["GET", "/api/me"],
        ["GET", "/api/tasks"],
        ["POST", "/api/tasks"],
        ["GET", `/api/tasks/${randomUUID()}`],
        ["DELETE", `/api/tasks/${randomUUID()}`],
        ["GET", `/api/users/${randomUUID()}/tasks`],
      ] as const) {
        const res = await call(method, p);
        expect(res.status, `${method} ${p}`).toBe(401);
        expect(res.json).toEqual({ detail: "Not authenticated" });
        expect(res.headers["www-authenticate"]).toBe("Bearer");
      }
    });

    it("rejects malformed Authorization headers with the generic invalid_token answer", async () => {
      const valid = await issuer.token(randomUUID());
      const variants: Array<Array<[string, string]>> = [
        [["Authorization", "Bearer"]],
        [["Authorization", "Bearer "]],
        [["Authorization", "Bearer a b"]],
        [["Authorization", `Bearer ${valid} x`]],
        [["Authorization", `Basic ${Buffer.from("a:b").toString("base64")}`]],
        [["Authorization", `Token ${valid}`]],
        [["Authorization", valid]],
        [
          ["Authorization", `Bearer ${valid}`],
          ["Authorization", `Bearer ${valid}`],
        ],
        [["Authorization", "Bearer not-a-jwt"]],
        [["Authorization", "Bearer a.b.c"]],
        [["Authorization", "Bearer ...."]],
      ];
      for (const headers of variants) {
        const res = await call("GET", "/api/me", { headers });
        expectInvalidToken(res);
      }
    });

    it("rejects every bad token with one generic body that echoes nothing", async () => {
      const sub = randomUUID();
      const origin = issuer.origin;
      const now = Math.floor(Date.now() / 1000);
      const forged: Record<string, string> = {
        expired: await issuer.token(sub, { claims: { iat: now - 7200, exp: now - 3600 } }),
        "no exp": await issuer.token(sub, { omit: ["exp"] }),
        "no iat": await issuer.token(sub, { omit: ["iat"] }),
        "iat in the future": await issuer.token(sub, { claims: { iat: now + 3600, exp: now + 7200 } }),
        "nbf in the future": await issuer.token(sub, { claims: { nbf: now + 3600 } }),
        "no sub": await issuer.token(sub, { omit: ["sub"] }),
        "empty sub": await issuer.token(sub, { claims: { sub: "" } }),
        "numeric sub": await issuer.token(sub, { claims: { sub: 42 } }),
        "wrong iss": await issuer.token(sub, { claims: { iss: "https://evil.example" } }),
        "no iss": await issuer.token(sub, { omit: ["iss"] }),
        "iss prefix": await issuer.token(sub, { claims: { iss: origin.slice(0, -2) } }),
        "iss array": await issuer.token(sub, { claims: { iss: [origin] } }),
        "wrong aud": await issuer.token(sub, { claims: { aud: "https://evil.example" } }),
        "no aud": await issuer.token(sub, { omit: ["aud"] }),
        "aud array": await issuer.token(sub, { claims: { aud: [origin, "https://evil.example"] } }),
        "unknown crit": compactJws(
          mode === "jwks"
            ? { alg: "EdDSA", kid: jwks.keys[0]!.kid, crit: ["urn:x"], "urn:x": 1 }
            : { alg: "HS256", crit: ["urn:x"], "urn:x": 1 },
          claimsFor(sub, origin),
          mode === "jwks" ? ed25519Signer(jwks.keys[0]!.privateKey) : hmacSigner(SECRET),
        ),
        "alg none": compactJws({ alg: "none", typ: "JWT" }, claimsFor(sub, origin)),
        "alg None": compactJws({ alg: "None" }, claimsFor(sub, origin)),
        "signature stripped": (await issuer.token(sub)).replace(/\.[^.]*$/, "."),
        "hs256 with 'secret'": compactJws({ alg: "HS256" }, claimsFor(sub, origin), hmacSigner("secret")),
      };
      const other = await newEd25519Key(mode === "jwks" ? jwks.keys[0]!.kid : "k");
      forged["wrong key"] = compactJws(
        mode === "jwks" ? { alg: "EdDSA", kid: other.kid } : { alg: "HS256" },
        claimsFor(sub, origin),
        mode === "jwks" ? ed25519Signer(other.privateKey) : hmacSigner(`${SECRET}x`),
      );
      forged["embedded jwk"] = compactJws(
        { alg: "EdDSA", jwk: other.publicJwk },
        claimsFor(sub, origin),
        ed25519Signer(other.privateKey),
      );
      forged["kid path"] = compactJws(
        { alg: "HS256", kid: "../../../../../../dev/null" },
        claimsFor(sub, origin),
        hmacSigner(Buffer.alloc(0)),
      );
      if (mode === "jwks") {
        forged["unknown kid"] = compactJws(
          { alg: "EdDSA", kid: "no-such-kid" },
          claimsFor(sub, origin),
          ed25519Signer(jwks.keys[0]!.privateKey),
        );
        forged["no kid"] = compactJws({ alg: "EdDSA" }, claimsFor(sub, origin), ed25519Signer(jwks.keys[0]!.privateKey));
        forged["alg confusion (HS256 keyed with the PEM)"] = compactJws(
          { alg: "HS256", kid: jwks.keys[0]!.kid },
          claimsFor(sub, origin),
          hmacSigner(jwks.keys[0]!.publicPem),
        );
        forged["header alg differs from the key's"] = compactJws(
          { alg: "ES256", kid: jwks.keys[0]!.kid },
          claimsFor(sub, origin),
          ed25519Signer(jwks.keys[0]!.privateKey),
        );
        forged["huge kid"] = compactJws(
          { alg: "EdDSA", kid: "k".repeat(5000) },
          claimsFor(sub, origin),
          ed25519Signer(jwks.keys[0]!.privateKey),
        );
      } else {
        forged["EdDSA in shared-secret mode"] = await jwks.token(sub);
      }
      for (const [name, token] of Object.entries(forged)) {
        const res = await call("GET", "/api/me", { headers: bearer(token) });
        expect(res.status, name).toBe(401);
        expect(res.json, name).toEqual({ detail: "Invalid token" });
        expect(res.headers["www-authenticate"], name).toBe('Bearer error="invalid_token"');
      }
    });

    it("answers arbitrary token-shaped garbage with the generic 401, never a 5xx", async () => {
      const json = fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom("alg", "kid", "crit", "jwk", "jku", "typ", "b64"), fc.jsonValue()));
      const segment = fc.oneof(
        json.map((v) => Buffer.from(JSON.stringify(v) ?? "").toString("base64url")),
        fc.string({ maxLength: 40 }).map((v) => Buffer.from(v).toString("base64url")),
        fc.stringMatching(/^[A-Za-z0-9_\-=+/!]{0,30}$/),
      );
      const token = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("."));
      await fc.assert(
        fc.asyncProperty(token, async (t) => {
          fc.pre(t.length > 0 && t !== "dev");
          const res = await call("GET", "/api/me", { headers: bearer(t) });
          expect(res.status).toBe(401);
          expect(res.json).toEqual({ detail: "Invalid token" });
        }),
        { numRuns: 300 },
      );
    });

    it("tolerates 30 s of clock skew", async () => {
      const sub = randomUUID();
      const now = Math.floor(Date.now() / 1000);
      const res = await call("GET", "/api/me", {
        headers: bearer(await issuer.token(sub, { claims: { iat: now + 10, exp: now - 10 } })),
      });
      expect(res.status).toBe(200);
    });

    it("creates, reads, replaces, patches and deletes the caller's tasks", async () => {
      const auth = bearer(await issuer.token(randomUUID()));
      const sub = ((await call("GET", "/api/me", { headers: auth })).json as { id: string }).id;
      const created = await call("POST", "/api/tasks", {
        headers: auth,
        body: { title: "Write tests", priority: "high", due_date: "2030-01-02", description: "all of them" },
      });
      expect(created.status).toBe(201);
      const task = created.json as Record<string, unknown>;
      expect(task).toMatchObject({
        title: "Write tests",
        description: "all of them",
        priority: "high",
        done: false,
        due_date: "2030-01-02",
        user_id: sub,
      });
      expect(Object.keys(task).sort()).toEqual(
        ["created_at", "description", "done", "due_date", "id", "priority", "title", "updated_at", "user_id"].sort(),
      );
      const id = task.id as string;
      expect((await call("GET", `/api/tasks/${id}`, { headers: auth })).json).toEqual(task);
      expect((await call("GET", "/api/tasks", { headers: auth })).json).toEqual([task]);
      expect((await call("GET", `/api/users/${sub}/tasks`, { headers: auth })).json).toEqual([task]);

      const replaced = await call("PUT", `/api/tasks/${id}`, {
        headers: auth,
        body: { title: "Renamed", priority: "low", done: true },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.json).toMatchObject({ title: "Renamed", priority: "low", done: true, description: null, due_date: null });

      const patched = await call("PATCH", `/api/tasks/${id}`, { headers: auth, body: { done: false } });
      expect(patched.status).toBe(200);
      expect(patched.json).toMatchObject({ title: "Renamed", done: false });
      expect((await call("PATCH", `/api/tasks/${id}`, { headers: auth, body: { title: null } })).status).toBe(422);

      const deleted = await call("DELETE", `/api/tasks/${id}`, { headers: auth });
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe("");
      expect(deleted.headers["cache-control"]).toBe("no-store");
      const gone = await call("GET", `/api/tasks/${id}`, { headers: auth });
      expect(gone.status).toBe(404);
      expect(gone.json).toEqual({ detail: "Task not found" });
    });

    it("validates task bodies", async () => {
      const auth = bearer(await issuer.token(randomUUID()));
      for (const body of [
        { title: "no priority" },
        { title: "", priority: "low" },
        { title: "x".repeat(201), priority: "low" },
        { title: "bad priority", priority: "urgent" },
        { title: "long", priority: "low", description: "d".repeat(2001) },
        { title: "bad date", priority: "low", due_date: "tomorrow" },
      ]) {
        expect((await call("POST", "/api/tasks", { headers: auth, body })).status, JSON.stringify(body).slice(0, 60)).toBe(422);
      }
      expect((await call("POST", "/api/tasks", { headers: auth, body: { title: "x".repeat(200), priority: "low" } })).status).toBe(201);
    });

    it("isolates users: another user's task is 404 exactly like a missing one", async () => {
      const alice = bearer(await issuer.token(randomUUID()));
      const bob = bearer(await issuer.token(randomUUID()));
      const created = await call("POST", "/api/tasks", { headers: alice, body: { title: "alice's", priority: "low" } });
      const id = (created.json as { id: string }).id;
      const missing = await call("GET", `/api/tasks/${randomUUID()}`, { headers: bob });
      expect(missing.status).toBe(404);
      for (const [method, body] of [
        ["GET", undefined],
        ["PUT", { title: "pwned", priority: "high", done: true }],
        ["PATCH", { title: "pwned" }],
        ["DELETE", undefined],
      ] as const) {
        const res = await call(method, `/api/tasks/${id}`, { headers: bob, body });
        expect(res.status, method).toBe(404);
        expect(res.text, method).toBe(missing.text);
      }
      expect((await call("GET", "/api/tasks", { headers: bob })).json).toEqual([]);
      const still = await call("GET", `/api/tasks/${id}`, { headers: alice });
      expect(still.json).toMatchObject({ title: "alice's", done: false });
    });

    it("never lets the body choose the owner (mass assignment)", async () => {
      const aliceSub = randomUUID();
      const alice = bearer(await issuer.token(aliceSub));
      const victim = randomUUID();
      const created = await call("POST", "/api/tasks", {
        headers: alice,
        body: { title: "mine", priority: "medium", user_id: victim, owner_id: victim, userId: victim, id: "chosen", done: true },
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ user_id: aliceSub, done: false });
      const id = (created.json as { id: string }).id;
      expect(id).not.toBe("chosen");
      const put = await call("PUT", `/api/tasks/${id}`, {
        headers: alice,
        body: { title: "mine", priority: "low", user_id: victim },
      });
      expect(put.json).toMatchObject({ user_id: aliceSub });
      const patch = await call("PATCH", `/api/tasks/${id}`, { headers: alice, body: { user_id: victim, userId: victim } });
      expect(patch.json).toMatchObject({ user_id: aliceSub });
      const victimView = await call("GET", "/api/tasks", { headers: bearer(await issuer.token(victim)) });
      expect(victimView.json).toEqual([]);
    });

    it("answers /api/users/{other}/tasks with 404", async () => {
      const aliceSub = randomUUID();
      await call("POST", "/api/tasks", { headers: bearer(await issuer.token(aliceSub)), body: { title: "a", priority: "low" } });
      const bob = bearer(await issuer.token(randomUUID()));
      const res = await call("GET", `/api/users/${aliceSub}/tasks`, { headers: bob });
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(aliceSub);
    });

    it("declares bearer security on every protected operation of its OpenAPI document", async () => {
      const doc = (await call("GET", "/openapi.json")).json as {
        paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
        components: { securitySchemes: Record<string, { type: string; scheme: string }> };
      };
      const schemes = doc.components.securitySchemes;
      const operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ p, m, op })));
      const protectedOps = operations.filter(({ p }) => p.startsWith("/api/"));
      // tasks CRUD (6), /api/me, /api/users/{user_id}/tasks, /api/admin/tasks
      expect(protectedOps.length).toBe(9);
      for (const { p, m, op } of protectedOps) {
        const names = (op.security ?? []).flatMap((s) => Object.keys(s));
        expect(names.length, `${m} ${p}`).toBeGreaterThan(0);
        for (const name of names) expect(schemes[name]).toMatchObject({ type: "http", scheme: "bearer" });
      }
      expect(operations.find(({ p }) => p === "/health")?.op.security).toBeUndefined();
    });

    it("allows CORS only from the configured origins, with credentials", async () => {
      const preflight = (origin: string) =>
        call("OPTIONS", "/api/tasks", {
          headers: [
            ["Origin", origin],
            ["Access-Control-Request-Method", "POST"],
            ["Access-Control-Request-Headers", "authorization,content-type"],
          ],
        });
      const allowed = await preflight(FRONTEND_ORIGIN);
      expect(allowed.status).toBe(200);
      expect(allowed.headers["access-control-allow-origin"]).toBe(FRONTEND_ORIGIN);
      expect(allowed.headers["access-control-allow-credentials"]).toBe("true");
      const evil = await preflight("https://evil.example");
      expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
      const simple = await call("GET", "/api/me", {
        headers: [["Origin", "https://evil.example"], ["Cookie", "a=b"], ...bearer(await issuer.token(randomUUID()))],
      });
      expect(simple.headers["access-control-allow-origin"]).toBeUndefined();
    });
  });
}

secureSuite("jwks");
secureSuite("shared-secret");

describe("jwks mode with Better Auth's user table and fast key refresh", () => {
  let backend: RunningBackend;
  let dir: string;
  let authDb: string;
  const knownUser = randomUUID();

  /** Runs SQL on the auth DB with the venv's Python (no sqlite driver at the repo root). */
  const sql = (statement: string) => {
    const r = spawnSync(BACKEND_PYTHON, ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", authDb, statement]);
    if (r.status !== 0) throw new Error(r.stderr.toString());
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "authproof-authdb-"));
    authDb = path.join(dir, "auth.db");
    sql("CREATE TABLE other (x TEXT);");
    backend = await startBackend({
      mode: "jwks",
      betterAuthUrl: server.origin,
      authDatabasePath: authDb,
      env: { JWKS_MIN_REFRESH_SECONDS: "0" },
    });
  });
  afterAll(async () => {
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("rejects every token while the user table does not exist, then only unknown users", async () => {
    const me = async (sub: string) => httpCall(backend.url, "GET", "/api/me", { headers: bearer(await jwks.token(sub)) });
    expectInvalidToken(await me(knownUser));
    sql(`CREATE TABLE "user" (id TEXT PRIMARY KEY, email TEXT); INSERT INTO "user" (id, email) VALUES ('${knownUser}', 'k@example.test');`);
    expect((await me(knownUser)).status).toBe(200);
    expectInvalidToken(await me(randomUUID()));
  });

  it("refetches the JWKS for an unknown kid and accepts a rotated-in key", async () => {
    const rotated = await jwks.rotate();
    const token = compactJws(
      { alg: "EdDSA", kid: rotated.kid },
      claimsFor(knownUser, server.origin),
      ed25519Signer(rotated.privateKey),
    );
    const res = await httpCall(backend.url, "GET", "/api/me", { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: knownUser });
  });
});

describe("admin routes look the role up in Better Auth's user table", () => {
  let backend: RunningBackend;
  let dir: string;
  const [adminUser, normalUser] = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "authproof-authdb-"));
    const authDb = path.join(dir, "auth.db");
    const schema = `CREATE TABLE "user" (id TEXT PRIMARY KEY, email TEXT, role TEXT);
      INSERT INTO "user" VALUES ('${adminUser}', 'a@example.test', 'user,admin'), ('${normalUser}', 'n@example.test', 'user');`;
    const r = spawnSync(BACKEND_PYTHON, ["-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()", authDb, schema]);
    if (r.status !== 0) throw new Error(r.stderr.toString());
    backend = await startBackend({ mode: "jwks", betterAuthUrl: server.origin, authDatabasePath: authDb });
  });
  afterAll(async () => {
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const adminTasks = async (sub: string, claims: Record<string, unknown>) =>
    httpCall(backend.url, "GET", "/api/admin/tasks", { headers: bearer(await jwks.token(sub, { claims })) });

  it("lets an admin in, whatever its token's role claim says", async () => {
    expect((await adminTasks(adminUser, { role: "user" })).status).toBe(200);
  });

  it("refuses a normal user with 403, even with role=admin in its token", async () => {
    for (const role of ["user", "admin"]) {
      const res = await adminTasks(normalUser, { role });
      expect(res.status, role).toBe(403);
      expect(res.json).toEqual({ detail: "Admin role required" });
    }
  });

  it("answers 401 before any role check for a missing token", async () => {
    expect((await httpCall(backend.url, "GET", "/api/admin/tasks")).status).toBe(401);
  });
});

describe("start-up configuration errors", () => {
  it("exits with code 2 and one clear line for an unknown flaw name", async () => {
    const failure = await startBackend({ mode: "jwks", betterAuthUrl: "http://127.0.0.1:9", flaws: ["alg-none", "no-such-flaw"] }).then(
      async (b) => {
        await b.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(BackendExitedError);
    expect((failure as BackendExitedError).exitCode).toBe(2);
    expect((failure as BackendExitedError).output).toMatch(/unknown flaw\(s\) in REFERENCE_FLAWS: no-such-flaw/);
    expect((failure as BackendExitedError).output).not.toMatch(/Traceback/);
  });

  it("refuses shared-secret mode without BETTER_AUTH_SECRET", async () => {
    const failure = await startBackend({ mode: "shared-secret", betterAuthUrl: "http://127.0.0.1:9" }).then(
      async (b) => {
        await b.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(BackendExitedError);
    expect((failure as BackendExitedError).exitCode).toBe(2);
    expect((failure as BackendExitedError).output).toMatch(/BETTER_AUTH_SECRET/);
  });
});
