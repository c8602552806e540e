import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckId } from "../src/catalogue/checks.ts";
import { judgeServerError } from "../src/checks/hygiene/server-error.ts";
import { allowedMutations, fixedMutations, MAX_MUTATIONS_PER_OPERATION, mutatedRequest, mutationsFor } from "../src/checks/hygiene/mutations.ts";
import { RECORDS } from "../src/checks/registry.ts";
import { inputProbeScope } from "../src/checks/scopes.ts";
import { configSchema } from "../src/config/schema.ts";
import { HttpDriver } from "../src/http/driver.ts";
import type { Exchange } from "../src/http/types.ts";
import type { CheckOutcome } from "../src/judge/types.ts";
import type { AuditUser, Probe, TargetModel } from "../src/model/target.ts";
import { createAuditContext, type LiveAuditContext } from "../src/run/context.ts";
import { mineCandidates } from "../src/target/mining.ts";
import { discoverOperations, type Operation } from "../src/target/openapi.ts";
import { buildProbe, planProbe } from "../src/target/probes.ts";
import { inferResources } from "../src/target/resources.ts";
import { REPO_ROOT } from "./helpers/cli.ts";
import { startStandalone, type Standalone } from "./helpers/standalone.ts";

/**
 * hygiene.server-error (and the mined candidates of token.magic-value / token.guessable-secret) against
 * fixtures/standalone-api, directly through the check records with a hand-built target model: the fixture has no
 * sign-up, so its users' tokens are minted here with its JWT_SECRET (the harness's own identities template is
 * not needed for this).
 */

const FIXTURE_DIR = path.join(REPO_ROOT, "fixtures", "standalone-api");
const DOC = JSON.parse(readFileSync(path.join(FIXTURE_DIR, "openapi.json"), "utf8")) as unknown;
const SECRET = randomBytes(32).toString("hex");
const AUDIENCE = "tasks-api";

type Fixture = Standalone;

/** The standalone fixture in shared-secret mode with these seeded flaws. */
function startFixture(flaws: string[]): Promise<Fixture> {
  return startStandalone({ AUTH_MODE: "shared-secret", JWT_SECRET: SECRET, FIXTURE_FLAWS: flaws.join(",") });
}

async function user(label: "A" | "B", userId: string): Promise<AuditUser> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { user_id: userId, sub: userId, aud: AUDIENCE, iat: now, exp: now + 900 };
  const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(SECRET));
  return { label, userId, email: `${userId}@example.test`, password: "-", sessionToken: "-", cookies: [], token, header: { alg: "HS256", typ: "JWT" }, claims };
}

/** The target model prepareTarget would build for the fixture (operations, probes, mined candidates), built by hand. */
async function modelFor(fixture: Fixture): Promise<{ model: TargetModel; ctx: LiveAuditContext }> {
  const config = configSchema.parse({
    mode: "shared-secret",
    api: { baseUrl: fixture.url },
    auth: { baseUrl: fixture.url },
    keys: { secret: SECRET },
    claims: { identityClaim: "user_id", audience: AUDIENCE },
    run: { seed: 42 },
    rate: { rps: 0 },
  });
  const operations = discoverOperations(DOC, { publicRoutes: config.api.publicRoutes });
  const resources = inferResources(operations, []);
  const users = [await user("A", "user-a-7f3c"), await user("B", "user-b-91d2")];
  const driver = new HttpDriver({ allowedOrigins: [fixture.url], rps: 0 });
  const probes: Probe[] = [];
  try {
    for (const op of operations.filter((o) => !o.isPublic)) {
      const probe = await buildProbe(driver, planProbe(op, { config, resources, objects: [], owner: users[0]!, seed: 42 }), users);
      if (probe) probes.push(probe);
    }
  } finally {
    await driver.close();
  }
  const model: TargetModel = {
    config,
    seed: 42,
    startedAt: new Date().toISOString(),
    apiOrigin: fixture.url,
    authOrigin: fixture.url,
    identities: "minted",
    oracle: "secret",
    publicJwks: [],
    expected: { audience: AUDIENCE, identityClaim: "user_id", leewaySec: 60 },
    users,
    operations,
    resources,
    objects: [],
    strays: [],
    probes,
    anonymous: [],
    candidates: mineCandidates(DOC, probes, [], FIXTURE_DIR),
    warnings: [],
  };
  return { model, ctx: await createAuditContext(model) };
}

async function run(ctx: LiveAuditContext, checkId: CheckId, probe: Probe): Promise<CheckOutcome> {
  const outcome = await RECORDS.get(checkId)!.run(ctx, probe);
  return Array.isArray(outcome) ? outcome[0]! : outcome;
}

