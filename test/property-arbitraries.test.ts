import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.ts";
import type { TargetModel } from "../src/model/target.ts";
import { authorizationArb, sendable, STRICT_MAX_BYTES } from "../src/checks/property/arbitraries/authorization.ts";
import { jsonValueArb, extraClaimNameArb } from "../src/checks/property/arbitraries/claims.ts";
import { extraHeaderNameArb, headerEditArb } from "../src/checks/property/arbitraries/header.ts";
import { applyMutations, byteMutationArb, describeMutation } from "../src/checks/property/arbitraries/mutation.ts";
import { REGISTERED_CLAIMS, RESERVED_HEADER } from "../src/checks/property/acceptance-model.ts";
import { propertySettings, RequestBudget } from "../src/checks/property/budget.ts";
import { findPath, valueAt } from "../src/checks/property/identity.ts";
import { propertyOutcome, type RunSummary } from "../src/checks/property/outcome.ts";
import { refusalProblem } from "../src/checks/property/rejection.ts";
import type { AttackOutcome } from "../src/checks/attack/judge.ts";

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

describe("Authorization values (P4)", () => {
  const cases = fc.sample(authorizationArb, { seed: 5, numRuns: 1500 });

  it("are always sendable over HTTP/1.1", () => {
    for (const { value } of cases) expect(CONTROL.test(value)).toBe(false);
    expect(sendable("a\u0000b\r\nc\td")).toBe("abc\td");
  });

  it("cover unicode, obs-text, odd schemes, JWT shapes and huge values", () => {
    expect(cases.some(({ value }) => /[^\x00-\xff]/u.test(value))).toBe(true);
    expect(cases.some(({ value }) => /[\x80-\x9f]/.test(value))).toBe(true);
    expect(cases.some(({ value }) => /^bearer /i.test(value))).toBe(true);
    expect(cases.some(({ value }) => /^\S+ [\w-]*\.[\w-]*\.[\w-]*$/.test(value))).toBe(true);
    expect(cases.some(({ value }) => value.length > 10_000)).toBe(true);
  });

  it("are judged strictly (exactly 401) up to 4 KB only", () => {
    for (const { value, strict } of cases) expect(strict).toBe(Buffer.byteLength(value, "utf8") <= STRICT_MAX_BYTES);
  });
});

describe("byte mutations", () => {
  const token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl";

  it("change the token deterministically and never insert control characters", () => {
    for (const m of fc.sample(fc.array(byteMutationArb, { minLength: 1, maxLength: 3 }), { seed: 9, numRuns: 500 })) {
      const once = applyMutations(token, m);
      expect(applyMutations(token, m)).toBe(once);
      expect(CONTROL.test(once)).toBe(false);
    }
  });

  it("do what they say", () => {
    expect(applyMutations(token, [{ op: "truncate", keep: 5 }])).toBe("eyJhb");
    expect(applyMutations(token, [{ op: "swap-segments", first: 0, second: 2 }])).toBe("c2lnbmF0dXJl.eyJzdWIiOiJhIn0.eyJhbGciOiJFZERTQSJ9");
    expect(applyMutations(token, [{ op: "repeat-segment", segment: 2 }]).split(".")).toHaveLength(4);
    expect(applyMutations(token, [{ op: "flip-bit", at: 0, bit: 5 }])).toBe(`E${token.slice(1)}`);
    expect(applyMutations(token, [{ op: "insert", at: 0, text: "x\u0000" }])).toBe(`x${token}`);
    expect(describeMutation({ op: "delete", at: 3, count: 2 })).toBe("delete 2 at 3");
  });
});

