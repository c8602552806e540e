import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowCount, startStandalone, type Standalone } from "./helpers/standalone.ts";
import { b64url, BACKEND_PYTHON, compactJws, httpCall, startJsonServer, type HttpResult, type JsonServer } from "./helpers/backend.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

/**
 * fixtures/standalone-api: a backend alone (no sign-up, docs off, identity in `user_id`, wrapped
 * responses, integer ids). Its secure behaviour, its committed OpenAPI document, and both directions
 * of every seeded flaw in its flaws.json: present when switched on, absent from the secure fixture.
 */

type Mode = "jwks" | "shared-secret";
type Headers = Array<[string, string]>;

const FIXTURE_DIR = path.join(REPO_ROOT, "fixtures", "standalone-api");
const registry = JSON.parse(readFileSync(path.join(FIXTURE_DIR, "flaws.json"), "utf8")) as {
  flaws: Array<{ name: string; side: string; modes: Mode[]; checks: string[]; description: string; note?: string }>;
};
const ALL_FLAWS = registry.flaws.map((f) => f.name);
const SECRET = randomBytes(32).toString("hex");
const COMMITTED_SECRET = "dev-secret-change-me-tasks-api-2024";
const AUDIENCE = "tasks-api";
const ISSUER = "http://localhost:3000";

// ---------------------------------------------------------------------------------------------
// The fixture process

type Fixture = Standalone & { mode: Mode };

const running: Fixture[] = [];

async function startFixture(mode: Mode, flaws: string[], env: Record<string, string> = {}): Promise<Fixture> {
  const started = await startStandalone({
    AUTH_MODE: mode,
    FIXTURE_FLAWS: flaws.join(","),
    ...(mode === "shared-secret" ? { JWT_SECRET: SECRET, JWT_ISSUER: ISSUER } : { JWKS_URL: `${jwksServer.origin}/api/auth/jwks` }),
    ...env,
  });
  const fixture = { ...started, mode };
  running.push(fixture);
  return fixture;
}

// ---------------------------------------------------------------------------------------------
// Tokens: HS256 with the shared secret, or EdDSA / ES256 from keys published on a loopback JWKS

interface TokenOptions {
  claims?: Record<string, unknown>;
  omit?: string[];
}

let jwksServer: JsonServer;
let edKey: { kid: string; privateKey: CryptoKey };
let esKey: { kid: string; privateKey: CryptoKey };

function payloadFor(userId: string, mode: Mode, options: TokenOptions = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    user_id: userId,
    sub: userId,
    email: `${userId}@example.test`,
    iat: now,
    exp: now + 900,
    aud: AUDIENCE,
    ...(mode === "shared-secret" ? { iss: ISSUER } : {}),
    ...options.claims,
  };
  for (const name of options.omit ?? []) delete payload[name];
  return payload;
}

async function tokenFor(mode: Mode, userId: string, options: TokenOptions & { key?: "EdDSA" | "ES256"; secret?: string } = {}): Promise<string> {
  const jwt = new SignJWT(payloadFor(userId, mode, options));
  if (mode === "shared-secret" || options.secret) {
    return jwt.setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(options.secret ?? SECRET));
  }
  const key = options.key === "ES256" ? esKey : edKey;
  return jwt.setProtectedHeader({ alg: options.key ?? "EdDSA", kid: key.kid }).sign(key.privateKey);
}

async function newKey(alg: "EdDSA" | "ES256") {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === "EdDSA" ? { crv: "Ed25519", extractable: true } : { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), alg, kid } };
}

const bearer = (token: string): Headers => [["Authorization", `Bearer ${token}`]];

interface User {
  id: string;
  headers: Headers;
}

async function newUser(f: Fixture): Promise<User> {
  const id = `user-${randomUUID()}`;
  return { id, headers: bearer(await tokenFor(f.mode, id)) };
}

interface TaskJson {
  id: number;
  user_id: string;
  title: string;
  completed: boolean;
}

async function createTask(f: Fixture, user: User, body: Record<string, unknown> = {}): Promise<TaskJson> {
  const res = await httpCall(f.url, "POST", `/api/${user.id}/tasks`, { headers: user.headers, body: { title: "a task", ...body } });
  expect(res.status, res.text).toBe(201);
  return (res.json as { task: TaskJson }).task;
}