const probeOf = (model: TargetModel, method: string, route: string) => model.probes.find((p) => p.op.method === method && p.op.path === route)!;
const LIST = "/api/{user_id}/tasks";
const SHARE = "/api/{user_id}/tasks/{task_id}/share";

describe("hygiene.server-error against fixtures/standalone-api with sort-500 and missing-body-500", () => {
  let fixture: Fixture;
  let model: TargetModel;
  let ctx: LiveAuditContext;
  const outcomes = new Map<string, CheckOutcome>();

  beforeAll(async () => {
    fixture = await startFixture(["sort-500", "missing-body-500"]);
    ({ model, ctx } = await modelFor(fixture));
    for (const probe of inputProbeScope.units(model)) outcomes.set(`${probe.op.method} ${probe.op.path}`, await run(ctx, "hygiene.server-error", probe));
  }, 120_000);
  afterAll(async () => {
    await ctx?.close();
    await fixture?.stop();
  });

  it("runs on every probed operation with query parameters or a body, within the budget", () => {
    expect([...outcomes.keys()].sort()).toEqual([`GET ${LIST}`, `POST ${LIST}`, `POST ${SHARE}`, `PUT /api/{user_id}/tasks/{task_id}`].sort());
    for (const outcome of outcomes.values()) expect(outcome.variants!.total).toBeLessThanOrEqual(MAX_MUTATIONS_PER_OPERATION);
  });

  it("sort-500: an unknown sort field is a 500 on the list, with the request as evidence", () => {
    const outcome = outcomes.get(`GET ${LIST}`)!;
    expect(outcome.status).toBe("fail");
    expect(outcome.reason).toMatch(/got a server error; first: query sort_by="authproof_unknown_field" \(unknown sort field\) → 500/);
    expect(outcome.failedVariants).toContain('query sort_by="authproof_unknown_field" (unknown sort field): server error 500');
    const evidence = outcome.exchanges![0]!.exchange;
    expect(evidence.request.url).toBe(`${fixture.url}/api/user-a-7f3c/tasks?sort_by=authproof_unknown_field`);
    expect(evidence.request.method).toBe("GET");
    expect(evidence.request.headers?.authorization).toBe(`Bearer ${model.users[0]!.token}`);
    expect(evidence.response?.status).toBe(500);
  });

  it("missing-body-500: share without a body is a 500, sent only to a task that does not exist", () => {
    const outcome = outcomes.get(`POST ${SHARE}`)!;
    const probe = probeOf(model, "POST", SHARE);
    expect(probe.aim).toBe("an id that does not exist");
    expect(outcome.status).toBe("fail");
    expect(outcome.failedVariants).toEqual(expect.arrayContaining(["body: missing (no body, no content type): server error 500", "body: not JSON: server error 500", "body.email: missing (required): server error 500"]));
    // The probe's own request (a JSON array, which cannot be applied) already crashes it.
    expect(outcome.failedVariants![0]).toBe("the probe's own request (not mutated): server error 500");
    const missing = outcome.exchanges!.find((e) => e.label.startsWith("body: missing"))!.exchange;
    expect(missing.request.url).toBe(probe.request.url);
    expect(missing.request.body).toBeUndefined();
    expect(missing.request.json).toBeUndefined();
    expect(missing.response?.status).toBe(500);
  });

  it("the other operations with input answer 4xx to every mutation (no false alarm), and every answer came", () => {
    for (const key of [`POST ${LIST}`, "PUT /api/{user_id}/tasks/{task_id}"]) {
      const outcome = outcomes.get(key)!;
      expect(outcome.status, `${key}: ${outcome.reason}`).toBe("pass");
      expect(outcome.notes!.join(" ")).not.toMatch(/no answer|5\d\d/);
    }
  });

  it("mined candidates: the fixture's documented guest_token and the secret committed in .env.example", () => {
    expect(model.candidates.filter((c) => c.kind === "bearer").slice(0, 2).map((c) => c.value)).toEqual(["guest_token", "admin_token"]);
    expect(model.candidates.find((c) => c.kind === "secret")).toMatchObject({ value: "dev-secret-change-me-tasks-api-2024", source: expect.stringMatching(/^file: \.env\.example:\d+$/) });
  });
});

