import { describe, expect, test } from "vitest";
import { foldAttackOutcomes } from "../src/checks/attack/fold.ts";
import { judgeAttack } from "../src/checks/attack/judge.ts";
import type { Attack } from "../src/checks/attack/types.ts";
import { judgeForeignList, judgeForeignRead } from "../src/checks/isolation/judge.ts";
import { judgeUnprotected } from "../src/checks/transport/judge.ts";
import type { Exchange } from "../src/http/types.ts";
import { controlProblem } from "../src/judge/controls.ts";
import { foreignDataIn } from "../src/judge/leaks.ts";
import type { Controls } from "../src/judge/types.ts";

// The R2.2 rules, judge by judge: severity by impact, structural leaks, no answer no verdict, unprotected routes.

const endpoint = { method: "GET", path: "/api/tasks" };
function exchange(status: number | undefined, body = "{}", headers: Record<string, string> = {}): Exchange {
  const request = { method: "GET", url: "http://127.0.0.1:1/api/tasks" };
  if (status === undefined) return { request, error: { kind: "refused", message: "ECONNREFUSED" }, startedAt: 0 };
  return { request, response: { status, headers, body, durationMs: 5 }, startedAt: 0 };
}
const controls: Controls = { positive: exchange(200, '[{"id":"a1"}]'), negative: exchange(401), invalid: exchange(401) };
const judge = { maxLatencyMs: 2000 };
const attack = (variant: string, impact: Attack["impact"], claims: Record<string, unknown> = { sub: "user-a" }): Attack => ({
  checkId: "token.signature-invalid",
  variant,
  authorization: "Bearer x.y.z",
  expect: "reject",
  ...(impact ? { impact } : {}),
  token: { header: {}, claims },
});

describe("severity by impact", () => {
  test("a result's severity is its worst accepted variant's: forgery critical, leniency info", () => {
    const lenient = judgeAttack(attack("padded", "leniency"), exchange(200), controls, judge);
    const forged = judgeAttack(attack("flipped", "forgery"), exchange(200), controls, judge);
    const rejected = judgeAttack(attack("zero", "forgery"), exchange(401), controls, judge);
    expect(foldAttackOutcomes("token.signature-invalid", endpoint, controls, [lenient, rejected])).toMatchObject({ status: "fail", severity: "info", impact: "leniency" });
    expect(foldAttackOutcomes("token.signature-invalid", endpoint, controls, [lenient, forged, rejected])).toMatchObject({ status: "fail", severity: "critical", impact: "forgery" });
  });

  test("claims variants carry their own severity, else the check's", () => {
    const unknownUser = { ...attack("unknown user", "claims"), checkId: "claims.sub" as const, severity: "info" as const };
    const missing = { ...attack("missing", "claims"), checkId: "claims.sub" as const };
    const outcomes = (a: Attack) => [judgeAttack(a, exchange(200), controls, judge)];
    expect(foldAttackOutcomes("claims.sub", endpoint, controls, outcomes(unknownUser)).severity).toBe("info");
    expect(foldAttackOutcomes("claims.sub", endpoint, controls, outcomes(missing)).severity).toBe("high");
  });

  test("a forgery that comes back as the identity it chose is an exploit confirmed", () => {
    const forged = judgeAttack(attack("tampered", "forgery", { sub: "victim-0123456789" }), exchange(200, '{"id":"victim-0123456789"}'), controls, { ...judge, identityClaim: "sub" });
    expect(forged.exploitConfirmed).toBe(true);
    expect(foldAttackOutcomes("token.signature-tampered", endpoint, controls, [forged]).exploitConfirmed).toBe(true);
  });
});

