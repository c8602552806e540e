import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
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
  b64url,
  type JsonServer,
  type RunningBackend,
  type TokenIssuer,
} from "./helpers/backend.ts";

/**
 * The self-validation matrix for the backend: every backend flaw of reference-app/flaws.json is
 * proven present when switched on (its own backend boot) and absent on the secure backend.
 */

type Mode = "jwks" | "shared-secret";

const registry = JSON.parse(readFileSync(new URL("../reference-app/flaws.json", import.meta.url), "utf8")) as {
  flaws: Array<{ name: string; side: string; modes: Mode[] }>;
};
// Session-mode flaws need Better Auth itself (get-session, its session table), not the fake issuer of this file:
// they are proven end to end by test/audit-flaws.test.ts and test/audit-session.test.ts.
const BACKEND_FLAWS = registry.flaws.filter((f) => f.side === "backend" && !(f.modes as string[]).includes("session"));
const SECRET = randomBytes(32).toString("hex");
const EVIL = "https://evil.example";

/** What a probe gets: a backend (flawed or secure) and an issuer of valid tokens for its mode. */
interface Probe {
  url: string;
  issuer: TokenIssuer;
  jwks: Awaited<ReturnType<typeof jwksIssuer>>;
  server: JsonServer;
  /** Whether the flaw under test is switched on for this backend. */
  on: boolean;
}

const bearer = (token: string): Array<[string, string]> => [["Authorization", `Bearer ${token}`]];

async function me(p: Probe, headers: Array<[string, string]>, query = ""): Promise<HttpResult> {
  return httpCall(p.url, "GET", `/api/me${query}`, { headers });
}

/** 200 with identity `sub` when the flaw is on; the generic 401 when it is off. */
function expectAcceptedOnlyWhenOn(p: Probe, res: HttpResult, sub: string): void {
  if (p.on) {
    expect(res.status).toBe(200);
    expect((res.json as { id: string }).id).toBe(sub);
  } else {
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: "Invalid token" });
  }
}

async function newUser(p: Probe): Promise<{ sub: string; headers: Array<[string, string]> }> {
  const sub = randomUUID();
  return { sub, headers: bearer(await p.issuer.token(sub)) };
}

async function createTask(p: Probe, headers: Array<[string, string]>, body: Record<string, unknown> = {}) {
  const res = await httpCall(p.url, "POST", "/api/tasks", { headers, body: { title: "t", priority: "low", ...body } });
  expect(res.status).toBe(201);
  return res.json as { id: string; user_id: string; title: string };
}