describe("the same operations on the secure fixture, and the backdoors found through mined candidates", () => {
  let secure: Fixture;
  let flawed: Fixture;
  const contexts: LiveAuditContext[] = [];

  beforeAll(async () => {
    [secure, flawed] = await Promise.all([startFixture([]), startFixture(["backdoor-token", "committed-fallback"])]);
  }, 120_000);
  afterAll(async () => {
    for (const ctx of contexts) await ctx.close();
    await Promise.all([secure?.stop(), flawed?.stop()]);
  });

  it("the secure fixture passes hygiene.server-error on every operation with input", async () => {
    const { model, ctx } = await modelFor(secure);
    contexts.push(ctx);
    const units = inputProbeScope.units(model);
    expect(units).toHaveLength(4);
    for (const probe of units) {
      const outcome = await run(ctx, "hygiene.server-error", probe);
      expect(outcome.status, `${probe.op.method} ${probe.op.path}: ${outcome.reason}`).toBe("pass");
    }
  }, 120_000);

  it("token.magic-value sends guest_token from the OpenAPI document and fails critical (403 for the path, where an invalid token gets 401)", async () => {
    const { model, ctx } = await modelFor(flawed);
    contexts.push(ctx);
    const outcome = await run(ctx, "token.magic-value", probeOf(model, "GET", LIST));
    expect(outcome.status).toBe("fail");
    expect(outcome.severity).toBe("critical");
    expect(outcome.failedVariants!.join("\n")).toContain('whole token="guest_token" (openapi: components.securitySchemes.HTTPBearer.description): answered 403 where an invalid token gets 401');
    const secureRun = await modelFor(secure);
    contexts.push(secureRun.ctx);
    expect((await run(secureRun.ctx, "token.magic-value", probeOf(secureRun.model, "GET", LIST))).status).toBe("pass");
  }, 120_000);

  it("token.guessable-secret signs with the secret mined from .env.example, accepted by committed-fallback; the label never shows it", async () => {
    const { model, ctx } = await modelFor(flawed);
    contexts.push(ctx);
    const outcome = await run(ctx, "token.guessable-secret", probeOf(model, "GET", LIST));
    expect(outcome.status).toBe("fail");
    expect(outcome.severity).toBe("critical");
    expect(outcome.failedVariants![0]).toMatch(/^HS256 secret=dev…24 \(35 chars\) \(file: \.env\.example:\d+\): accepted with 200/);
    expect(JSON.stringify(outcome.failedVariants)).not.toContain("dev-secret-change-me");
    const secureRun = await modelFor(secure);
    contexts.push(secureRun.ctx);
    expect((await run(secureRun.ctx, "token.guessable-secret", probeOf(secureRun.model, "GET", LIST))).status).toBe("pass");
  }, 120_000);
});