describe("header and claim names", () => {
  it("extra claims are never registered claims or the identity claim", () => {
    for (const name of fc.sample(extraClaimNameArb({ identityClaim: "user_id", leewaySec: 60, marginSec: 5 }), { seed: 2, numRuns: 500 })) {
      expect(REGISTERED_CLAIMS.has(name)).toBe(false);
      expect(name).not.toBe("user_id");
    }
  });

  it("extra header fields are never reserved parameters; header edits reach alg, kid, crit and reserved ones", () => {
    for (const name of fc.sample(extraHeaderNameArb, { seed: 2, numRuns: 500 })) expect(RESERVED_HEADER.has(name)).toBe(false);
    const touched = new Set(fc.sample(headerEditArb, { seed: 4, numRuns: 1000 }).map((edit) => edit.name));
    for (const name of ["alg", "kid", "crit"]) expect(touched.has(name), name).toBe(true);
    expect([...touched].filter((name) => RESERVED_HEADER.has(name)).length).toBeGreaterThan(10);
  });

  it("JSON values nest and carry unicode", () => {
    const values = fc.sample(jsonValueArb, { seed: 3, numRuns: 500 }).map((v) => JSON.stringify(v));
    expect(values.some((text) => /[\[{].*[\[{]/.test(text))).toBe(true);
    expect(values.some((text) => /[^\x00-\x7f]/u.test(text))).toBe(true);
  });
});

describe("settings and budget", () => {
  const model = (run: Record<string, unknown>) => ({ config: configSchema.parse({ run }), seed: 99 }) as unknown as TargetModel;

  it("default runs per property, --runs and --seed override, budget bounds the requests", () => {
    expect(propertySettings(model({}), "property.token-rejection")).toEqual({ seed: 99, numRuns: 200, budget: 800 });
    expect(propertySettings(model({}), "property.token-acceptance").numRuns).toBe(50);
    expect(propertySettings(model({}), "property.isolation-model")).toEqual({ seed: 99, numRuns: 25, budget: 25 * 32 * 4 });
    expect(propertySettings(model({ runs: 10, seed: 3 }), "property.header-fuzz")).toEqual({ seed: 3, numRuns: 10, budget: 40 });
  });

  it("a spent budget refuses further requests and says so", () => {
    const budget = new RequestBudget(2);
    expect([budget.take(), budget.take(), budget.take()]).toEqual([true, true, false]);
    expect(budget.exhausted).toBe(true);
    expect(budget.used).toBe(2);
  });
});

describe("outcome of a property run", () => {
  const details = (failed: boolean, extra: Partial<RunSummary> = {}): RunSummary => ({
    failed,
    numRuns: 12,
    numSkips: 1,
    numShrinks: 3,
    seed: 42,
    counterexamplePath: failed ? "11:0:2" : null,
    errorInstance: null,
    ...extra,
  });
  const settings = { seed: 42, numRuns: 100, budget: 400 };

  it("a failure carries seed, path, the shrunk counterexample and a curl line", () => {
    const exchange = { request: { method: "GET", url: "http://127.0.0.1:1/api/me", headers: { authorization: "Bearer x.y." } }, response: { status: 200, headers: {}, body: "{}", durationMs: 1 }, startedAt: 0 };
    const outcome = propertyOutcome({
      checkId: "property.token-rejection",
      settings,
      details: details(true),
      budget: new RequestBudget(400),
      failure: { detail: "accepted with 200", exchange, description: 'header: "alg"="none"', why: "alg none", counterexample: { header: { alg: "none" }, claims: { sub: "a" }, token: "x.y.", authorization: "Bearer x.y." } },
    });
    expect(outcome.status).toBe("fail");
    expect(outcome.counterexample).toEqual({ seed: 42, path: "11:0:2", header: { alg: "none" }, claims: { sub: "a" }, token: "x.y.", authorization: "Bearer x.y." });
    expect(outcome.reason).toContain('seed 42, path "11:0:2": accepted with 200');
    expect(outcome.reason).toContain("curl: curl -sS -i -H 'authorization: Bearer x.y.' 'http://127.0.0.1:1/api/me'");
    expect(outcome.reason).toContain("replay: --seed 42 --runs 100 --only property.token-rejection");
    expect(outcome.exchanges?.[0]?.label).toBe("shrunk counterexample → accepted with 200");
  });

  it("a run that could not complete is an error, a passing one reports its counts", () => {
    const error = propertyOutcome({ checkId: "property.header-fuzz", settings, details: details(true, { errorInstance: new Error("too many pre-condition failures") }), budget: new RequestBudget(1) });
    expect(error.status).toBe("error");
    const budget = new RequestBudget(1);
    budget.take();
    budget.take();
    const pass = propertyOutcome({ checkId: "property.header-fuzz", settings, details: details(false), budget });
    expect(pass.status).toBe("pass");
    expect(pass.notes).toEqual(["12 runs (1 generated inputs discarded), 1 requests, seed 42", "request budget of 1 spent: 1 runs did not send"]);
  });
});

describe("identity path", () => {
  it("finds the shallowest path to the caller's id and reads it back", () => {
    const json = { items: [{ user_id: "u1" }], me: { id: "u1" } };
    expect(findPath(json, "u1")).toEqual(["me", "id"]);
    expect(valueAt(json, ["items", 0, "user_id"])).toBe("u1");
    expect(valueAt(json, ["nope", 1])).toBeUndefined();
    expect(findPath({ id: "u1" }, "u2")).toBeUndefined();
  });
});

describe("refusal judgement", () => {
  const judged = (status: number | undefined, kind: AttackOutcome["kind"], failed: boolean, error?: "timeout" | "network"): AttackOutcome => ({
    attack: { checkId: "property.token-rejection", variant: "v", authorization: "Bearer x", expect: "reject" },
    exchange: {
      request: { method: "GET", url: "http://127.0.0.1:1/" },
      ...(status !== undefined ? { response: { status, headers: {}, body: "", durationMs: 3000 } } : {}),
      ...(error ? { error: { kind: error, message: error } } : {}),
      startedAt: 0,
    },
    kind,
    failed,
    detail: `detail ${kind}`,
  });

  it("fails acceptance, server errors and other statuses (strict); not a slow 401, not a request that got no answer", () => {
    expect(refusalProblem(judged(401, "rejected", false), true)).toBeUndefined();
    expect(refusalProblem(judged(401, "slow", true), true)).toBeUndefined();
    expect(refusalProblem(judged(200, "accepted", true), true)).toBe("detail accepted");
    expect(refusalProblem(judged(500, "server-error", true), false)).toBe("detail server-error");
    expect(refusalProblem(judged(403, "rejected", false), true)).toBe("refused with 403, not 401");
    expect(refusalProblem(judged(431, "rejected", false), false)).toBeUndefined();
    expect(refusalProblem(judged(undefined, "unanswered", false, "timeout"), false)).toBeUndefined();
    expect(refusalProblem(judged(undefined, "unanswered", false, "network"), true)).toBeUndefined();
  });
});
