import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { auditEnvFor } from "../src/reference/audit-env.ts";
import { startReference, type ReferenceApp } from "../src/reference/launch.ts";
import { ensureReferenceSetup } from "../src/reference/setup.ts";
import { runCli } from "./helpers/cli.ts";

/** An audit of the reference app leaves nothing behind, whether it finishes or is stopped with SIGTERM. */

let app: ReferenceApp;
/** Results of the full audit, when it ran first. */
let fullResults: number | undefined;

beforeAll(async () => {
  await ensureReferenceSetup();
  app = await startReference();
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

/** Rows in Better Auth's database (users, sessions, accounts) and the backend's (tasks). */
function rows(): Record<string, number> {
  const count = (file: string, table: string) => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  return {
    users: count(app.authDatabasePath, "user"),
    sessions: count(app.authDatabasePath, "session"),
    accounts: count(app.authDatabasePath, "account"),
    tasks: count(app.tasksDatabasePath, "tasks"),
  };
}

describe("clean-up after auditing the reference app", () => {
  test("a full audit: none of its tasks, users or sessions are left in either database", async () => {
    const before = rows();
    const run = await runCli(["audit", "--seed", "42", "--reporter", "json"], auditEnvFor(app), 300_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.report?.run).toEqual({ state: "complete" });
    expect(run.stderr).not.toMatch(/left behind/);
    expect(rows()).toEqual(before);
    fullResults = run.report!.results.length;
  }, 400_000);

  test("SIGTERM mid-audit: exit 2, a partial report with the finished results, and nothing left behind", async () => {
    const before = rows();
    const run = await runCli(["audit", "--seed", "43", "--reporter", "json,html"], auditEnvFor(app), 300_000, {
      when: /^done: transport \(\d+ results\)/m,
      afterMs: 1_000,
      signal: "SIGTERM",
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^authproof: interrupted by SIGTERM: \d+ results finished, partial report written to /m);
    const report = run.report!;
    expect(report.run).toEqual({ state: "partial", reason: "interrupted by SIGTERM" });
    expect(report.results.length).toBeGreaterThanOrEqual(1);
    if (fullResults !== undefined) expect(report.results.length).toBeLessThan(fullResults);
    expect(rows()).toEqual(before);
  }, 400_000);
});

describe("authproof reference under SIGTERM", () => {
  test("stops the audit and the reference app's servers, exit 2 with a partial report", async () => {
    const run = await runCli(["reference", "--seed", "44", "--reporter", "json"], {}, 300_000, {
      when: /created \d+ objects/,
      afterMs: 8_000,
      signal: "SIGTERM",
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.report?.run.state).toBe("partial");
    const [, web, api] = /reference app: web (\S+), api (\S+)/.exec(run.stderr) ?? [];
    expect(web && api).toBeTruthy();
    for (const url of [web!, api!]) {
      const answer = await fetch(url, { signal: AbortSignal.timeout(3000) }).then(
        () => "answered",
        (error: Error) => String((error.cause as { code?: string } | undefined)?.code ?? error.message),
      );
      expect(answer, url).toBe("ECONNREFUSED");
    }
  }, 400_000);
});