describe("mutations and their judgement (no target)", () => {
  const op = (over: Partial<Operation>): Operation => ({ method: "GET", path: "/api/items", declaresSecurity: true, isPublic: false, pathParams: [], queryParams: [], responses: [], ...over });
  const exchange = (status: number | undefined): Exchange => ({
    request: { method: "GET", url: "http://127.0.0.1:1/api/items" },
    ...(status === undefined ? { error: { kind: "timeout" as const, message: "no complete response within 5000 ms" } } : { response: { status, headers: {}, body: "{}", durationMs: 1 } }),
    startedAt: 0,
  });
  const listOp = op({ queryParams: [{ name: "sort_by", required: false, schema: { type: "string", enum: ["created_at", "title"] } }, { name: "limit", required: false, schema: { type: "integer" } }] });
  const bodyOp = op({ method: "POST", requestBody: { contentType: "application/json", required: true, schema: { type: "object", required: ["title", "priority"], properties: { id: { type: "integer" }, user_id: { type: "string" }, title: { type: "string" }, priority: { type: "string", enum: ["low", "high"] }, count: { anyOf: [{ type: "integer" }, { type: "null" }] } } } } });

  it("are deterministic for a seed, bounded, unique, and start with the telling ones", () => {
    const a = mutationsFor({ op: listOp, kind: "read" }, 7);
    expect(a).toEqual(mutationsFor({ op: listOp, kind: "read" }, 7));
    expect(a).not.toEqual(mutationsFor({ op: listOp, kind: "read" }, 8));
    expect(a).toHaveLength(MAX_MUTATIONS_PER_OPERATION);
    expect(new Set(a.map((m) => m.label)).size).toBe(a.length);
    expect(a.slice(0, 3).map((m) => m.label)).toEqual(['query sort_by="authproof_unknown_field" (unknown sort field)', 'query limit="not-a-number" (wrong type)', 'query sort_by="authproof-not-in-enum" (not in the enum)']);
    expect(a.some((m) => m.label.startsWith("random: "))).toBe(true);
    expect(a.map((m) => m.label)).toContain('query limit="18446744073709551616000" (huge number)');
  });

  it("cover missing bodies, wrong types per field, enums, huge numbers, nulls and missing required fields, never ids or owners", () => {
    const labels = fixedMutations(bodyOp).map((m) => m.label);
    expect(labels.slice(0, 4)).toEqual(["body: missing (no body, no content type)", "body: not JSON", "body: a JSON array instead of an object", 'body: a JSON string']);
    expect(labels).toEqual(
      expect.arrayContaining([
        "body.title: 12345 (a number instead of a string)",
        'body.priority: "authproof-not-in-enum" (not in the enum)',
        "body.count: 18446744073709551616000 (huge number)",
        "body.count: 1.7976931348623157e308 (huge number)",
        'body.count: "not-a-number" (a string instead of an integer)',
        "body.title: missing (required)",
        "body.title: null (null)",
        'body.title: "" (empty string)',
      ]),
    );
    expect(labels.some((l) => /body\.(id|user_id)\b/.test(l))).toBe(false);
    const huge = fixedMutations(bodyOp).find((m) => m.label === "body.count: 18446744073709551616000 (huge number)")!;
    expect(huge.body).toMatchObject({ kind: "text", contentType: "application/json" });
    expect((huge.body as { text: string }).text).toMatch(/"count":18446744073709551616000\b/);
  });

  it("respect the probe's aim: writes that may only carry a body that cannot be applied get nothing else", () => {
    expect(allowedMutations({ kind: "read" })).toBe("all");
    expect(allowedMutations({ kind: "write", aim: "an id that does not exist" })).toBe("all");
    expect(allowedMutations({ kind: "write", aim: "a new object of the audit" })).toBe("all");
    expect(allowedMutations({ kind: "write", aim: "a body that cannot be applied" })).toBe("unappliable bodies");
    expect(allowedMutations({ kind: "write", aim: "opted in (--allow-destructive)" })).toBe("unappliable bodies");
    const writeOp = { ...bodyOp, queryParams: listOp.queryParams };
    const restricted = mutationsFor({ op: writeOp, kind: "write", aim: "a body that cannot be applied" }, 7);
    expect(restricted.map((m) => m.label)).toEqual(["body: missing (no body, no content type)", "body: not JSON", "body: a JSON array instead of an object", "body: a JSON string"]);
    expect(restricted.every((m) => m.unappliable && m.query === undefined)).toBe(true);
  });

  it("keep the probe's URL path, replace the body and carry user A's token", () => {
    const probe = { request: { method: "PUT", url: "http://127.0.0.1:1/api/items/999999?x=1", headers: { "content-type": "application/json", authorization: "old" }, body: "[]" }, aim: "an id that does not exist" } as const;
    const missing = mutatedRequest(probe, "tok", { label: "m", body: { kind: "none" }, unappliable: true });
    expect(missing).toEqual({ method: "PUT", url: probe.request.url, headers: { authorization: "Bearer tok" }, aim: "an id that does not exist" });
    const query = mutatedRequest(probe, "tok", { label: "q", query: { sort: "a b" }, unappliable: false });
    expect(query.url).toBe("http://127.0.0.1:1/api/items/999999?x=1&sort=a+b");
    expect(query.body).toBe("[]");
  });

  it("judge: any 5xx fails with the request as evidence; no answer and no 5xx is an error; otherwise pass", () => {
    const controls = { positive: exchange(200), negative: exchange(401), invalid: exchange(401) };
    const endpoint = { method: "GET", path: "/api/items" };
    const m = (label: string) => ({ label, unappliable: false });
    const failed = judgeServerError(endpoint, { controls, kind: "read" }, [{ mutation: m("a"), exchange: exchange(422) }, { mutation: m("b"), exchange: exchange(500) }, { mutation: m("c"), exchange: exchange(undefined) }]);
    expect(failed).toMatchObject({ status: "fail", variants: { total: 3, failed: 1 }, failedVariants: ["b: server error 500"] });
    expect(failed.exchanges![0]!.label).toBe("b → 500");
    const noAnswer = judgeServerError(endpoint, { controls, kind: "read" }, [{ mutation: m("a"), exchange: exchange(422) }, { mutation: m("c"), exchange: exchange(undefined) }]);
    expect(noAnswer.status).toBe("error");
    expect(noAnswer.reason).toMatch(/1 of 2 mutated requests got no answer \(first: c — timeout: .*\); no verdict without an answer/);
    expect(judgeServerError(endpoint, { controls, kind: "read" }, [{ mutation: m("a"), exchange: exchange(422) }])).toMatchObject({ status: "pass", notes: ["answers: 422 ×1"] });
    expect(judgeServerError(endpoint, { controls, kind: "write", aim: "a body that cannot be applied" }, []).status).toBe("skip");
  });
});
