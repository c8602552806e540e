import { describe, expect, test } from "vitest";
import { configSchema } from "../src/config/schema.ts";
import type { Exchange } from "../src/http/types.ts";
import type { TargetModel } from "../src/model/target.ts";
import { buildReport } from "../src/report/build.ts";

const SESSION = "abcdefghijklmnopqrstuvwxyz012345.c2lnbmF0dXJl";

function model(): TargetModel {
  return {
    config: configSchema.parse({}),
    seed: 1,
    startedAt: "2026-12-01T00:00:00.000Z",
    apiOrigin: "http://127.0.0.1:8000",
    authOrigin: "http://localhost:3000",
    oracle: "none",
    publicJwks: [],
    expected: { identityClaim: "sub", leewaySec: 60 },
    users: [],
    operations: [],
    resources: [],
    objects: [],
    probes: [],
    anonymous: [],
    strays: [],
    identities: "better-auth",
    candidates: [],
    warnings: [],
  };
}

const withCookie: Exchange = {
  request: { method: "POST", url: "http://localhost:3000/api/auth/sign-out", headers: { cookie: `better-auth.session_token=${SESSION}` } },
  response: { status: 200, headers: {}, body: "{}", durationMs: 1 },
  startedAt: 0,
};

describe("report building", () => {
  test("masks the session credentials in the evidence of cookie, CSRF, CORS and browser checks, and only there", () => {
    const report = buildReport(
      model(),
      [
        { outcome: { checkId: "cookie.cleared-on-signout", status: "pass", exchanges: [{ label: "sign-out", exchange: withCookie }] }, suiteFile: "s", durationMs: 1 },
        { outcome: { checkId: "token.alg-none", status: "pass", exchanges: [{ label: "attack", exchange: withCookie }] }, suiteFile: "s", durationMs: 1 },
      ],
      { runId: "r", toolVersion: "0", durationMs: 1, redact: (s) => s },
    );
    const cookieOf = (checkId: string) => report.results.find((r) => r.checkId === checkId)!.evidence!.exchanges[0]!.request.headers.cookie;
    expect(cookieOf("cookie.cleared-on-signout")).not.toContain(SESSION);
    expect(cookieOf("cookie.cleared-on-signout")).toContain("better-auth.session_token=");
    expect(cookieOf("token.alg-none")).toContain(SESSION);
  });

  test("collects the isolation matrix from the outcomes", () => {
    const cell = { user: "B", method: "GET", route: "/api/tasks/{id}", objectOwner: "A", expected: "404", status: 404, verdict: "enforced" as const };
    const report = buildReport(model(), [{ outcome: { checkId: "isolation.read-foreign", status: "pass", matrix: [cell] }, suiteFile: "s", durationMs: 1 }], {
      runId: "r",
      toolVersion: "0",
      durationMs: 1,
      redact: (s) => s,
    });
    expect(report.matrix?.cells).toEqual([cell]);
    expect(report.results[0]).not.toHaveProperty("matrix");
  });

  test("no answer, no verdict: a pass or fail whose evidence holds an exchange without a response becomes an error", () => {
    const refused: Exchange = { request: { method: "GET", url: "http://127.0.0.1:8000/api/me" }, error: { kind: "refused", message: "connection refused" }, startedAt: 0 };
    const outcomes = [
      { checkId: "token.alg-none" as const, status: "pass" as const, exchanges: [{ label: "alg none", exchange: refused }, { label: "positive", exchange: withCookie }] },
      { checkId: "token.wrong-key" as const, status: "fail" as const, reason: "accepted", exchanges: [{ label: "positive", exchange: withCookie }, { label: "other key", exchange: { ...refused, error: { kind: "timeout" as const, message: "no complete response within 10000 ms" } } }] },
      { checkId: "token.empty-key" as const, status: "pass" as const, exchanges: [{ label: "empty key", exchange: withCookie }] },
      { checkId: "token.kid-injection" as const, status: "skip" as const, reason: "n/a", exchanges: [{ label: "kid", exchange: refused }] },
    ];
    const report = buildReport(model(), outcomes.map((outcome) => ({ outcome, suiteFile: "s", durationMs: 1 })), { runId: "r", toolVersion: "0", durationMs: 1, redact: (s) => s });
    const byCheck = Object.fromEntries(report.results.map((r) => [r.checkId, r]));
    expect(byCheck["token.alg-none"]).toMatchObject({ status: "error", reason: 'no answer to "alg none" (refused: connection refused); it would have been pass' });
    expect(byCheck["token.wrong-key"]).toMatchObject({ status: "error", reason: expect.stringMatching(/^no answer to "other key" \(timeout: .*\); it would have been fail: accepted$/) });
    expect(byCheck["token.empty-key"]!.status).toBe("pass");
    expect(byCheck["token.kid-injection"]!.status).toBe("skip");
    expect(report.summary).toMatchObject({ passed: 1, failed: 0, errors: 2, skipped: 1, verdict: "pass" });
    expect(report.run).toEqual({ state: "complete" });
  });
});