const probes: Record<string, { mode: Mode; probe(p: Probe): Promise<void> }> = {
  "alg-none": {
    mode: "jwks",
    async probe(p) {
      for (const alg of ["none", "None", "NONE", "nOnE"]) {
        const sub = randomUUID();
        const token = compactJws({ alg, typ: "JWT" }, claimsFor(sub, p.issuer.origin));
        expectAcceptedOnlyWhenOn(p, await me(p, bearer(token)), sub);
      }
    },
  },
  "no-verify": {
    mode: "jwks",
    async probe(p) {
      const sub = randomUUID();
      const stranger = await newEd25519Key(p.jwks.keys[0]!.kid);
      const token = compactJws({ alg: "EdDSA", kid: stranger.kid }, claimsFor(sub, p.issuer.origin), ed25519Signer(stranger.privateKey));
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(token)), sub);
    },
  },
  "exp-ignored": {
    mode: "jwks",
    async probe(p) {
      const sub = randomUUID();
      const now = Math.floor(Date.now() / 1000);
      const token = await p.issuer.token(sub, { claims: { iat: now - 7200, exp: now - 3600 } });
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(token)), sub);
    },
  },
  "exp-optional": {
    mode: "shared-secret",
    async probe(p) {
      const sub = randomUUID();
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(await p.issuer.token(sub, { omit: ["exp"] }))), sub);
    },
  },
  "iss-aud-ignored": {
    mode: "jwks",
    async probe(p) {
      for (const claims of [{ iss: EVIL }, { aud: EVIL }, { iss: EVIL, aud: EVIL }]) {
        const sub = randomUUID();
        expectAcceptedOnlyWhenOn(p, await me(p, bearer(await p.issuer.token(sub, { claims }))), sub);
      }
    },
  },
  "sub-optional": {
    mode: "jwks",
    async probe(p) {
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(await p.issuer.token("x", { omit: ["sub"] }))), "");
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(await p.issuer.token("", {}))), "");
    },
  },
  "alg-confusion": {
    mode: "jwks",
    async probe(p) {
      const key = p.jwks.keys[0]!;
      for (const alg of ["HS256", "HS384", "HS512"] as const) {
        const sub = randomUUID();
        const hash = `sha${alg.slice(2)}` as "sha256" | "sha384" | "sha512";
        const token = compactJws({ alg, kid: key.kid }, claimsFor(sub, p.issuer.origin), hmacSigner(key.publicPem, hash));
        expectAcceptedOnlyWhenOn(p, await me(p, bearer(token)), sub);
      }
    },
  },
  "embedded-jwk": {
    mode: "jwks",
    async probe(p) {
      const sub = randomUUID();
      const attacker = await newEd25519Key("attacker");
      const token = compactJws(
        { alg: "EdDSA", jwk: attacker.publicJwk },
        claimsFor(sub, p.issuer.origin),
        ed25519Signer(attacker.privateKey),
      );
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(token)), sub);
    },
  },
  "jku-fetch": {
    mode: "jwks",
    async probe(p) {
      const sub = randomUUID();
      const attacker = await newEd25519Key(`attacker-${randomUUID()}`);
      const keyPath = `/attacker/${attacker.kid}.json`;
      p.server.set(keyPath, { keys: [attacker.publicJwk] });
      const token = compactJws(
        { alg: "EdDSA", kid: attacker.kid, jku: `${p.server.origin}${keyPath}` },
        claimsFor(sub, p.issuer.origin),
        ed25519Signer(attacker.privateKey),
      );
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(token)), sub);
      expect(p.server.requests.filter((r) => r === keyPath).length).toBe(p.on ? 1 : 0);
    },
  },
  "kid-path": {
    mode: "jwks",
    async probe(p) {
      const sub = randomUUID();
      const token = compactJws(
        { alg: "HS256", kid: "../../../../../../dev/null" },
        claimsFor(sub, p.issuer.origin),
        hmacSigner(Buffer.alloc(0)),
      );
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(token)), sub);
    },
  },
  "hmac-fallback": {
    mode: "shared-secret",
    async probe(p) {
      const sub = randomUUID();
      const token = compactJws({ alg: "HS256", typ: "JWT" }, claimsFor(sub, p.issuer.origin), hmacSigner("secret"));
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(token)), sub);
      // The real secret keeps working either way.
      expect((await me(p, bearer(await p.issuer.token(sub)))).status).toBe(200);
    },
  },
  "magic-token": {
    mode: "jwks",
    async probe(p) {
      expectAcceptedOnlyWhenOn(p, await me(p, bearer("dev")), "dev-user");
    },
  },
  "padded-signature-bypass": {
    mode: "jwks",
    async probe(p) {
      const sub = randomUUID();
      const [h, payload, signature] = (await p.issuer.token(sub)).split(".");
      const wrong = Buffer.from(signature!, "base64url");
      wrong[0] = wrong[0]! ^ 1;
      const token = `${h}.${payload}.${wrong.toString("base64url")}${"=".repeat((4 - (wrong.toString("base64url").length % 4)) % 4)}`;
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(token)), sub);
    },
  },
  "bulk-delete": {
    mode: "jwks",
    async probe(p) {
      const owner = await newUser(p);
      await createTask(p, owner.headers);
      const res = await httpCall(p.url, "DELETE", "/api/admin/clear-all", {});
      if (p.on) {
        expect(res.status).toBe(200);
        expect((await httpCall(p.url, "GET", "/api/tasks", { headers: owner.headers })).json).toEqual([]);
      } else {
        expect(res.status).toBe(404);
        expect(((await httpCall(p.url, "GET", "/api/tasks", { headers: owner.headers })).json as unknown[]).length).toBe(1);
      }
    },
  },
  "json-serialization": {
    mode: "jwks",
    async probe(p) {
      const owner = randomUUID();
      const victim = randomUUID();
      const [h, payload, signature] = (await p.issuer.token(owner)).split(".");
      const forged = b64url(claimsFor(victim, p.issuer.origin));
      const polyglot = `{"${h}.${forged}.":"","protected":"${h}","payload":"${payload}","signature":"${signature}"}`;
      expectAcceptedOnlyWhenOn(p, await me(p, bearer(polyglot)), victim);
    },
  },
  "query-token": {
    mode: "jwks",
    async probe(p) {
      const sub = randomUUID();
      const res = await me(p, [], `?access_token=${await p.issuer.token(sub)}`);
      if (p.on) {
        expect(res.status).toBe(200);
        expect(res.json).toMatchObject({ id: sub });
      } else {
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ detail: "Not authenticated" });
      }
    },
  },
  "identity-header": {
    mode: "jwks",
    async probe(p) {
      const alice = await newUser(p);
      const res = await me(p, [...alice.headers, ["X-User-Id", "victim"]]);
      expect(res.status).toBe(200);
      expect((res.json as { id: string }).id).toBe(p.on ? "victim" : alice.sub);
    },
  },
  "unprotected-route": {
    mode: "jwks",
    async probe(p) {
      const alice = await newUser(p);
      const task = await createTask(p, alice.headers);
      const res = await httpCall(p.url, "GET", "/api/tasks/export");
      const doc = (await httpCall(p.url, "GET", "/openapi.json")).json as { paths: Record<string, { get?: { security?: unknown } }> };
      if (p.on) {
        expect(res.status).toBe(200);
        expect((res.json as Array<{ id: string }>).map((t) => t.id)).toContain(task.id);
        expect(doc.paths["/api/tasks/export"]?.get).toBeDefined();
        expect(doc.paths["/api/tasks/export"]?.get?.security).toBeUndefined();
      } else {
        expect(res.status).toBe(401);
        expect(doc.paths["/api/tasks/export"]).toBeUndefined();
      }
    },
  },
  "missing-403": {
    mode: "jwks",
    async probe(p) {
      const res = await me(p, []);
      expect(res.status).toBe(p.on ? 403 : 401);
      expect(res.json).toEqual({ detail: "Not authenticated" });
      expect(res.headers["www-authenticate"]).toBe(p.on ? undefined : "Bearer");
    },
  },
  "error-leak": {
    mode: "jwks",
    async probe(p) {
      const res = await me(p, bearer("not-a-jwt"));
      if (p.on) {
        expect(res.status).toBe(500);
        expect(res.text).toContain("Traceback");
      } else {
        expect(res.status).toBe(401);
        expect(res.json).toEqual({ detail: "Invalid token" });
      }
    },
  },
  cacheable: {
    mode: "jwks",
    async probe(p) {
      const alice = await newUser(p);
      for (const path of ["/api/me", "/api/tasks"]) {
        const res = await httpCall(p.url, "GET", path, { headers: alice.headers });
        expect(res.status).toBe(200);
        expect(res.headers["cache-control"]).toBe(p.on ? undefined : "no-store");
      }
    },
  },
  "foreign-read": {
    mode: "jwks",
    async probe(p) {
      const [alice, bob] = [await newUser(p), await newUser(p)];
      const task = await createTask(p, alice.headers, { title: "alice's secret" });
      const res = await httpCall(p.url, "GET", `/api/tasks/${task.id}`, { headers: bob.headers });
      expect(res.status).toBe(p.on ? 200 : 404);
      expect(res.text.includes("alice's secret")).toBe(p.on);
      // Writes stay protected: this flaw is about reads only.
      const write = await httpCall(p.url, "PATCH", `/api/tasks/${task.id}`, { headers: bob.headers, body: { title: "x" } });
      expect(write.status).toBe(404);
    },
  },
  "foreign-write": {
    mode: "shared-secret",
    async probe(p) {
      const [alice, bob] = [await newUser(p), await newUser(p)];
      const task = await createTask(p, alice.headers, { title: "original" });
      const patch = await httpCall(p.url, "PATCH", `/api/tasks/${task.id}`, { headers: bob.headers, body: { title: "patched" } });
      expect(patch.status).toBe(p.on ? 200 : 404);
      const put = await httpCall(p.url, "PUT", `/api/tasks/${task.id}`, {
        headers: bob.headers,
        body: { title: "replaced", priority: "high", done: true },
      });
      expect(put.status).toBe(p.on ? 200 : 404);
      const seen = await httpCall(p.url, "GET", `/api/tasks/${task.id}`, { headers: alice.headers });
      expect((seen.json as { title: string }).title).toBe(p.on ? "replaced" : "original");
      const del = await httpCall(p.url, "DELETE", `/api/tasks/${task.id}`, { headers: bob.headers });
      expect(del.status).toBe(p.on ? 204 : 404);
      expect((await httpCall(p.url, "GET", `/api/tasks/${task.id}`, { headers: alice.headers })).status).toBe(p.on ? 404 : 200);
    },
  },
  "list-leak": {
    mode: "jwks",
    async probe(p) {
      const [alice, bob] = [await newUser(p), await newUser(p)];
      const task = await createTask(p, alice.headers);
      const list = (await httpCall(p.url, "GET", "/api/tasks", { headers: bob.headers })).json as Array<{ id: string }>;
      expect(list.some((t) => t.id === task.id)).toBe(p.on);
    },
  },
  "foreign-403": {
    mode: "jwks",
    async probe(p) {
      const [alice, bob] = [await newUser(p), await newUser(p)];
      const task = await createTask(p, alice.headers);
      const foreign = await httpCall(p.url, "GET", `/api/tasks/${task.id}`, { headers: bob.headers });
      const missing = await httpCall(p.url, "GET", `/api/tasks/${randomUUID()}`, { headers: bob.headers });
      expect(missing.status).toBe(404);
      if (p.on) {
        expect(foreign.status).toBe(403);
        expect(foreign.json).toEqual({ detail: "Not authorized" });
      } else {
        expect(foreign.status).toBe(404);
        expect(foreign.text).toBe(missing.text);
      }
    },
  },
  "mass-assignment": {
    mode: "jwks",
    async probe(p) {
      const [alice, victim] = [await newUser(p), await newUser(p)];
      const created = await createTask(p, alice.headers, { user_id: victim.sub });
      expect(created.user_id).toBe(p.on ? victim.sub : alice.sub);
      const own = await createTask(p, alice.headers);
      const patched = await httpCall(p.url, "PATCH", `/api/tasks/${own.id}`, { headers: alice.headers, body: { user_id: victim.sub } });
      expect((patched.json as { user_id: string }).user_id).toBe(p.on ? victim.sub : alice.sub);
    },
  },
  "path-user-trust": {
    mode: "jwks",
    async probe(p) {
      const [alice, bob] = [await newUser(p), await newUser(p)];
      const task = await createTask(p, alice.headers);
      const res = await httpCall(p.url, "GET", `/api/users/${alice.sub}/tasks`, { headers: bob.headers });
      expect(res.status).toBe(p.on ? 200 : 404);
      expect(res.text.includes(task.id)).toBe(p.on);
    },
  },
  "admin-no-role-check": {
    mode: "jwks",
    async probe(p) {
      const alice = await newUser(p);
      const task = await createTask(p, alice.headers);
      const bob = await newUser(p);
      const res = await httpCall(p.url, "GET", "/api/admin/tasks", { headers: bob.headers });
      expect(res.status).toBe(p.on ? 200 : 403);
      expect(res.text.includes(task.id)).toBe(p.on);
    },
  },
  "role-from-claim": {
    mode: "shared-secret",
    async probe(p) {
      const sub = randomUUID();
      const raised = bearer(await p.issuer.token(sub, { claims: { role: "admin" } }));
      expect((await httpCall(p.url, "GET", "/api/admin/tasks", { headers: raised })).status).toBe(p.on ? 200 : 403);
      const plain = bearer(await p.issuer.token(sub, { claims: { role: "user" } }));
      expect((await httpCall(p.url, "GET", "/api/admin/tasks", { headers: plain })).status).toBe(403);
    },
  },
  "cors-reflect": {
    mode: "jwks",
    async probe(p) {
      const preflight = await httpCall(p.url, "OPTIONS", "/api/tasks", {
        headers: [
          ["Origin", EVIL],
          ["Access-Control-Request-Method", "GET"],
          ["Access-Control-Request-Headers", "authorization"],
        ],
      });
      expect(preflight.headers["access-control-allow-origin"]).toBe(p.on ? EVIL : undefined);
      const alice = await newUser(p);
      const simple = await httpCall(p.url, "GET", "/api/me", { headers: [["Origin", EVIL], ...alice.headers] });
      expect(simple.headers["access-control-allow-origin"]).toBe(p.on ? EVIL : undefined);
      // (Starlette sends Allow-Credentials on every simple response; without Allow-Origin it grants nothing.)
      if (p.on) expect(simple.headers["access-control-allow-credentials"]).toBe("true");
    },
  },
};

