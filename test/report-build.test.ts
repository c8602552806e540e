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
});