async function readTask(f: Fixture, user: User, id: number): Promise<HttpResult> {
  return httpCall(f.url, "GET", `/api/${user.id}/tasks/${id}`, { headers: user.headers });
}

function expectInvalidToken(res: HttpResult): void {
  expect(res.status).toBe(401);
  expect(res.json).toEqual({ detail: "Invalid token" });
  expect(res.headers["www-authenticate"]).toBe('Bearer error="invalid_token"');
}

function expectNotAuthenticated(res: HttpResult): void {
  expect(res.status).toBe(401);
  expect(res.json).toEqual({ detail: "Not authenticated" });
  expect(res.headers["www-authenticate"]).toBe("Bearer");
}

// ---------------------------------------------------------------------------------------------
// The committed OpenAPI document

interface Operation {
  security?: unknown[];
  description?: string;
  parameters?: Array<{ name: string; in: string; schema: { type?: string; enum?: string[] } }>;
  requestBody?: unknown;
}
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, { description?: string }> } };

function exportOpenapi(format: "json" | "yaml", flaws: string[] = []): string {
  return execFileSync(BACKEND_PYTHON, ["export_openapi.py", "--print", format], {
    cwd: FIXTURE_DIR,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", PYTHONDONTWRITEBYTECODE: "1", FIXTURE_FLAWS: flaws.join(",") },
  });
}

const committedJson = readFileSync(path.join(FIXTURE_DIR, "openapi.json"), "utf8");
const document = JSON.parse(committedJson) as OpenApi;

function operations(): Array<{ method: string; path: string; op: Operation }> {
  return Object.entries(document.paths).flatMap(([p, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path: p, op })));
}

/** A concrete path for a templated one: the user id and an integer task id. */
function fill(template: string, userId: string, taskId = 1): string {
  return template.replace("{user_id}", userId).replace("{task_id}", String(taskId));
}

// ---------------------------------------------------------------------------------------------

let secure: Record<Mode, Fixture>;

beforeAll(async () => {
  jwksServer = await startJsonServer();
  const [ed, es] = await Promise.all([newKey("EdDSA"), newKey("ES256")]);
  edKey = ed;
  esKey = es;
  jwksServer.set("/api/auth/jwks", { keys: [ed.publicJwk, es.publicJwk] });
  const [shared, jwks] = await Promise.all([startFixture("shared-secret", []), startFixture("jwks", [])]);
  secure = { "shared-secret": shared, jwks };
});

afterAll(async () => {
  await Promise.all(running.map((f) => f.stop()));
  await jwksServer?.stop();
});

describe("committed OpenAPI document", () => {
  it("openapi.json equals a fresh export of the app, with no flaw and with every flaw on", () => {
    expect(exportOpenapi("json")).toBe(committedJson);
    expect(exportOpenapi("json", ALL_FLAWS)).toBe(committedJson);
  });

  it("openapi.yaml equals a fresh YAML export of the same document", () => {
    const committedYaml = readFileSync(path.join(FIXTURE_DIR, "openapi.yaml"), "utf8");
    expect(exportOpenapi("yaml")).toBe(committedYaml);
    expect(committedYaml.startsWith('openapi: "3.1.0"\n')).toBe(true);
    for (const p of Object.keys(document.paths)) expect(committedYaml).toContain(`\n  ${JSON.stringify(p)}:\n`);
  });

  it("is the API a harness must audit from the file alone", () => {
    const ops = operations().map((o) => `${o.method} ${o.path}`);
    expect(ops.sort()).toEqual(
      [
        "GET /",
        "GET /health",
        "GET /api/{user_id}/tasks",
        "POST /api/{user_id}/tasks",
        "GET /api/{user_id}/tasks/{task_id}",
        "PUT /api/{user_id}/tasks/{task_id}",
        "DELETE /api/{user_id}/tasks/{task_id}",
        "PATCH /api/{user_id}/tasks/{task_id}/complete",
        "POST /api/{user_id}/tasks/{task_id}/share",
        "GET /api/{user_id}/stats",
        "DELETE /api/admin/clear-all",
      ].sort(),
    );
    for (const { path: p, op } of operations()) {
      expect(Boolean(op.security), p).toBe(p.includes("{user_id}"));
      const taskId = op.parameters?.find((x) => x.name === "task_id");
      if (taskId) expect(taskId.schema.type).toBe("integer");
    }
    const sort = document.paths["/api/{user_id}/tasks"]!.get!.parameters!.find((x) => x.name === "sort_by")!;
    expect(sort.schema.enum).toEqual(["created_at", "title"]);
    expect(document.paths["/api/{user_id}/tasks/{task_id}/share"]!.post!.requestBody).toMatchObject({ required: true });
    expect(document.components.securitySchemes.HTTPBearer!.description).toContain("`guest_token`");
  });

  it("every flaw of flaws.json is described, side backend, both modes, with check ids or a note", () => {
    for (const flaw of registry.flaws) {
      expect(flaw.side, flaw.name).toBe("backend");
      expect(flaw.modes.sort(), flaw.name).toEqual(["jwks", "shared-secret"]);
      expect(flaw.description.length, flaw.name).toBeGreaterThan(20);
      if (flaw.checks.length === 0) expect(flaw.note, flaw.name).toBeTruthy();
      for (const id of flaw.checks) expect(id, flaw.name).toMatch(/^[a-z]+\.[a-z-]+$/);
    }
  });
});

