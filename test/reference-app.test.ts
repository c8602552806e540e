import { importJWK, jwtVerify, decodeProtectedHeader } from "jose";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendTokenFor, signUpUser, type ReferenceUser } from "../src/reference/accounts.ts";
import type { ReferenceApp } from "../src/reference/launch.ts";
import { ensureReferenceSetup } from "../src/reference/setup.ts";
import { sharedReference } from "./helpers/shared-reference.ts";

interface TaskBody {
  id: string;
  title: string;
  user_id: string;
}

async function api(app: ReferenceApp, method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await request(`${app.apiUrl}${path}`, {
    method: method as "GET",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) as unknown };
}

describe.each(["jwks", "shared-secret"] as const)("reference app in %s mode", (mode) => {
  let app: ReferenceApp;
  let alice: ReferenceUser & { jwt: string };
  let bob: ReferenceUser & { jwt: string };

  beforeAll(async () => {
    await ensureReferenceSetup();
    app = await sharedReference(mode);
    const [a, b] = await Promise.all([signUpUser(app, "Alice"), signUpUser(app, "Bob")]);
    alice = { ...a, jwt: await backendTokenFor(app, a) };
    bob = { ...b, jwt: await backendTokenFor(app, b) };
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("serves both apps on loopback with the requested mode and no flaws", () => {
    expect(app.webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.mode).toBe(mode);
    expect(app.flaws).toEqual([]);
    expect(Buffer.from(app.secret, "base64url").length).toBeGreaterThanOrEqual(32);
  });

  it("issues tokens whose claims name the user, the issuer and the audience", async () => {
    const origin = app.webUrl;
    const key =
      mode === "jwks" ? await importJWK(app.publicJwk!, "EdDSA") : new TextEncoder().encode(app.secret);
    const { payload, protectedHeader } = await jwtVerify(alice.jwt, key, {
      issuer: origin,
      audience: origin,
      algorithms: [mode === "jwks" ? "EdDSA" : "HS256"],
    });
    expect(payload.sub).toBe(alice.id);
    expect(payload.exp! - payload.iat!).toBe(15 * 60);
    if (mode === "jwks") expect(protectedHeader.kid).toBe(app.publicJwk!.kid);
  });

  it("lets each user see only their own tasks", async () => {
    const created = await Promise.all([
      api(app, "POST", "/api/tasks", alice.jwt, { title: "alice-1", priority: "high" }),
      api(app, "POST", "/api/tasks", alice.jwt, { title: "alice-2", priority: "low" }),
      api(app, "POST", "/api/tasks", bob.jwt, { title: "bob-1", priority: "medium" }),
    ]);
    expect(created.map((r) => r.status)).toEqual([201, 201, 201]);

    const aliceList = (await api(app, "GET", "/api/tasks", alice.jwt)).json() as TaskBody[];
    const bobList = (await api(app, "GET", "/api/tasks", bob.jwt)).json() as TaskBody[];
    expect(aliceList.map((t) => t.title).sort()).toEqual(["alice-1", "alice-2"]);
    expect(bobList.map((t) => t.title)).toEqual(["bob-1"]);
    expect(aliceList.every((t) => t.user_id === alice.id)).toBe(true);
    expect(bobList.every((t) => t.user_id === bob.id)).toBe(true);

    const me = (await api(app, "GET", "/api/me", bob.jwt)).json() as Record<string, unknown>;
    expect(Object.values(me)).toContain(bob.id);
  });

  it("answers 401 with WWW-Authenticate: Bearer without a token", async () => {
    const response = await api(app, "GET", "/api/tasks");
    expect(response.status).toBe(401);
    expect(String(response.headers["www-authenticate"])).toMatch(/^Bearer/);
  });

  it("answers 404 for another user's task, and leaves it alone", async () => {
    const created = (await api(app, "POST", "/api/tasks", alice.jwt, { title: "private", priority: "low" })).json() as TaskBody;
    expect((await api(app, "GET", `/api/tasks/${created.id}`, bob.jwt)).status).toBe(404);
    expect((await api(app, "DELETE", `/api/tasks/${created.id}`, bob.jwt)).status).toBe(404);
    const own = await api(app, "GET", `/api/tasks/${created.id}`, alice.jwt);
    expect(own.status).toBe(200);
    expect((own.json() as TaskBody).title).toBe("private");
  });

  it.runIf(mode === "jwks")("signs with exactly the launcher's key, which /api/auth/jwks publishes", async () => {
    expect(decodeProtectedHeader(alice.jwt)).toEqual({ alg: "EdDSA", kid: app.publicJwk!.kid });
    const response = await request(`${app.webUrl}/api/auth/jwks`);
    const { keys } = (await response.body.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid: app.publicJwk!.kid, x: app.publicJwk!.x, kty: "OKP", crv: "Ed25519" });
    expect(keys[0]).not.toHaveProperty("d");
  });

  it.runIf(mode === "jwks")("serves no backend-token route in jwks mode", async () => {
    const response = await request(`${app.webUrl}/api/backend-token`, { headers: { authorization: `Bearer ${alice.sessionToken}` } });
    await response.body.dump();
    expect(response.statusCode).toBe(404);
  });

  it.runIf(mode === "shared-secret")("refuses a backend token without a session", async () => {
    const response = await request(`${app.webUrl}/api/backend-token`);
    await response.body.dump();
    expect(response.statusCode).toBe(401);
  });
});
