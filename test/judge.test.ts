import { describe, expect, test } from "vitest";
import type { Attack } from "../src/checks/attack/types.ts";
import type { Exchange } from "../src/http/types.ts";
import { judgeAttack } from "../src/checks/attack/judge.ts";
import { judgeErrorLeak } from "../src/checks/hygiene/error-leak.ts";
import { judgeEnumeration, judgeForeignWrite } from "../src/checks/isolation/judge.ts";
import { judgeLifetime } from "../src/checks/claims/lifetime.ts";
import { foldAttackOutcomes } from "../src/checks/attack/fold.ts";
import { judgeChallengeHeader, judgeMissingToken } from "../src/checks/transport/judge.ts";
import type { Controls } from "../src/judge/types.ts";

const endpoint = { method: "GET", path: "/api/tasks" };

function exchange(status: number, body = "{}", headers: Record<string, string> = {}, durationMs = 5): Exchange {
  return { request: { method: "GET", url: "http://127.0.0.1:1/api/tasks" }, response: { status, headers, body, durationMs }, startedAt: 0 };
}

function attack(variant: string, expect: "reject" | "accept" = "reject", checkId: Attack["checkId"] = "token.alg-none"): Attack {
  return { checkId, variant, authorization: "Bearer x.y.z", expect };
}

const controls: Controls = { positive: exchange(200, '[{"id":"a1"}]'), negative: exchange(401) };
const judge = { maxLatencyMs: 2000, foreign: { userIds: ["user-b"], objectIds: [] } };

describe("judgeAttack", () => {
  test("401 rejects, 2xx accepts, a status equal to the valid token's accepts, 5xx is not acceptance", () => {
    expect(judgeAttack(attack("a"), exchange(401), controls, judge).failed).toBe(false);
    expect(judgeAttack(attack("a"), exchange(200), controls, judge).failed).toBe(true);
    const writeControls = { positive: exchange(404), negative: exchange(401) };
    expect(judgeAttack(attack("a"), exchange(404), writeControls, judge).kind).toBe("accepted");
    expect(judgeAttack(attack("a"), exchange(500), controls, judge)).toMatchObject({ kind: "server-error", failed: false });
    expect(judgeAttack(attack("a", "reject", "token.malformed"), exchange(500), controls, { ...judge, crashIsFailure: true }).failed).toBe(true);
  });

  test("another user's data in an answer fails even an expected acceptance", () => {
    expect(judgeAttack(attack("a", "accept"), exchange(200, '{"owner":"user-b"}'), controls, judge).failed).toBe(true);
    expect(judgeAttack(attack("a", "accept"), exchange(200, "[]"), controls, judge).failed).toBe(false);
  });

  test("an opaque value that gets 403 where the invalid control gets 401 got past the token check (a backdoor user on a foreign path)", () => {
    const withInvalid: Controls = { positive: exchange(200), negative: exchange(401), invalid: exchange(401) };
    const opaque: Attack = { checkId: "token.magic-value", variant: "whole token=guest_token", authorization: "Bearer guest_token", expect: "reject", likeInvalidControl: true };
    expect(judgeAttack(opaque, exchange(403, '{"detail":"Forbidden"}'), withInvalid, { ...judge, impact: "forgery" })).toMatchObject({ kind: "accepted", failed: true, impact: "forgery" });
    expect(judgeAttack(opaque, exchange(401), withInvalid, judge).failed).toBe(false);
    // Not when the invalid control gets 403 too, and not for a JWT-shaped variant.
    expect(judgeAttack(opaque, exchange(403), { ...withInvalid, invalid: exchange(403) }, judge).failed).toBe(false);
    expect(judgeAttack({ ...opaque, likeInvalidControl: undefined }, exchange(403), withInvalid, judge).failed).toBe(false);
  });

  test("a slow rejection is flagged", () => {
    expect(judgeAttack(attack("a"), exchange(401, "{}", {}, 5000), controls, judge).kind).toBe("slow");
  });
});