describe("no answer, no verdict", () => {
  test("refused, timed out or redirected attacks decide nothing", () => {
    const refused = judgeAttack(attack("a", "forgery"), exchange(undefined), controls, judge);
    const redirected = judgeAttack(attack("b", "forgery"), exchange(307, "", { location: "https://elsewhere.test/" }), controls, judge);
    expect([refused.kind, redirected.kind]).toEqual(["unanswered", "unanswered"]);
    expect(foldAttackOutcomes("token.alg-none", endpoint, controls, [refused, redirected]).status).toBe("error");
  });

  test("a redirected or unanswered control makes the check an error", () => {
    expect(controlProblem({ ...controls, positive: exchange(307) })).toMatch(/redirected/);
    expect(controlProblem({ ...controls, negative: exchange(undefined) })).toMatch(/no response/);
  });

  test("an invalid token that gets what the valid one gets, on a non-2xx answer, is not reached", () => {
    const write = { positive: exchange(422), negative: exchange(401), invalid: exchange(422) };
    expect(controlProblem(write)).toMatch(/not reached/);
    expect(controlProblem({ ...write, invalid: exchange(401) })).toBeUndefined();
  });
});

describe("structural leaks", () => {
  test("a small integer id is a leak only as an id member, never as a substring", () => {
    const foreign = { userIds: ["user-a-0123456789abcdef"], objectIds: ["3"] };
    expect(foreignDataIn('[{"id":13,"title":"3 apples","count":3}]', foreign)).toBeUndefined();
    expect(foreignDataIn('{"tasks":[{"id":3}]}', foreign)).toBe("tasks[0].id = 3");
    expect(foreignDataIn('{"owner_id":"user-a-0123456789abcdef"}', foreign)).toMatch(/^owner_id = /);
    expect(foreignDataIn("plain text with 3 in it", foreign)).toBeUndefined();
  });

  test("isolation judges use it", () => {
    const foreign = { userIds: ["user-a-0123456789abcdef"], objectIds: ["7"] };
    const own = { label: "A", exchange: exchange(200, '{"id":7}') };
    expect(judgeForeignRead("isolation.read-foreign", endpoint, { label: "B", exchange: exchange(404, '{"detail":"Task 17 not found"}') }, own, foreign, [403, 404]).status).toBe("pass");
    expect(judgeForeignList(endpoint, { label: "B", exchange: exchange(200, '[{"id":17},{"id":27}]') }, foreign).status).toBe("pass");
    expect(judgeForeignList(endpoint, { label: "B", exchange: exchange(200, '[{"id":7}]') }, foreign).status).toBe("fail");
  });
});

describe("transport.unprotected-route", () => {
  const context = { method: "GET", declaresSecurity: false, auditData: { userIds: ["user-a-0123456789abcdef"], objectIds: ["42"] } };
  test("a fixed public answer passes; the audit users' data, a declared security requirement or a write fail", () => {
    expect(judgeUnprotected(endpoint, exchange(200, '{"status":"ok","version":"1.2"}'), context).status).toBe("pass");
    expect(judgeUnprotected(endpoint, exchange(200, '[{"id":42}]'), context).status).toBe("fail");
    expect(judgeUnprotected(endpoint, exchange(200, '{"status":"ok"}'), { ...context, declaresSecurity: true }).status).toBe("fail");
    expect(judgeUnprotected(endpoint, exchange(204, ""), { ...context, method: "DELETE" }).status).toBe("fail");
  });

  test("a write that answers without a token exactly as with one ran without authentication", () => {
    const missing = exchange(404, '{"detail":"Task not found"}');
    expect(judgeUnprotected(endpoint, missing, { ...context, method: "DELETE", withToken: missing }).status).toBe("fail");
    expect(judgeUnprotected(endpoint, missing, { ...context, method: "DELETE", withToken: exchange(404, '{"detail":"other"}') }).status).toBe("pass");
  });

  test("an operation that would change data the audit did not create is skipped, with what the document says", () => {
    const outcome = judgeUnprotected(endpoint, undefined, { ...context, method: "DELETE" }, "would change data the audit did not create (an admin or bulk route)");
    expect(outcome).toMatchObject({ status: "skip", reason: expect.stringContaining("would change data"), notes: ["the OpenAPI document declares no security for it"] });
  });
});
