import { join, resolve } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
import { CATEGORIES, SEVERITIES } from "../catalogue/types.ts";
import { loadConfig, loadTargetConfigs } from "../config/load.ts";
import { auditTargets } from "../run/targets.ts";
import { loadReport } from "../report/load.ts";
import type { Report } from "../report/schema.ts";
import { runAudit } from "../run/audit.ts";
import { packageInfo } from "../package.ts";
import { firstSecretArgument, redactEnv } from "./guard.ts";
import { auditView, checkList, comparison, explanation } from "./views.ts";

/** Where the reports go when neither the config nor the call names a directory (as `authproof audit`). */
const DEFAULT_OUT = "reports";
export const LATEST_REPORT_URI = "authproof://reports/latest";

type ToolText = { content: Array<{ type: "text"; text: string }>; structuredContent?: Record<string, unknown>; isError?: boolean };

export interface McpOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/**
 * The authproof MCP server: `list_checks`, `audit`, `explain_finding`, `compare_reports`, and the latest
 * report as a resource. Keys come from the server's environment only; every answer is built from the
 * catalogue and from reports (redacted when built), and error messages are redacted against the environment.
 */
export function createMcpServer({ env, cwd }: McpOptions): McpServer {
  const server = new McpServer({ name: "authproof", version: packageInfo().version });
  let latestReport: string | undefined;
  let running = false;
  const ok = (value: Record<string, unknown>): ToolText => ({ content: [{ type: "text", text: JSON.stringify(value, null, 2) }], structuredContent: value });
  const fail = (message: string): ToolText => ({ content: [{ type: "text", text: redactEnv(message, env) }], isError: true });
  const reportAt = (file: string | undefined) => loadReport(file ? resolve(cwd, file) : (latestReport ?? resolve(cwd, DEFAULT_OUT, "latest", "report.json")));
  /** Runs a tool body: a secret-looking argument is refused, any error is one redacted line. */
  const guarded =
    <A,>(body: (args: A, extra: Extra) => Promise<ToolText>) =>
    async (args: A, extra: Extra): Promise<ToolText> => {
      const secret = firstSecretArgument(args, env);
      if (secret) return fail(`refused: ${secret}; keys and passwords are read from the server's environment (BETTER_AUTH_SECRET, AUTHPROOF_PRIVATE_JWK, AUTHPROOF_PASSWORD), never from tool arguments`);
      try {
        return await body(args, extra);
      } catch (error) {
        return fail(`authproof: ${error instanceof Error ? error.message : String(error)}`);
      }
    };

  server.registerTool(
    "list_checks",
    {
      title: "List authproof checks",
      description: "The check catalogue: id, title, category, severity, what each check needs, references. Filter by category and/or id prefix (e.g. token.alg).",
      inputSchema: z.strictObject({ category: z.enum(CATEGORIES).optional(), idPrefix: z.string().max(100).optional() }),
    },
    guarded(async (args: { category?: (typeof CATEGORIES)[number]; idPrefix?: string }) => {
      const checks = checkList(args);
      return ok({ count: checks.length, checks });
    }),
  );

  server.registerTool(
    "audit",
    {
      title: "Audit a Better Auth + FastAPI deployment",
      description:
        "Runs an authproof audit and returns the verdict, the counts and the grouped findings. Give a config file path and/or the URLs. Keys (BETTER_AUTH_SECRET, AUTHPROOF_PRIVATE_JWK) are read from the server's environment only: arguments that look like secrets are refused. Sends progress notifications when the request carries a progressToken.",
      inputSchema: z.strictObject({
        config: z.string().max(1000).optional().describe("authproof config file (relative to the server's working directory)"),
        apiUrl: z.url().optional().describe("base URL of the FastAPI backend"),
        authUrl: z.url().optional().describe("Better Auth base URL (the Next.js app)"),
        mode: z.enum(["jwks", "shared-secret"]).optional(),
        only: z.string().max(1000).optional().describe("check ids, categories or id prefixes, comma-separated"),
        skip: z.string().max(1000).optional(),
        seed: z.int().optional(),
        failOn: z.enum(SEVERITIES).optional(),
        out: z.string().max(1000).optional().describe("report directory (default: the config's, else ./reports)"),
      }),
    },
    guarded(async (args: AuditArgs, extra) => {
      if (running) return fail("authproof: an audit is already running on this server; wait for it to finish");
      running = true;
      try {
        const flags = {
          ...(args.apiUrl ? { api: args.apiUrl } : {}),
          ...(args.authUrl ? { auth: args.authUrl } : {}),
          ...(args.mode ? { mode: args.mode } : {}),
          ...(args.only ? { only: args.only } : {}),
          ...(args.skip ? { skip: args.skip } : {}),
          ...(args.seed !== undefined ? { seed: String(args.seed) } : {}),
          ...(args.failOn ? { "fail-on": args.failOn } : {}),
          ...(args.out ? { out: args.out } : {}),
        };
        const load = { ...(args.config ? { file: args.config } : {}), flags, env, cwd };
        const many = await loadTargetConfigs(load);
        if (many) {
          // targets: [...] — each audited into its own directory; the answer is the combined summary.
          const { summary, files } = await auditTargets(many.targets, resolve(cwd, many.out), { log: () => {}, signal: extra.signal }, cwd);
          if (summary.targets[0]?.runDir) latestReport = join(summary.targets[0].runDir, "report.json");
          return ok({ ...summary, targets: summary.targets.map((t) => (t.reason ? { ...t, reason: redactEnv(t.reason, env) } : t)), files, next: "explain_finding { id, report: <runDir>/report.json } on a target's finding" });
        }
        const config = await loadConfig(load);
        const progress = progressReporter(extra);
        const run = await runAudit(config, { log: () => {}, progress: () => {}, phase: progress, signal: extra.signal }, cwd);
        if (run.runDir) latestReport = join(run.runDir, "report.json");
        return ok(auditView(run.report, { exitCode: run.exitCode, ...(run.runDir ? { reportDir: run.runDir } : {}), leftBehind: run.leftBehind }));
      } finally {
        running = false;
      }
    }),
  );

  server.registerTool(
    "explain_finding",
    {
      title: "Explain a finding",
      description: "Why a finding matters, how to fix it, its references and a reproduction (curl), from the catalogue and a report (default: the latest). id: a finding id, a result id or a check id.",
      inputSchema: z.strictObject({ id: z.string().min(1).max(500), report: z.string().max(1000).optional().describe("report.json (default: the latest audit's)") }),
    },
    guarded(async (args: { id: string; report?: string }) => {
      const report = await reportAt(args.report).catch((error: unknown) => (args.report ? Promise.reject(error) : undefined));
      const explained = explanation(report, args.id);
      if (!explained) return fail(`authproof: no finding, result or check "${args.id}"${report ? ` in report ${report.runId}` : ""}; list_checks lists the check ids`);
      return ok(explained);
    }),
  );

  server.registerTool(
    "compare_reports",
    {
      title: "Compare two reports",
      description: "A baseline diff by result id: failures that are new, unchanged, or fixed (passing now, or not re-tested). current defaults to the latest report.",
      inputSchema: z.strictObject({ baseline: z.string().min(1).max(1000), current: z.string().max(1000).optional() }),
    },
    guarded(async (args: { baseline: string; current?: string }) => {
      const [current, baseline] = await Promise.all([reportAt(args.current), loadReport(resolve(cwd, args.baseline))]);
      return ok(comparison(current, baseline));
    }),
  );

  server.registerResource(
    "latest-report",
    LATEST_REPORT_URI,
    { title: "Latest authproof report", description: "report.json of the latest audit (this server's, else ./reports/latest)", mimeType: "application/json" },
    async (uri) => {
      const file = latestReport ?? resolve(cwd, DEFAULT_OUT, "latest", "report.json");
      const report: Report = await loadReport(file);
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(report, null, 2) }] };
    },
  );
  return server;
}

