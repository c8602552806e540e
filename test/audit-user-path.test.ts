import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReferenceApp } from "../src/reference/launch.ts";
import { BACKEND_PYTHON, freePort } from "./helpers/backend.ts";
import { checkIdsWith, REPO_ROOT, runCli } from "./helpers/cli.ts";
import { sharedReference } from "./helpers/shared-reference.ts";

// A differently shaped target (user id in every path, integer ids), audited from configuration alone.
// Better Auth (the reference frontend, shared-secret mode) issues the tokens; the fixture verifies them.

const FIXTURE_DIR = path.join(REPO_ROOT, "fixtures", "user-path-api");
let auth: ReferenceApp;
const fixtures: ChildProcess[] = [];

async function startFixture(flaws: string): Promise<string> {
  const port = await freePort();
  const child = spawn(BACKEND_PYTHON, ["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", String(port), "--no-access-log"], {
    cwd: FIXTURE_DIR,
    env: { PATH: process.env.PATH ?? "", BETTER_AUTH_SECRET: auth.secret, JWT_ISSUER: new URL(auth.webUrl).origin, FIXTURE_FLAWS: flaws },
    stdio: "ignore",
  });
  fixtures.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("fixture did not start");
}

function configFor(apiUrl: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-fixture-"));
  const file = path.join(dir, "authproof.config.json");
  writeFileSync(
    file,
    JSON.stringify({
      api: { baseUrl: apiUrl },
      auth: { baseUrl: auth.webUrl, tokenPath: "/api/backend-token" },
      mode: "shared-secret",
      rate: { rps: 0 },
    }),
  );
  return file;
}

beforeAll(async () => {
  auth = await sharedReference("shared-secret");
});

afterAll(async () => {
  for (const child of fixtures) child.kill("SIGTERM");
  await auth?.stop();
});

describe("user-id-in-path target with integer ids, configured only", () => {
  test("every isolation check runs and passes on the secure fixture", async () => {
    const api = await startFixture("");
    const run = await runCli(["audit", "--config", configFor(api), "--only", "isolation", "--seed", "11"], { BETTER_AUTH_SECRET: auth.secret });
    expect(run.code, run.stderr).toBe(0);
    const report = run.report!;
    expect(checkIdsWith(report, "pass")).toEqual([
      "isolation.enumeration",
      "isolation.list-foreign",
      "isolation.mass-assignment",
      "isolation.path-user",
      "isolation.read-foreign",
      "isolation.write-foreign",
    ]);
    expect(checkIdsWith(report, "fail")).toEqual([]);
    const pathUser = report.results.filter((r) => r.checkId === "isolation.path-user").map((r) => r.endpoint?.path);
    expect(pathUser).toContain("/api/{user_id}/tasks/{task_id}");
  });

  test("a route that trusts the path's user id fails isolation.path-user, and only that", async () => {
    const api = await startFixture("path-user-trust");
    const run = await runCli(["audit", "--config", configFor(api), "--only", "isolation", "--seed", "11"], { BETTER_AUTH_SECRET: auth.secret });
    expect(run.code, run.stderr).toBe(1);
    expect(checkIdsWith(run.report!, "fail")).toEqual(["isolation.path-user"]);
    const finding = run.report!.results.find((r) => r.checkId === "isolation.path-user" && r.status === "fail")!;
    expect(finding.evidence?.exchanges[0]?.response?.status).toBe(200);
  });
});
