import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { JWK } from "jose";
import type { RunningIssuer } from "../issuer/issuer.ts";
import { loadConfig } from "../config/load.ts";
import type { AuthproofConfig } from "../config/schema.ts";
import { runAudit } from "../run/audit.ts";
import { ISSUER_ALGS, IssuerError, type IssuerAlg } from "../issuer/common.ts";
import { parseFlawList } from "../reference/flaws.ts";
import { ensureReferenceSetup } from "../reference/setup.ts";
import { auditEnvFor } from "../reference/audit-env.ts";
import { startReference } from "../reference/launch.ts";
import { exitWithError, UsageError } from "./errors.ts";
import { HarnessError } from "../errors.ts";
import { describeStop } from "../run/stop.ts";
import { createProgress } from "./progress.ts";
import { rerenderReport } from "./rerender.ts";
import { terminalSummary } from "../report/terminal.ts";
import { interruptOnSignals } from "./signals.ts";

const AUDIT_OPTIONS = {
  config: { type: "string" },
  api: { type: "string" },
  auth: { type: "string" },
  openapi: { type: "string" },
  "openapi-file": { type: "string" },
  "token-path": { type: "string" },
  mode: { type: "string" },
  secret: { type: "string" },
  issuer: { type: "string" },
  audience: { type: "string" },
  "identity-claim": { type: "string" },
  "cors-origins": { type: "string" },
  "admin-operations": { type: "string" },
  chromium: { type: "string" },
  only: { type: "string" },
  skip: { type: "string" },
  seed: { type: "string" },
  runs: { type: "string" },
  "fail-on": { type: "string" },
  "foreign-status": { type: "string" },
  reporter: { type: "string" },
  out: { type: "string" },
  rps: { type: "string" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  "operation-timeout": { type: "string" },
  "max-time": { type: "string" },
  "include-tokens": { type: "boolean" },
  "allow-destructive": { type: "boolean" },
  "require-oracle": { type: "boolean" },
  "require-known-subject": { type: "boolean" },
  baseline: { type: "string" },
  source: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

const REFERENCE_OPTIONS = {
  ...AUDIT_OPTIONS,
  flaws: { type: "string" },
  "web-port": { type: "string" },
  "api-port": { type: "string" },
  "database-url": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

const USAGE = `authproof — conformance and security audit for Better Auth + FastAPI JWT deployments

Usage:
  authproof audit [--config authproof.config.ts] [flags]      audit the target in the config
  authproof reference [--mode jwks|shared-secret] [--flaws a,b] [--database-url postgres://…] [flags]
                                                              boot the bundled reference app (SQLite, or the
                                                              PostgreSQL database given), audit it, stop it
  authproof report <report.json> [--out dir] [--reporter ...] [--baseline old.json] [--fail-on high]
                                                              re-render HTML / JUnit / SARIF from a JSON report
  authproof issuer [--port N] [--alg EdDSA] [--db file] [--private-jwk file] [--secret-env NAME]
                   [--env-out file] [--issuer URL] [--audience URL] [--trusted-origins a,b] [--rate-limit]
                                                              run a stand-in Better Auth (email + password, jwt(),
                                                              bearer(), HS256 /api/backend-token) on loopback; the
                                                              key and the secret go to a mode-600 env file

Flags: --api URL --auth URL --mode jwks|shared-secret --only ids --skip ids --seed N --runs N
       --fail-on critical|high|medium|low|info --reporter json,html,junit,sarif --out DIR
       --rps N --concurrency N --timeout MS (per request, default 10000) --operation-timeout MS (per operation,
       default 60000) --max-time S (whole audit; then a partial report, exit 2) --include-tokens --baseline old.json
       --source DIR (the target's repo: mined for backdoor tokens and committed secrets)
Secrets come from the environment (BETTER_AUTH_SECRET, AUTHPROOF_PRIVATE_JWK), not flags.
Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 the audit could not run.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "audit":
      return audit(rest);
    case "reference":
      return reference(rest);
    case "report":
      return report(rest);
    case "issuer":
      return issuer(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}" (expected audit, reference, report or issuer)`);
  }
}

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, positionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^.*?: /, ""));
  }
}

