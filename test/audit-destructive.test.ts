import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HttpDriver } from "../src/http/driver.ts";
import { auditEnvFor } from "../src/reference/audit-env.ts";
import { startReference, type ReferenceApp } from "../src/reference/launch.ts";
import { fetchBackendToken, makeTestUser, signUp } from "../src/target/identities.ts";
import { runCli } from "./helpers/cli.ts";

// R2.0: an audit changes nothing it did not create. The bulk-delete flaw exposes an unauthenticated
// DELETE /api/admin/clear-all; by default the audit must not send it, and a bystander's data survives.

let app: ReferenceApp;
const ROUTE = "transport.unprotected-route DELETE /api/admin/clear-all";

function taskRows(): number {
  const db = new Database(path.join(path.dirname(app.authDatabasePath), "tasks.db"), { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM tasks").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A user who is not part of the audit, with one task of their own. */
async function bystanderTask(): Promise<void> {
  const driver = new HttpDriver({ allowedOrigins: [new URL(app.webUrl).origin, new URL(app.apiUrl).origin] });
  try {
    const auth = { baseUrl: app.webUrl, basePath: "/api/auth" };
    const identity = await signUp(driver, auth, makeTestUser(Date.now() % 100_000, 9));
    const token = await fetchBackendToken(driver, { ...auth, tokenPath: "/api/auth/token", tokenField: "token" }, identity);
    const created = await driver.send({ method: "POST", url: `${app.apiUrl}/api/tasks`, headers: { authorization: `Bearer ${token}` }, json: { title: "bystander's task", priority: "low" } });
    expect(created.response?.status).toBe(201);
  } finally {
    await driver.close();
  }
}

beforeAll(async () => {
  app = await startReference({ mode: "jwks", flaws: ["bulk-delete"] });
  await bystanderTask();
});
afterAll(async () => {
  await app?.stop();
});

describe("a route that cannot be aimed at the audit's own objects", () => {
  test("is not sent by default: skipped with the reason, every row intact", async () => {
    const before = taskRows();
    const run = await runCli(["audit", "--only", "transport,token.alg-none", "--seed", "5", "--reporter", "json"], auditEnvFor(app));
    expect(run.report, run.stderr).toBeDefined();
    const result = run.report!.results.find((r) => r.id === ROUTE);
    expect(result).toMatchObject({ status: "skip", reason: expect.stringContaining("would change data the audit did not create") });
    expect(result?.evidence?.notes).toContain("the OpenAPI document declares no security for it");
    expect(taskRows()).toBe(before);
    expect(before).toBeGreaterThanOrEqual(1);
  });

  test("with --allow-destructive it is sent, and fails", async () => {
    const run = await runCli(["audit", "--only", "transport.unprotected-route", "--seed", "5", "--reporter", "json", "--allow-destructive"], auditEnvFor(app));
    expect(run.report, run.stderr).toBeDefined();
    expect(run.report!.results.find((r) => r.id === ROUTE)).toMatchObject({ status: "fail" });
    expect(run.code).toBe(1);
    expect(taskRows()).toBe(0);
  });
});