let server: JsonServer;
let jwks: Awaited<ReturnType<typeof jwksIssuer>>;
const secure: Partial<Record<Mode, RunningBackend>> = {};

function boot(mode: Mode, flaws: string[]): Promise<RunningBackend> {
  return startBackend({ mode, flaws, betterAuthUrl: server.origin, secret: SECRET, corsOrigins: ["http://localhost:3000"] });
}

function issuerFor(mode: Mode): TokenIssuer {
  return mode === "jwks" ? jwks : secretIssuer(SECRET, server.origin);
}

beforeAll(async () => {
  server = await startJsonServer();
  jwks = await jwksIssuer(server);
  [secure.jwks, secure["shared-secret"]] = await Promise.all([boot("jwks", []), boot("shared-secret", [])]);
});
afterAll(async () => {
  await Promise.all([secure.jwks?.stop(), secure["shared-secret"]?.stop()]);
  await server?.stop();
});

it("has a probe for every backend flaw of the registry, in a mode the flaw applies to", () => {
  expect(Object.keys(probes).sort()).toEqual(BACKEND_FLAWS.map((f) => f.name).sort());
  for (const flaw of BACKEND_FLAWS) expect(flaw.modes, flaw.name).toContain(probes[flaw.name]!.mode);
});

for (const [flaw, { mode, probe }] of Object.entries(probes)) {
  describe(`flaw ${flaw} (${mode} mode)`, () => {
    let flawed: RunningBackend;
    beforeAll(async () => {
      flawed = await boot(mode, [flaw]);
    });
    afterAll(async () => {
      await flawed?.stop();
    });

    it("is present when switched on", async () => {
      await probe({ url: flawed.url, issuer: issuerFor(mode), jwks, server, on: true });
    });

    it("is absent from the secure backend", async () => {
      await probe({ url: secure[mode]!.url, issuer: issuerFor(mode), jwks, server, on: false });
    });
  });
}