interface AuditArgs {
  config?: string;
  apiUrl?: string;
  authUrl?: string;
  mode?: "jwks" | "shared-secret";
  only?: string;
  skip?: string;
  seed?: number;
  failOn?: (typeof SEVERITIES)[number];
  out?: string;
}

interface Extra {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number };
  sendNotification: (notification: { method: "notifications/progress"; params: { progressToken: string | number; progress: number; total?: number; message?: string } }) => Promise<void>;
}

/** MCP progress notifications from the audit's phases, when the client sent a progressToken. */
function progressReporter(extra: Extra): Parameters<typeof runAudit>[1]["phase"] {
  const token = extra._meta?.progressToken;
  if (token === undefined) return undefined;
  let total = 0;
  let done = 0;
  let family = "";
  const send = (message: string) => void extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: done, ...(total ? { total } : {}), message } }).catch(() => {});
  return (event) => {
    if (event.kind === "plan") {
      total = event.families.reduce((n, f) => n + f.tests, 0);
      send(`plan: ${total} tests in ${event.families.map((f) => f.name).join(", ")}`);
    } else if (event.kind === "family") {
      family = event.name;
      send(`family ${family}`);
    } else if (event.kind === "test") {
      done += 1;
      send(`${family}: ${done}/${total}`);
    } else send(event.phase);
  };
}

/** `authproof mcp`: serves over stdio until the client closes the connection. */
export async function serveMcp(options: McpOptions): Promise<void> {
  // stdout carries the protocol: anything else printed goes to stderr.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const server = createMcpServer(options);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((done) => {
    server.server.onclose = () => done();
    process.stdin.once("end", () => done());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
}
