import { describe, expect, test } from "vitest";
import { auditEnvFor } from "../src/reference/audit-env.ts";
import { checkIdsWith, runCli } from "./helpers/cli.ts";
import { sharedReference } from "./helpers/shared-reference.ts";

// Session mode (the backend takes Better Auth's session token): the secure reference passes every session-mode
// check, the cookie-cache window is measured in seconds, and the CSRF flaw of a cookie-authenticated backend (not
// in the flaw matrix, which leaves the csrf family to its own tests) is caught with evidence. The other session
// flaws are in test/audit-flaws.test.ts.

const SESSION_MODE_CHECKS = ["session.expired-accepted", "session.revoked-accepted", "session.cookie-signature", "session.cookie-cache-window", "csrf.cookie-backend"];

describe.concurrent("session mode", () => {
  test("the secure session-mode reference passes the whole audit, and the cookie cache window is its configured 10 s", async () => {
    const run = await runCli(["reference", "--mode", "session", "--seed", "7", "--fail-on", "low", "--reporter", "json"]);
    expect(run.report, run.stderr).toBeDefined();
    const results = run.report!.results;
    for (const id of SESSION_MODE_CHECKS) {
      const mine = results.filter((r) => r.checkId === id);
      expect(mine.length, id).toBeGreaterThan(0);
      expect(mine.map((r) => r.status), id).toEqual(mine.map(() => "pass"));
    }
    expect(checkIdsWith(run.report!, "fail")).toEqual([]);
    expect(checkIdsWith(run.report!, "error")).toEqual([]);
    // The reference UI works in session mode (the browser sends the session cookie to the backend).
    expect(results.find((r) => r.checkId === "browser.token-storage")?.status).toBe("pass");
    expect(results.filter((r) => r.checkId.startsWith("isolation.")).map((r) => r.status)).toContain("pass");
    const window = results.find((r) => r.checkId === "session.cookie-cache-window")!;
    const notes = window.evidence?.notes ?? [];
    const seconds = Number(/revocation window (\d+) s/.exec(notes.join("\n"))?.[1]);
    // The reference app's session.cookieCache.maxAge is 10 s in session mode; the session is signed out right after sign-in.
    expect(seconds).toBeGreaterThanOrEqual(7);
    expect(seconds).toBeLessThanOrEqual(13);
    expect(notes).toContain("session_data cookie Max-Age 10 s");
    // JWT checks do not apply in session mode: skipped with the reason, not failed.
    expect(results.find((r) => r.checkId === "session.jwt-after-signout")?.status).toBe("skip");
    expect(results.find((r) => r.checkId === "token.alg-none")?.reason).toMatch(/^session mode/);
    expect(run.code).toBe(0);
  }, 300_000);

  test("session-cookie-csrf: a cross-site write with the session cookie is caught by csrf.cookie-backend", async () => {
    const run = await runCli(["reference", "--mode", "session", "--flaws", "session-cookie-csrf", "--only", "csrf", "--seed", "7", "--fail-on", "low", "--reporter", "json"]);
    expect(run.report, run.stderr).toBeDefined();
    expect(checkIdsWith(run.report!, "fail")).toEqual(["csrf.cookie-backend"]);
    const failing = run.report!.results.filter((r) => r.checkId === "csrf.cookie-backend" && r.status === "fail");
    for (const result of failing) {
      expect(result.severity).toBe("high");
      expect(result.reason).toMatch(/cross-site (PUT|PATCH|DELETE) with the session cookie got \d+ \(without credentials: 401\)/);
      const sent = result.evidence!.exchanges[0]!;
      expect(JSON.stringify(sent)).toContain("https://evil.example");
    }
    expect(run.code).toBe(1);
  }, 300_000);

  test("in jwks mode the session-mode checks skip with a reason", async () => {
    const run = await runCli(["reference", "--mode", "jwks", "--only", "session.expired-accepted,session.revoked-accepted,session.cookie-signature,session.cookie-cache-window,csrf.cookie-backend", "--seed", "7", "--reporter", "json"]);
    expect(run.report, run.stderr).toBeDefined();
    const results = run.report!.results;
    expect(results.map((r) => r.checkId).sort()).toEqual([...SESSION_MODE_CHECKS].sort());
    for (const r of results) {
      expect(r.status, r.checkId).toBe("skip");
      expect(r.reason).toMatch(/session mode only/);
    }
  }, 300_000);

  test("--mode session against a JWT backend stops as incomplete with the mode hint, not a PASS", async () => {
    const app = await sharedReference("jwks");
    try {
      const run = await runCli(["audit", "--reporter", "json"], { ...auditEnvFor(app), AUTHPROOF_MODE: "session" });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/does not take Better Auth's session token .*use --mode jwks or --mode shared-secret/);
    } finally {
      await app.stop();
    }
  }, 300_000);
});