async function audit(args: string[]): Promise<number> {
  const { values } = parse(args, AUDIT_OPTIONS);
  if (values.help) return printUsage();
  const { config: file, help: _help, ...flags } = values;
  const config = await loadConfig({ file, flags, env: process.env, cwd: process.cwd(), warn: (m) => console.error(`warning: ${m}`) });
  const interrupt = interruptOnSignals();
  try {
    return await auditAndReport(config, interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

async function reference(args: string[]): Promise<number> {
  const { values } = parse(args, REFERENCE_OPTIONS);
  if (values.help) return printUsage();
  const { config: file, help: _help, flaws: flawFlag, "web-port": webPort, "api-port": apiPort, "database-url": databaseUrl, ...flags } = values;
  const mode = (flags.mode ?? "jwks") as "jwks" | "shared-secret";
  const flaws = parseFlawList(flawFlag ?? process.env.REFERENCE_FLAWS);
  // Installed before the servers start: a signal then stops them too (the first after the audit wound down).
  const interrupt = interruptOnSignals();
  try {
    await ensureReferenceSetup((line) => console.error(`setup: ${line}`));
    console.error(`starting the reference app (${mode}${flaws.length ? `, flaws: ${flaws.join(", ")}` : ""})…`);
    const app = await startReference({
      mode,
      flaws,
      webPort: port(webPort, "--web-port"),
      apiPort: port(apiPort, "--api-port"),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(process.env.BETTER_AUTH_SECRET ? { secret: process.env.BETTER_AUTH_SECRET } : {}),
    });
    try {
      console.error(`reference app: web ${app.webUrl}, api ${app.apiUrl}`);
      if (interrupt.signal.aborted) throw new HarnessError("INTERRUPTED", `interrupted by ${String(interrupt.signal.reason)} before the audit started`);
      const env = { ...process.env, ...auditEnvFor(app), ...(process.env.AUTHPROOF_RPS ? { AUTHPROOF_RPS: process.env.AUTHPROOF_RPS } : {}) };
      const config = await loadConfig({ file, flags: { ...flags, mode }, env, cwd: process.cwd() });
      return await auditAndReport(config, interrupt.signal);
    } finally {
      await app.stop();
    }
  } finally {
    interrupt.dispose();
  }
}

async function auditAndReport(config: AuthproofConfig, signal: AbortSignal): Promise<number> {
  const progress = createProgress(process.stderr);
  const run = await runAudit(config, { log: progress.log, progress: progress.outcome, signal });
  progress.done();
  if (run.stopped) {
    const where = run.runDir ?? config.run.out;
    console.error(`authproof: ${describeStop(run.stopped)}: ${run.report.results.length} results finished, partial report written to ${where}`);
    return 2;
  }
  if (run.incomplete) {
    console.error(`authproof: incomplete: ${run.incomplete}; report written to ${run.runDir ?? config.run.out}`);
    return 2;
  }
  for (const line of terminalSummary(run.report)) console.log(line);
  if (run.runDir) console.log(`reports: ${run.runDir}`);
  return run.exitCode;
}

async function report(args: string[]): Promise<number> {
  const { values, positionals } = parse(
    args,
    { out: { type: "string" }, reporter: { type: "string" }, baseline: { type: "string" }, "fail-on": { type: "string" }, help: { type: "boolean", short: "h" } },
    true,
  );
  if (values.help) return printUsage();
  if (positionals.length !== 1) throw new UsageError("report takes exactly one argument: the report.json to re-render");
  return rerenderReport(positionals[0]!, values);
}

const ISSUER_OPTIONS = {
  port: { type: "string" },
  alg: { type: "string" },
  db: { type: "string" },
  "private-jwk": { type: "string" },
  "secret-env": { type: "string" },
  "env-out": { type: "string" },
  issuer: { type: "string" },
  audience: { type: "string" },
  "trusted-origins": { type: "string" },
  "rate-limit": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

async function issuer(args: string[]): Promise<number> {
  const { values } = parse(args, ISSUER_OPTIONS);
  if (values.help) return printUsage();
  const alg = values.alg as IssuerAlg | undefined;
  if (alg !== undefined && !ISSUER_ALGS.includes(alg)) throw new UsageError(`--alg: expected ${ISSUER_ALGS.join(", ")}, got "${values.alg}"`);
  const secretEnv = values["secret-env"] ?? "BETTER_AUTH_SECRET";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretEnv)) throw new UsageError(`--secret-env: expected an environment variable name, got "${secretEnv}"`);
  const secret = process.env[secretEnv] || undefined;
  if (secret !== undefined && Buffer.byteLength(secret) < 32) console.error(`warning: ${secretEnv} is shorter than 32 bytes; Better Auth and HS256 backends should get at least 32 random bytes`);
  const privateJwk = issuerKey(values["private-jwk"]);

  // The key and the secret go to a mode-600 file, never to the terminal. Without --env-out: a private
  // temporary directory, removed on exit.
  const tempDir = values["env-out"] === undefined ? mkdtempSync(path.join(tmpdir(), "authproof-issuer-")) : undefined;
  const envFile = values["env-out"] ?? path.join(tempDir!, "issuer.env");
  const removeTemp = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  let running: RunningIssuer;
  try {
    const { startIssuer } = await import("../issuer/issuer.ts"); // loads Better Auth: only this command pays for it
    running = await startIssuer({
      port: port(values.port, "--port"),
      ...(alg ? { alg } : {}),
      ...(privateJwk ? { privateJwk } : {}),
      ...(secret ? { secret } : {}),
      ...(values.db ? { db: values.db } : {}),
      ...(values.issuer ? { issuer: values.issuer } : {}),
      ...(values.audience ? { audience: values.audience } : {}),
      trustedOrigins: (values["trusted-origins"] ?? "").split(",").map((o) => o.trim()).filter(Boolean),
      rateLimit: values["rate-limit"] ?? false,
      envFile,
      secretEnv,
    });
  } catch (error) {
    removeTemp();
    throw error;
  }
  const names = ["AUTHPROOF_AUTH_URL", "BETTER_AUTH_URL", "AUTHPROOF_PRIVATE_JWK", "BETTER_AUTH_SECRET", ...(secretEnv !== "BETTER_AUTH_SECRET" ? [secretEnv] : [])];
  for (const line of [
    `authproof issuer: Better Auth at ${running.origin} (${running.alg}, kid ${running.kid}; ${values.db ? `database ${values.db}` : "in-memory database"}${values["rate-limit"] ? "; rate limited" : ""})`,
    `  JWKS          ${running.jwksUrl}`,
    `  JWT           GET ${running.tokenUrl} (with a session; iss ${running.issuer}, aud ${running.audience})`,
    `  HS256 token   GET ${running.backendTokenUrl} (with a session; signed with the secret)`,
    `  env file      ${envFile} (mode 600: ${names.join(", ")}${tempDir ? "; removed on exit" : ""})`,
    `Point the backend's BETTER_AUTH_URL at ${running.origin} (or give it the secret from the env file), then:`,
    `  set -a; . ${envFile}; set +a; authproof audit --api <backend URL>`,
    `Stop with Ctrl-C.`,
  ]) {
    console.log(line);
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await running.stop();
  removeTemp();
  console.log("authproof issuer: stopped");
  return 0;
}

/** The private JWK from --private-jwk (a JSON file) or AUTHPROOF_PRIVATE_JWK; undefined means generate one. Never echoes the key. */
function issuerKey(file: string | undefined): JWK | undefined {
  let text: string | undefined;
  let source: string;
  if (file !== undefined) {
    source = file;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`--private-jwk: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  } else {
    source = "AUTHPROOF_PRIVATE_JWK";
    text = process.env.AUTHPROOF_PRIVATE_JWK || undefined;
    if (text === undefined) return undefined;
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new IssuerError("ISSUER_KEY_INVALID", `issuer: ${source} is not a JSON private JWK`);
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) throw new IssuerError("ISSUER_KEY_INVALID", `issuer: ${source} is not a JSON private JWK`);
  return jwk as JWK;
}

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag}: expected a port number, got "${value}"`);
  return n;
}

function printUsage(): number {
  console.log(USAGE);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => exitWithError(error),
);
