import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, test } from "vitest";
import { runCli } from "./helpers/cli.ts";

// R2.2: never a PASS that tested nothing. A run whose coverage would be empty stops with one line and exit 2;
// a target that answers with redirects gives errors, not findings.

const SECRET = randomBytes(32).toString("hex");
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** An API on loopback answering GET /openapi.json with `doc` and everything else with `answer`. */
async function serve(doc: unknown, answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string }): Promise<string> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    req.resume();
    if (path === "/openapi.json") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
      return;
    }
    const { status, headers, body } = answer(path);
    res.writeHead(status, headers).end(body ?? "");
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const TASKS_DOC = {
  openapi: "3.1.0",
  info: { title: "Tasks", version: "1" },
  components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
  security: [{ bearer: [] }],
  paths: {
    "/api/tasks": { get: { responses: { "200": { description: "ok" } } } },
    "/api/tasks/{id}": { get: { parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "ok" } } } },
    "/api/me": { get: { responses: { "200": { description: "ok" } } } },
  },
};

function oneLine(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("authproof:"));
}

describe("a run that would test nothing stops: one line, exit 2", () => {
  test("--only token.nonexistent names the unknown id and suggests the nearest", async () => {
    const api = await serve(TASKS_DOC, () => ({ status: 401 }));
    const run = await runCli(["audit", "--api", api, "--mode", "shared-secret", "--only", "token.nonexistent"], { BETTER_AUTH_SECRET: SECRET });
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toEqual([expect.stringMatching(/token\.nonexistent.*did you mean/)]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test("an OpenAPI document with no paths is incomplete", async () => {
    const api = await serve({ openapi: "3.1.0", info: { title: "Empty", version: "1" }, paths: {} }, () => ({ status: 404 }));
    const run = await runCli(["audit", "--api", api, "--mode", "shared-secret"], { BETTER_AUTH_SECRET: SECRET });
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toEqual([expect.stringMatching(/^authproof: incomplete: no operation found: the OpenAPI document lists no paths/)]);
    expect(run.stdout).not.toMatch(/PASS/);
  });
});

describe("a target that redirects every request to a sign-in page", () => {
  test("gives error results, never a finding drawn from the redirect, and no PASS", async () => {
    const api = await serve(TASKS_DOC, () => ({ status: 302, headers: { location: "/login" } }));
    const run = await runCli(["audit", "--api", api, "--mode", "shared-secret", "--only", "transport,token,claims", "--reporter", "json"], { BETTER_AUTH_SECRET: SECRET });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).not.toMatch(/PASS/);
    const report = run.report!;
    expect(report, run.stderr).toBeDefined();
    expect(report.run.state).toBe("incomplete");
    // Every check met the redirect: errors that name it, no verdict drawn from it.
    expect(report.results.filter((r) => r.status === "pass" || r.status === "fail").map((r) => r.id)).toEqual([]);
    const errors = report.results.filter((r) => r.status === "error");
    expect(errors.length).toBeGreaterThan(10);
    expect(errors.every((r) => /redirect/.test(r.reason ?? "")), errors.map((r) => r.reason).join("\n")).toBe(true);
    expect(oneLine(run.stderr).length).toBe(1);
  });
});
