import { request } from "undici";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { backendTokenFor, signUpUser } from "../src/reference/accounts.ts";
import { startReference } from "../src/reference/launch.ts";
import { checkIdsWith, runCli } from "./helpers/cli.ts";
import { startTestPostgres, type TestPostgres } from "./helpers/postgres.ts";

// The reference app on PostgreSQL (the integration guide's database): Better Auth's tables and the backend's
// tasks in one throw-away PostgreSQL server on loopback, and one full audit of it that passes.

describe("a full reference audit on PostgreSQL", () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startTestPostgres();
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
  });

  test("passes, with Better Auth's users and the tasks stored in PostgreSQL", async () => {
    const run = await runCli(["reference", "--mode", "jwks", "--database-url", pg.url, "--seed", "7", "--reporter", "json"], {}, 300_000);
    expect(run.report, run.stderr).toBeDefined();
    expect(checkIdsWith(run.report!, "fail"), run.stderr).toEqual([]);
    expect(checkIdsWith(run.report!, "error")).toEqual([]);
    expect(run.code, run.stderr).toBe(0);

    const tables = pg.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'").flat();
    expect(tables).toEqual(expect.arrayContaining(["user", "session", "account", "tasks"]));
    // The audit removes its users and tasks at the end; PostgreSQL's own statistics show they were written there.
    const inserted = Object.fromEntries(pg.query("SELECT relname, n_tup_ins FROM pg_stat_user_tables").map(([table, count]) => [table, Number(count)]));
    expect(inserted.user).toBeGreaterThanOrEqual(2);
    expect(inserted.session).toBeGreaterThanOrEqual(2);
    expect(inserted.tasks).toBeGreaterThanOrEqual(2);
    expect(Number(pg.query(`SELECT count(*) FROM "user"`)[0]![0])).toBe(0);
  }, 320_000);

  test("session mode: session.expired-accepted expires the audit's own session in PostgreSQL, and the backend refuses it", async () => {
    // A database of its own: Better Auth's jwt() plugin stores a key encrypted with this app's (random) secret,
    // which the next test's app, with another secret, could not read.
    pg.query("CREATE DATABASE session_mode");
    const url = pg.url.replace(/\/postgres$/, "/session_mode");
    const run = await runCli(["reference", "--mode", "session", "--database-url", url, "--only", "session.expired-accepted,session.revoked-accepted", "--seed", "7", "--reporter", "json"], {}, 300_000);
    expect(run.report, run.stderr).toBeDefined();
    const expired = run.report!.results.find((r) => r.checkId === "session.expired-accepted");
    expect(expired?.status, JSON.stringify(expired)).toBe("pass");
    expect(expired!.evidence!.exchanges.map((x) => x.response?.status)).toEqual([200, 401]);
    expect(checkIdsWith(run.report!, "fail")).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
  }, 320_000);

  test("shared-secret mode: the backend reads users and roles from Better Auth's tables in PostgreSQL", async () => {
    const app = await startReference({ mode: "shared-secret", databaseUrl: pg.url });
    try {
      const user = await signUpUser(app);
      const adminTasks = async () => {
        const token = await backendTokenFor(app, user);
        const response = await request(`${app.apiUrl}/api/admin/tasks`, { headers: { authorization: `Bearer ${token}` } });
        await response.body.dump();
        return response.statusCode;
      };
      expect(await adminTasks()).toBe(403);
      pg.query(`UPDATE "user" SET role = 'admin' WHERE id = '${user.id}'`);
      expect(await adminTasks()).toBe(200);
      expect(pg.query(`SELECT role FROM "user" WHERE id = '${user.id}'`)).toEqual([["admin"]]);
    } finally {
      await app.stop();
    }
  }, 120_000);
});