describe("secure fixture", () => {
  it("serves no docs and no OpenAPI; / and /health are public", async () => {
    const f = secure["shared-secret"];
    for (const p of ["/openapi.json", "/docs", "/redoc"]) expect((await httpCall(f.url, "GET", p)).status, p).toBe(404);
    expect((await httpCall(f.url, "GET", "/")).json).toEqual({ name: "Tasks API", version: "1.0.0" });
    expect((await httpCall(f.url, "GET", "/health")).status).toBe(200);
  });

  it("answers 401 + WWW-Authenticate: Bearer on every protected operation without a token, and for bad tokens", async () => {
    const f = secure["shared-secret"];
    const alice = await newUser(f);
    const task = await createTask(f, alice);
    for (const { method, path: p } of operations().filter((o) => o.path.startsWith("/api/"))) {
      const target = fill(p, alice.id, task.id);
      expectNotAuthenticated(await httpCall(f.url, method, target, { body: method === "GET" || method === "DELETE" ? undefined : { title: "x", email: "a@b.c" } }));
      for (const value of ["Basic eDp5", "Bearer"]) expectNotAuthenticated(await httpCall(f.url, method, target, { headers: [["Authorization", value]] }));
      expectInvalidToken(await httpCall(f.url, method, target, { headers: bearer("not-a-jwt") }));
    }
    expect(rowCount(f)).toBeGreaterThan(0);
  });

  it("creates wrapped tasks with integer ids, lists them wrapped and sorted, ignores an owner in the body", async () => {
    const f = secure["shared-secret"];
    const [alice, bob] = [await newUser(f), await newUser(f)];
    const b = await createTask(f, alice, { title: "b", user_id: bob.id });
    const a = await createTask(f, alice, { title: "a", description: "first" });
    expect(Number.isInteger(a.id) && Number.isInteger(b.id)).toBe(true);
    expect(a.id).toBeGreaterThan(b.id);
    expect(b.user_id).toBe(alice.id);
    const list = await httpCall(f.url, "GET", `/api/${alice.id}/tasks?sort_by=title&order=asc`, { headers: alice.headers });
    expect(list.status).toBe(200);
    expect(list.headers["cache-control"]).toBe("no-store");
    expect(list.json).toMatchObject({ count: 2, tasks: [{ id: a.id, title: "a" }, { id: b.id, title: "b" }] });
    const byDate = (await httpCall(f.url, "GET", `/api/${alice.id}/tasks?sort_by=created_at&order=desc`, { headers: alice.headers })).json as { tasks: TaskJson[] };
    expect(byDate.tasks.map((t) => t.id)).toEqual([a.id, b.id]);
    expect(((await httpCall(f.url, "GET", `/api/${bob.id}/tasks`, { headers: bob.headers })).json as { count: number }).count).toBe(0);
    expect((await readTask(f, alice, a.id)).json).toMatchObject({ task: { id: a.id, description: "first", completed: false } });
    const put = await httpCall(f.url, "PUT", `/api/${alice.id}/tasks/${a.id}`, { headers: alice.headers, body: { title: "a2", completed: true } });
    expect(put.json).toMatchObject({ task: { id: a.id, title: "a2", completed: true } });
    const toggled = await httpCall(f.url, "PATCH", `/api/${alice.id}/tasks/${a.id}/complete`, { headers: alice.headers });
    expect(toggled.json).toMatchObject({ task: { id: a.id, completed: false } });
    const share = await httpCall(f.url, "POST", `/api/${alice.id}/tasks/${a.id}/share`, { headers: alice.headers, body: { email: "friend@example.test" } });
    expect(share.json).toEqual({ share: { task_id: a.id, email: "friend@example.test" } });
    expect((await httpCall(f.url, "GET", `/api/${alice.id}/stats`, { headers: alice.headers })).json).toEqual({ total: 2, completed: 0, pending: 2 });
    expect((await httpCall(f.url, "DELETE", `/api/${alice.id}/tasks/${b.id}`, { headers: alice.headers })).json).toEqual({ message: "Task deleted", id: b.id });
    expect((await readTask(f, alice, b.id)).status).toBe(404);
  });

  it("403 on another user's path, 404 (same body as a missing task) on another user's task", async () => {
    const f = secure["shared-secret"];
    const [alice, bob] = [await newUser(f), await newUser(f)];
    const task = await createTask(f, alice, { title: "alice's secret" });
    for (const { method, path: p } of operations().filter((o) => o.path.includes("{user_id}"))) {
      const res = await httpCall(f.url, method, fill(p, alice.id, task.id), { headers: bob.headers, body: method === "POST" || method === "PUT" ? { title: "x", email: "a@b.c" } : undefined });
      expect(res.status, `${method} ${p}`).toBe(403);
      expect(res.json).toEqual({ detail: "Forbidden" });
    }
    const calls: Array<[string, string, unknown]> = [
      ["GET", "", undefined],
      ["PUT", "", { title: "stolen" }],
      ["DELETE", "", undefined],
      ["PATCH", "/complete", undefined],
      ["POST", "/share", { email: "bob@example.test" }],
    ];
    for (const [method, suffix, body] of calls) {
      const foreign = await httpCall(f.url, method, `/api/${bob.id}/tasks/${task.id}${suffix}`, { headers: bob.headers, body });
      const missing = await httpCall(f.url, method, `/api/${bob.id}/tasks/987654321${suffix}`, { headers: bob.headers, body });
      const huge = await httpCall(f.url, method, `/api/${bob.id}/tasks/99999999999999999999999${suffix}`, { headers: bob.headers, body });
      expect([foreign.status, missing.status, huge.status], `${method} ${suffix}`).toEqual([404, 404, 404]);
      expect(foreign.text).toBe(missing.text);
    }
    expect((await readTask(f, alice, task.id)).json).toMatchObject({ task: { title: "alice's secret", completed: false } });
  });

  it("identity is the user_id claim; aud, exp, user_id and (when configured) iss are enforced", async () => {
    const f = secure["shared-secret"];
    const onPath = async (userId: string, token: string) => httpCall(f.url, "GET", `/api/${userId}/tasks`, { headers: bearer(token) });
    expect((await onPath("bob", await tokenFor(f.mode, "bob", { claims: { sub: "alice" } }))).status).toBe(200);
    expect((await onPath("alice", await tokenFor(f.mode, "bob", { claims: { sub: "alice" } }))).status).toBe(403);
    const now = Math.floor(Date.now() / 1000);
    const rejected: TokenOptions[] = [
      { omit: ["user_id"] },
      { claims: { user_id: "" } },
      { claims: { user_id: 42 } },
      { omit: ["exp"] },
      { claims: { exp: now - 60 } },
      { omit: ["aud"] },
      { claims: { aud: "http://localhost:3000" } },
      { claims: { aud: ["other-api"] } },
      { claims: { iss: "https://evil.example" } },
      { omit: ["iss"] },
    ];
    for (const options of rejected) expectInvalidToken(await onPath("bob", await tokenFor(f.mode, "bob", options)));
    expectInvalidToken(await onPath("bob", await tokenFor(f.mode, "bob", { secret: randomBytes(32).toString("hex") })));
    expect((await onPath("bob", await tokenFor(f.mode, "bob", { claims: { aud: ["other-api", AUDIENCE] } }))).status).toBe(200);
  });

  it("jwks mode: EdDSA and ES256 keys from JWKS_URL; HS256 and unknown keys refused; iss unchecked when JWT_ISSUER is unset", async () => {
    const f = secure.jwks;
    const onPath = async (token: string) => httpCall(f.url, "GET", "/api/carol/tasks", { headers: bearer(token) });
    expect((await onPath(await tokenFor("jwks", "carol"))).status).toBe(200);
    expect((await onPath(await tokenFor("jwks", "carol", { key: "ES256" }))).status).toBe(200);
    expect((await onPath(await tokenFor("jwks", "carol", { claims: { iss: "anything" } }))).status).toBe(200);
    expectInvalidToken(await onPath(await tokenFor("jwks", "carol", { secret: SECRET })));
    expectInvalidToken(await onPath(await tokenFor("jwks", "carol", { secret: COMMITTED_SECRET })));
    const stranger = await newKey("EdDSA");
    const foreignKey = await new SignJWT(payloadFor("carol", "jwks")).setProtectedHeader({ alg: "EdDSA", kid: edKey.kid }).sign(stranger.privateKey);
    expectInvalidToken(await onPath(foreignKey));
    expectInvalidToken(await onPath(compactJws({ alg: "none" }, payloadFor("carol", "jwks"))));
    expectInvalidToken(await onPath(await tokenFor("jwks", "carol", { omit: ["aud"] })));
  });

  it("refuses to start in shared-secret mode without JWT_SECRET (no silent default)", async () => {
    await expect(startFixture("shared-secret", [], { JWT_SECRET: "" })).rejects.toThrow(/JWT_SECRET is required/);
  });
});

