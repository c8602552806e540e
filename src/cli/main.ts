import { parseArgs, type ParseArgsConfig } from "node:util";
import { loadConfig } from "../config/load.ts";
import type { AuthproofConfig } from "../config/schema.ts";
import { runAudit } from "../run/audit.ts";
import { startIssuer } from "../issuer/issuer.ts";
import { parseFlawList } from "../reference/flaws.ts";
import { ensureReferenceSetup } from "../reference/setup.ts";
import { auditEnvFor } from "../reference/audit-env.ts";
import { startReference } from "../reference/launch.ts";
import { exitWithError, UsageError } from "./errors.ts";
import { createProgress } from "./progress.ts";
import { rerenderReport } from "./rerender.ts";
import { terminalSummary } from "../report/terminal.ts";

const AUDIT_OPTIONS = {
  config: { type: "string" },
  api: { type: "string" },
  auth: { type: "string" },
  openapi: { type: "string" },
  "token-path": { type: "string" },
  mode: { type: "string" },
  secret: { type: "string" },
  issuer: { type: "string" },
  audience: { type: "string" },
  "identity-claim": { type: "string" },
  "cors-origins": { type: "string" },
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
} as const satisfies ParseArgsConfig["options"];

const USAGE = `authproof — conformance and security audit for Better Auth + FastAPI JWT deployments

Usage:
  authproof audit [--config authproof.config.ts] [flags]      audit the target in the config
  authproof reference [--mode jwks|shared-secret] [--flaws a,b] [flags]
                                                              boot the bundled reference app, audit it, stop it
  authproof report <report.json> [--out dir] [--reporter ...] [--baseline old.json] [--fail-on high]
                                                              re-render HTML / JUnit / SARIF from a JSON report
  authproof issuer [--port N] [--alg EdDSA]                   run the stand-in Better Auth JWKS issuer

Flags: --api URL --auth URL --mode jwks|shared-secret --only ids --skip ids --seed N --runs N
       --fail-on critical|high|medium|low|info --reporter json,html,junit,sarif --out DIR
       --rps N --concurrency N --timeout MS --include-tokens --baseline old.json
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
  return auditAndReport(config);
}

async function reference(args: string[]): Promise<number> {
  const { values } = parse(args, REFERENCE_OPTIONS);
  if (values.help) return printUsage();
  const { config: file, help: _help, flaws: flawFlag, "web-port": webPort, "api-port": apiPort, ...flags } = values;
  const mode = (flags.mode ?? "jwks") as "jwks" | "shared-secret";
  const flaws = parseFlawList(flawFlag ?? process.env.REFERENCE_FLAWS);
  await ensureReferenceSetup((line) => console.error(`setup: ${line}`));
  console.error(`starting the reference app (${mode}${flaws.length ? `, flaws: ${flaws.join(", ")}` : ""})…`);
  const app = await startReference({
    mode,
    flaws,
    webPort: port(webPort, "--web-port"),
    apiPort: port(apiPort, "--api-port"),
    ...(process.env.BETTER_AUTH_SECRET ? { secret: process.env.BETTER_AUTH_SECRET } : {}),
  });
  try {
    console.error(`reference app: web ${app.webUrl}, api ${app.apiUrl}`);
    const env = { ...process.env, ...auditEnvFor(app), ...(process.env.AUTHPROOF_RPS ? { AUTHPROOF_RPS: process.env.AUTHPROOF_RPS } : {}) };
    const config = await loadConfig({ file, flags: { ...flags, mode }, env, cwd: process.cwd() });
    return await auditAndReport(config);
  } finally {
    await app.stop();
  }
}

async function auditAndReport(config: AuthproofConfig): Promise<number> {
  const progress = createProgress(process.stderr);
  const run = await runAudit(config, { log: progress.log, progress: progress.outcome });
  progress.done();
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

async function issuer(args: string[]): Promise<number> {
  const { values } = parse(args, { port: { type: "string" }, alg: { type: "string" }, help: { type: "boolean", short: "h" } });
  if (values.help) return printUsage();
  const alg = (values.alg ?? "EdDSA") as "EdDSA";
  if (!["EdDSA", "ES256", "ES512", "RS256", "PS256"].includes(alg)) throw new UsageError(`--alg: expected EdDSA, ES256, ES512, RS256 or PS256, got "${values.alg}"`);
  const running = await startIssuer({ port: port(values.port, "--port"), alg });
  console.log(`stand-in issuer: JWKS at ${running.jwksUrl} (kid ${running.kid}, ${alg})`);
  console.log(`point the backend's BETTER_AUTH_URL at ${running.origin}; the private key for AUTHPROOF_PRIVATE_JWK:`);
  console.log(JSON.stringify(running.privateJwk));
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await running.stop();
  return 0;
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