describe("foldAttackOutcomes", () => {
  test("a failed positive control makes the verdict error, not pass", () => {
    const broken = { positive: exchange(401), negative: exchange(401) };
    const outcome = judgeAttack(attack("a"), exchange(401), broken, judge);
    expect(foldAttackOutcomes("token.alg-none", endpoint, broken, [outcome]).status).toBe("error");
  });

  test("a route refused to the audit's own user (403 with and without a token) is skipped with the reason; other equal controls are errors", () => {
    const adminOnly = { positive: exchange(403), negative: exchange(403) };
    const folded = foldAttackOutcomes("token.alg-none", endpoint, adminOnly, [judgeAttack(attack("a"), exchange(403), adminOnly, judge)]);
    expect(folded).toMatchObject({ status: "skip", reason: expect.stringMatching(/not open to the audit's user/) });
    const validation = { positive: exchange(422), negative: exchange(422) };
    expect(foldAttackOutcomes("token.alg-none", endpoint, validation, [judgeAttack(attack("a"), exchange(422), validation, judge)]).status).toBe("error");
  });

  test("one accepted variant fails the check and is named", () => {
    const outcomes = [judgeAttack(attack("alg=none"), exchange(401), controls, judge), judgeAttack(attack("alg=nOnE"), exchange(200), controls, judge)];
    const folded = foldAttackOutcomes("token.alg-none", endpoint, controls, outcomes);
    expect(folded.status).toBe("fail");
    expect(folded.failedVariants?.[0]).toMatch(/nOnE/);
    expect(folded.variants).toEqual({ total: 2, failed: 1 });
  });
});

describe("other judges", () => {
  test("missing token: 403 fails, any 401 passes; the challenge is transport.challenge-header's, at low", () => {
    expect(judgeMissingToken(endpoint, exchange(403)).status).toBe("fail");
    expect(judgeMissingToken(endpoint, exchange(401)).status).toBe("pass");
    expect(judgeMissingToken(endpoint, exchange(307)).status).toBe("error");
    const bare = judgeChallengeHeader(endpoint, [{ label: "no token", exchange: exchange(401) }]);
    expect(bare.status).toBe("fail");
    expect(judgeChallengeHeader(endpoint, [{ label: "no token", exchange: exchange(401, "{}", { "www-authenticate": "Bearer" }) }]).status).toBe("pass");
    expect(judgeChallengeHeader(endpoint, [{ label: "no token", exchange: exchange(403) }]).status).toBe("skip");
  });

  test("error leak: tracebacks and library text are findings; an app's own different wording is a note", () => {
    const leak = judgeAttack(attack("a"), exchange(401, "Traceback (most recent call last):"), controls, judge);
    expect(judgeErrorLeak(endpoint, [leak])).toMatchObject({ status: "fail", severity: "medium" });
    const library = judgeAttack(attack("a"), exchange(401, '{"detail":"Signature has expired"}'), controls, judge);
    const invalid = judgeAttack(attack("b"), exchange(401, '{"detail":"Invalid token"}'), controls, judge);
    expect(judgeErrorLeak(endpoint, [library, invalid])).toMatchObject({ status: "fail", severity: "low" });
    const expired = judgeAttack(attack("c"), exchange(401, '{"detail":"Token expired"}'), controls, judge);
    const outcome = judgeErrorLeak(endpoint, [expired, invalid]);
    expect(outcome.status).toBe("pass");
    expect(outcome.notes?.join(" ")).toContain("different bodies");
  });

  test("enumeration: 403 next to 404 fails; the same answer passes", () => {
    const label = (status: number, body: string) => ({ label: "", exchange: exchange(status, body) });
    expect(judgeEnumeration(endpoint, label(403, '{"detail":"x"}'), label(404, '{"detail":"x"}'), "1", "2").status).toBe("fail");
    expect(judgeEnumeration(endpoint, label(404, '{"detail":"Not found 1"}'), label(404, '{"detail":"Not found 2"}'), "1", "2").status).toBe("pass");
  });

  test("a refused foreign write that still changed the object is a breach", () => {
    const l = (status: number, body = "{}") => ({ label: "", exchange: exchange(status, body) });
    expect(judgeForeignWrite(endpoint, l(404), l(200, '{"t":1}'), l(200, '{"t":2}'), false).status).toBe("fail");
    expect(judgeForeignWrite(endpoint, l(404), l(200, '{"t":1}'), l(200, '{"t":1}'), false).status).toBe("pass");
    expect(judgeForeignWrite(endpoint, l(404), l(200), l(404), true).status).toBe("fail");
  });

  test("token lifetime against the policy", () => {
    expect(judgeLifetime([{ label: "A", claims: { iat: 0, exp: 900 } }], 3600).status).toBe("pass");
    expect(judgeLifetime([{ label: "A", claims: { iat: 0, exp: 86400 } }], 3600).status).toBe("fail");
    expect(judgeLifetime([{ label: "A", claims: { iat: 0 } }], 3600).status).toBe("fail");
  });
});