// ---------------------------------------------------------------------------------------------
// Every seeded flaw, both directions

interface Probe {
  f: Fixture;
  /** Whether the flaw under test is on in this fixture. */
  on: boolean;
}

/**
 * Headers for a request that may end in an unhandled exception: uvicorn closes the connection after
 * such a 500, so a pooled keep-alive socket reused next would fail with ECONNRESET.
 */
const mayCrash = (headers: Headers): Headers => [...headers, ["Connection", "close"]];

const probes: Record<string, { modes: Mode[]; env?: Record<string, string>; probe(p: Probe): Promise<void> }> = {
  "backdoor-token": {
    modes: ["shared-secret"],
    async probe({ f, on }) {
      const guest = await httpCall(f.url, "GET", "/api/guest/tasks", { headers: bearer("guest_token") });
      if (on) expect(guest.json).toEqual({ tasks: [], count: 0 });
      else expectInvalidToken(guest);
      const alice = await newUser(f);
      await createTask(f, alice);
      const before = rowCount(f);
      const admin = await httpCall(f.url, "DELETE", "/api/admin/clear-all", { headers: bearer("admin_token") });
      if (on) expect(admin.json).toEqual({ deleted: before });
      else expectInvalidToken(admin);
      expect(rowCount(f)).toBe(on ? 0 : before);
    },
  },
  "committed-fallback": {
    modes: ["shared-secret", "jwks"],
    async probe({ f, on }) {
      const env = readFileSync(path.join(FIXTURE_DIR, ".env.example"), "utf8");
      expect(env).toContain(`\nJWT_SECRET=${COMMITTED_SECRET}\n`);
      const alice = await newUser(f);
      await createTask(f, alice, { title: "private" });
      const forged = await tokenFor(f.mode, alice.id, { secret: COMMITTED_SECRET });
      const res = await httpCall(f.url, "GET", `/api/${alice.id}/tasks`, { headers: bearer(forged) });
      if (on) expect(res.json).toMatchObject({ count: 1, tasks: [{ title: "private" }] });
      else expectInvalidToken(res);
      // The configured key keeps working either way.
      expect((await httpCall(f.url, "GET", `/api/${alice.id}/tasks`, { headers: alice.headers })).status).toBe(200);
    },
  },
  "sort-500": {
    modes: ["shared-secret"],
    async probe({ f, on }) {
      const alice = await newUser(f);
      await createTask(f, alice);
      for (const field of ["priority", "created_at; drop table tasks"]) {
        const res = await httpCall(f.url, "GET", `/api/${alice.id}/tasks?sort_by=${encodeURIComponent(field)}`, { headers: mayCrash(alice.headers) });
        expect(res.status, field).toBe(on ? 500 : 422);
      }
      const ok = await httpCall(f.url, "GET", `/api/${alice.id}/tasks?sort_by=title&order=desc`, { headers: alice.headers });
      expect(ok.json).toMatchObject({ count: 1 });
    },
  },
  "missing-body-500": {
    modes: ["shared-secret"],
    async probe({ f, on }) {
      const alice = await newUser(f);
      const task = await createTask(f, alice);
      const share = `/api/${alice.id}/tasks/${task.id}/share`;
      expect((await httpCall(f.url, "POST", share, { headers: mayCrash(alice.headers) })).status).toBe(on ? 500 : 422);
      expect((await httpCall(f.url, "POST", share, { headers: mayCrash(alice.headers), body: {} })).status).toBe(on ? 500 : 422);
      const ok = await httpCall(f.url, "POST", share, { headers: alice.headers, body: { email: "friend@example.test" } });
      expect(ok.json).toEqual({ share: { task_id: task.id, email: "friend@example.test" } });
      // FastAPI-validated bodies stay 422 either way.
      expect((await httpCall(f.url, "POST", `/api/${alice.id}/tasks`, { headers: alice.headers })).status).toBe(422);
    },
  },
  "subroute-no-owner": {
    modes: ["shared-secret"],
    async probe({ f, on }) {
      const [alice, bob] = [await newUser(f), await newUser(f)];
      const task = await createTask(f, alice);
      const res = await httpCall(f.url, "PATCH", `/api/${bob.id}/tasks/${task.id}/complete`, { headers: bob.headers });
      expect(res.status).toBe(on ? 200 : 404);
      expect(((await readTask(f, alice, task.id)).json as { task: TaskJson }).task.completed).toBe(on);
      // Only the sub-route: the item route still refuses bob.
      expect((await httpCall(f.url, "PUT", `/api/${bob.id}/tasks/${task.id}`, { headers: bob.headers, body: { completed: false } })).status).toBe(404);
      expect((await httpCall(f.url, "PATCH", `/api/${alice.id}/tasks/${task.id}/complete`, { headers: bob.headers })).status).toBe(403);
    },
  },
  "identity-header": {
    modes: ["jwks"],
    async probe({ f, on }) {
      const [alice, bob] = [await newUser(f), await newUser(f)];
      await createTask(f, alice, { title: "alice's" });
      const withToken = await httpCall(f.url, "GET", `/api/${alice.id}/tasks`, { headers: [...bob.headers, ["X-User-Id", alice.id]] });
      const noToken = await httpCall(f.url, "GET", `/api/${alice.id}/tasks`, { headers: [["X-User-Id", alice.id]] });
      if (on) {
        expect(withToken.json).toMatchObject({ count: 1, tasks: [{ title: "alice's" }] });
        expect(noToken.json).toMatchObject({ count: 1 });
      } else {
        expect(withToken.status).toBe(403);
        expectNotAuthenticated(noToken);
      }
      // Bob on his own path with his own id in the header: the same answer either way.
      const own = await httpCall(f.url, "GET", `/api/${bob.id}/tasks`, { headers: [...bob.headers, ["X-User-Id", bob.id]] });
      expect(own.json).toEqual({ tasks: [], count: 0 });
    },
  },
  "json-serialization": {
    modes: ["jwks"],
    async probe({ f, on }) {
      const [alice, victim] = [await newUser(f), await newUser(f)];
      await createTask(f, victim, { title: "victim's" });
      const [protectedHeader, , signature] = (alice.headers[0]![1].slice("Bearer ".length)).split(".");
      const payload = b64url(payloadFor(victim.id, f.mode));
      const flattened = JSON.stringify({ protected: protectedHeader, payload, signature });
      const general = JSON.stringify({ payload, signatures: [{ protected: protectedHeader, signature }] });
      for (const value of [flattened, b64url(flattened), b64url(general)]) {
        const res = await httpCall(f.url, "GET", `/api/${victim.id}/tasks`, { headers: bearer(value) });
        if (on) expect(res.json).toMatchObject({ count: 1, tasks: [{ title: "victim's" }] });
        else expectInvalidToken(res);
      }
    },
  },
  "bulk-delete": {
    modes: ["shared-secret"],
    async probe({ f, on }) {
      const [alice, bob] = [await newUser(f), await newUser(f)];
      await createTask(f, alice);
      await createTask(f, bob);
      const before = rowCount(f);
      expect(before).toBeGreaterThanOrEqual(2);
      const anonymous = await httpCall(f.url, "DELETE", "/api/admin/clear-all");
      if (on) expect(anonymous.json).toEqual({ deleted: before });
      else expectNotAuthenticated(anonymous);
      expect(rowCount(f)).toBe(on ? 0 : before);
      if (!on) {
        // The secure route: a user without the admin role is refused, an admin may clear.
        expect((await httpCall(f.url, "DELETE", "/api/admin/clear-all", { headers: bob.headers })).status).toBe(403);
        expect(rowCount(f)).toBe(before);
        const admin = bearer(await tokenFor(f.mode, "root", { claims: { role: "admin" } }));
        expect((await httpCall(f.url, "DELETE", "/api/admin/clear-all", { headers: admin })).json).toEqual({ deleted: before });
        expect(rowCount(f)).toBe(0);
      }
    },
  },
  "slow-route": {
    modes: ["shared-secret"],
    env: { SLOW_ROUTE_SECONDS: "2" },
    async probe({ f, on }) {
      const alice = await newUser(f);
      const started = Date.now();
      const res = await httpCall(f.url, "GET", `/api/${alice.id}/stats`, { headers: alice.headers });
      const elapsed = Date.now() - started;
      expect(res.json).toEqual({ total: 0, completed: 0, pending: 0 });
      // 2 s when on; the margin below keeps a loaded machine from flaking the secure direction.
      if (on) expect(elapsed).toBeGreaterThanOrEqual(2000);
      else expect(elapsed).toBeLessThan(1500);
      // Other routes stay fast.
      const t0 = Date.now();
      expect((await httpCall(f.url, "GET", `/api/${alice.id}/tasks`, { headers: alice.headers })).status).toBe(200);
      expect(Date.now() - t0).toBeLessThan(1500);
    },
  },
  "rate-limit": {
    modes: ["shared-secret"],
    async probe({ f, on }) {
      const answers: HttpResult[] = [];
      for (let i = 0; i < 9; i++) answers.push(await httpCall(f.url, "GET", "/"));
      const limited = answers.map((r, i) => (r.status === 429 ? i : -1)).filter((i) => i >= 0);
      if (on) {
        expect(limited.length).toBe(3);
        expect([limited[1]! - limited[0]!, limited[2]! - limited[1]!]).toEqual([3, 3]);
        for (const i of limited) expect(answers[i]!.headers["retry-after"]).toBe("1");
        expect(answers.filter((r) => r.status !== 429).every((r) => r.status === 200)).toBe(true);
      } else {
        expect(answers.map((r) => r.status)).toEqual(Array(9).fill(200));
      }
    },
  },
};

it("has a probe for every flaw of flaws.json, in modes the flaw applies to", () => {
  expect(Object.keys(probes).sort()).toEqual([...ALL_FLAWS].sort());
  for (const flaw of registry.flaws) for (const mode of probes[flaw.name]!.modes) expect(flaw.modes, flaw.name).toContain(mode);
});

for (const [flaw, { modes, env, probe }] of Object.entries(probes)) {
  for (const mode of modes) {
    describe(`flaw ${flaw} (${mode} mode)`, () => {
      let flawed: Fixture;
      let plain: Fixture;
      beforeAll(async () => {
        flawed = await startFixture(mode, [flaw], env);
        plain = env ? await startFixture(mode, [], env) : secure[mode];
      });

      it("is present when switched on", async () => {
        await probe({ f: flawed, on: true });
      });

      it("is absent from the secure fixture", async () => {
        await probe({ f: plain, on: false });
      });
    });
  }
}
