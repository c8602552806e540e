import { describe, expect, test } from "vitest";
import { judgeCsrf, type CsrfAttempt } from "../src/checks/csrf/judge.ts";
import type { Exchange } from "../src/http/types.ts";

const endpoint = { method: "POST", path: "/api/auth/update-user" };
const FOREIGN = "https://evil.test";

function answer(path: string, origin: string, status: number, json?: unknown): Exchange {
  return {
    request: { method: "POST", url: `http://app.test/api/auth/${path}`, headers: { cookie: "better-auth.session_token=abcdefghijklmnopqrstuvwxyz", origin } },
    response: { status, headers: {}, body: json ? JSON.stringify(json) : "", ...(json ? { json } : {}), durationMs: 1 },
    startedAt: 0,
  };
}

function attempts(update: number, nullOrigin: number, signOut: number): CsrfAttempt[] {
  return [
    { label: `POST update-user with Origin: ${FOREIGN}`, origin: FOREIGN, exchange: answer("update-user", FOREIGN, update, update === 403 ? { code: "INVALID_ORIGIN" } : { status: true }) },
    { label: "POST update-user with Origin: null", origin: "null", exchange: answer("update-user", "null", nullOrigin) },
    { label: `POST sign-out with Origin: ${FOREIGN}`, origin: FOREIGN, exchange: answer("sign-out", FOREIGN, signOut) },
  ];
}

const control = answer("update-user", "http://app.test", 200, { status: true });
const alive = { alive: true, exchange: answer("get-session", "", 200) };

describe("csrf.untrusted-origin", () => {
  test("403 for every foreign-origin call with a working control passes", () => {
    const outcome = judgeCsrf(endpoint, { attempts: attempts(403, 403, 403), control, sessionSurvived: alive });
    expect(outcome.status).toBe("pass");
    expect(outcome.notes![0]).toContain("403 INVALID_ORIGIN");
    expect(outcome.exchanges![0]!.exchange.request.headers!.cookie).toContain("better-auth.session_token=");
  });

  test("an accepted foreign-origin call fails, naming the origin", () => {
    const outcome = judgeCsrf(endpoint, { attempts: attempts(200, 403, 403), control, sessionSurvived: alive });
    expect(outcome.status).toBe("fail");
    expect(outcome.reason).toContain(FOREIGN);
    expect(outcome.failedVariants).toEqual([`POST update-user with Origin: ${FOREIGN}: answered 200: the call was accepted`]);
    expect(outcome.reason).toContain("NODE_ENV=test");
  });

  test("Origin: null accepted fails too", () => {
    const outcome = judgeCsrf(endpoint, { attempts: attempts(403, 200, 403), control, sessionSurvived: alive });
    expect(outcome.status).toBe("fail");
    expect(outcome.reason).toContain("null");
  });

  test("a foreign sign-out that killed the session fails even if its status looked like a refusal", () => {
    const outcome = judgeCsrf(endpoint, { attempts: attempts(403, 403, 403), control, sessionSurvived: { ...alive, alive: false } });
    expect(outcome.status).toBe("fail");
    expect(outcome.failedVariants![0]).toContain("the cross-site sign-out took effect");
  });

  test("a refusal other than 403 passes with a note", () => {
    const outcome = judgeCsrf(endpoint, { attempts: attempts(400, 403, 403), control, sessionSurvived: alive });
    expect(outcome.status).toBe("pass");
    expect(outcome.notes!.join(" ")).toContain("refused with 400 (403 expected)");
  });

  test("a failing positive control is an error: refusals prove nothing then", () => {
    const outcome = judgeCsrf(endpoint, { attempts: attempts(403, 403, 403), control: answer("update-user", "http://app.test", 401) });
    expect(outcome.status).toBe("error");
    expect(outcome.reason).toContain("positive control failed");
  });

  test("5xx is not a refusal", () => {
    expect(judgeCsrf(endpoint, { attempts: attempts(500, 403, 403), control, sessionSurvived: alive }).status).toBe("fail");
  });
});
