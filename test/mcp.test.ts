import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, expect, test } from "vitest";
import { auditEnvFor } from "../src/reference/audit-env.ts";
import { startReference, type ReferenceApp } from "../src/reference/launch.ts";
import { CLI, REPO_ROOT } from "./helpers/cli.ts";

// A real MCP client (the SDK's) starts `authproof mcp` over stdio and audits a reference app seeded with
// alg-none: the audit names token.alg-none, explain_finding explains it, and no secret reaches any tool result.

let app: ReferenceApp;
let client: Client;
const texts: string[] = [];
const PASSWORD = "mcp-test-password-Zq81xv";

function textOf(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text?: string }> }).content;
  const text = content.map((c) => c.text ?? "").join("\n");
  texts.push(text);
  return text;
}

beforeAll(async () => {
  app = await startReference({ mode: "jwks", flaws: ["alg-none"] });
  const { AUTHPROOF_API_URL: _api, AUTHPROOF_AUTH_URL: _auth, ...keys } = auditEnvFor(app);
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|NODE_ENV$|TEST$|AUTHPROOF_|BETTER_AUTH_SECRET$)/.test(name)));
  const transport = new StdioClientTransport({
    command: CLI,
    args: ["mcp"],
    cwd: mkdtempSync(path.join(tmpdir(), "authproof-mcp-")),
    env: { ...(cleanEnv as Record<string, string>), ...keys, AUTHPROOF_PASSWORD: PASSWORD },
    stderr: "pipe",
  });
  client = new Client({ name: "authproof-test", version: "0.0.0" });
  await client.connect(transport);
}, 120_000);

afterAll(async () => {
  await client?.close();
  await app?.stop();
});

test("tools are listed, list_checks filters", async () => {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual(["audit", "compare_reports", "explain_finding", "list_checks"]);
  const listed = JSON.parse(textOf(await client.callTool({ name: "list_checks", arguments: { idPrefix: "token.alg" } }))) as { checks: Array<{ id: string }> };
  expect(listed.checks.length).toBeGreaterThan(1);
  expect(listed.checks.every((c) => c.id.startsWith("token.alg"))).toBe(true);
  expect(listed.checks.map((c) => c.id)).toContain("token.alg-none");
});

test("a secret passed as an argument is refused without being echoed", async () => {
  const result = await client.callTool({ name: "audit", arguments: { apiUrl: app.apiUrl, only: app.secret } });
  const text = textOf(result);
  expect(result.isError).toBe(true);
  expect(text).toMatch(/^refused: only looks like/);
  const unknown = await client.callTool({ name: "audit", arguments: { apiUrl: app.apiUrl, secret: "x" } });
  textOf(unknown);
  expect(unknown.isError).toBe(true);
});

test("audit names token.alg-none (with progress), explain_finding explains it, the latest report is a resource; no secret in any result", async () => {
  const progress: Array<{ progress: number; total?: number }> = [];
  const result = await client.callTool(
    { name: "audit", arguments: { apiUrl: app.apiUrl, authUrl: app.webUrl, only: "token", seed: 7 } },
    undefined,
    { timeout: 600_000, resetTimeoutOnProgress: true, onprogress: (p) => progress.push(p) },
  );
  const text = textOf(result);
  expect(result.isError, text).toBeFalsy();
  const view = JSON.parse(text) as { verdict: string; exitCode: number; counts: { failed: number }; findings: Array<{ id: string; checkId: string }> };
  expect(view.verdict).toBe("fail");
  expect(view.exitCode).toBe(1);
  const finding = view.findings.find((f) => f.checkId === "token.alg-none");
  expect(finding, text).toBeDefined();
  expect(progress.length).toBeGreaterThan(3);
  expect(progress.at(-1)!.total).toBeGreaterThan(0);

  const explained = JSON.parse(textOf(await client.callTool({ name: "explain_finding", arguments: { id: finding!.id } }))) as Record<string, unknown>;
  expect(explained.checkId).toBe("token.alg-none");
  expect(String(explained.howToFix).length).toBeGreaterThan(10);
  expect(String(explained.whyItMatters).length).toBeGreaterThan(10);
  expect((explained.references as string[]).length).toBeGreaterThan(0);
  const reproduction = explained.reproduction as Array<{ curl?: string }>;
  expect(reproduction[0]?.curl).toMatch(/^curl /);

  const diff = JSON.parse(textOf(await client.callTool({ name: "compare_reports", arguments: { baseline: `${(view as unknown as { reportDir: string }).reportDir}/report.json` } }))) as { counts: { unchanged: number; new: number } };
  expect(diff.counts.new).toBe(0);
  expect(diff.counts.unchanged).toBe(view.counts.failed);

  const resource = await client.readResource({ uri: "authproof://reports/latest" });
  const resourceText = (resource.contents[0] as { text: string }).text;
  texts.push(resourceText);
  expect(JSON.parse(resourceText).runId).toBe((view as unknown as { runId: string }).runId);

  const secrets = [app.secret, String(app.signingJwk!.d), PASSWORD];
  for (const secret of secrets) for (const t of texts) expect(t.includes(secret), "a secret reached a tool result").toBe(false);
  expect(texts.length).toBeGreaterThanOrEqual(7);
}, 600_000);
