import { Command, CommanderError, Option } from "commander";
import { loadConfig, loadTargetConfigs, type TargetConfig } from "../config/load.ts";
import type { AuthproofConfig } from "../config/schema.ts";
import { parseFlawList } from "../reference/flaws.ts";
import { referenceAppMissing, referenceAppPresent } from "../reference/paths.ts";
import { UsageError } from "./errors.ts";
import { HarnessError } from "../errors.ts";
import { describeStop } from "../run/stop.ts";
import { interruptOnSignals } from "./signals.ts";
import { addConfigOptions, configFlags } from "./options.ts";
import { packageInfo } from "../package.ts";
import { paint } from "./colors.ts";
import type { IssuerOptions } from "./issuer.ts";
import { port } from "./port.ts";

/** The exit code of the command that ran (commands set it; commander's own errors map to 2). */
let exitCode = 0;

function buildProgram(): Command {
  const program = new Command("authproof")
    .description("Conformance and security audit for Better Auth + FastAPI JWT deployments")
    .version(packageInfo().version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help (each command has its own: authproof audit --help)")
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .addHelpText("after", "\nExit codes: 0 no finding at or above --fail-on; 1 findings; 2 the audit could not run or did not finish.");
  // Set before the commands are added, so each inherits them: usage errors as one line, exit code 2 (see main).
  program.exitOverride();
  program.configureOutput({ outputError: (text, write) => write(`${oneLineUsage(text)}\n`) });

  const audit = program
    .command("audit")
    .description("audit the target in the config (flags override the file and the environment)")
    .option("-c, --config <file>", "config file (default: authproof.config.{ts,mts,mjs,js,json} in the current directory)");
  addConfigOptions(audit, "audit").action(async (options: Record<string, unknown>) => {
    const { config: file } = options as { config?: string };
    const load = { ...(file ? { file } : {}), flags: configFlags(options, ["config"]), env: process.env, cwd: process.cwd(), warn: (m: string) => console.error(`warning: ${m}`) };
    const many = await loadTargetConfigs({ ...(file ? { file } : {}), flags: load.flags, env: process.env, cwd: process.cwd() });
    const config = many ? undefined : await loadConfig(load);
    const interrupt = interruptOnSignals();
    try {
      exitCode = many ? await auditManyTargets(many, interrupt.signal) : await auditAndReport(config!, interrupt.signal);
    } finally {
      interrupt.dispose();
    }
  });

  const reference = program
    .command("reference")
    .description("boot the bundled reference app on loopback, audit it, stop it (a clone of the repository only)")
    .option("-c, --config <file>", "config file layered under the reference app's settings")
    .option("--flaws <names>", "seeded flaws to switch on, comma-separated (env: REFERENCE_FLAWS; see reference-app/flaws.json)")
    .option("--web-port <port>", "port of the Next.js + Better Auth app (default: a free one)")
    .option("--api-port <port>", "port of the FastAPI backend (default: a free one)")
    .option("--database-url <url>", "run both Better Auth and the backend on this PostgreSQL database (default: SQLite files of their own)");
  addConfigOptions(reference, "reference").action(async (options: Record<string, unknown>) => {
    exitCode = await runReference(options);
  });

  const report = program
    .command("report")
    .description("re-render HTML / JUnit / SARIF from a report.json, or (--github) write the GitHub step summary and annotations")
    .argument("<report.json>", "a report written by authproof audit")
    .option("--github", "write $GITHUB_STEP_SUMMARY (verdict, counts, top findings) and print ::error / ::warning annotations; no files are re-rendered unless --reporter is given");
  addConfigOptions(report, "report").action(async (file: string, options: Record<string, unknown>) => {
    const { rerenderReport } = await import("./rerender.ts");
    exitCode = await rerenderReport(file, options as Parameters<typeof rerenderReport>[1]);
  });

  program
    .command("init")
    .description("write a commented starter config, the mode probed from the URLs (JWKS at <auth>/api/auth/jwks? a token route?)")
    .requiredOption("--api <url>", "base URL of the FastAPI backend")
    .option("--auth <url>", "Better Auth base URL (the Next.js app)")
    .option("-o, --output <file>", "where to write it", "authproof.config.ts")
    .option("--force", "overwrite an existing file")
    .action(async (options: { api: string; auth?: string; output: string; force?: boolean }) => {
      const { initConfig } = await import("./init.ts");
      exitCode = await initConfig(options);
    });

  program
    .command("checks")
    .description("list the check catalogue: id, severity, what each check needs, references")
    .option("--json", "print JSON")
    .option("--category <name>", "only this category")
    .action(async (options: { json?: boolean; category?: string }) => {
      const { listChecks } = await import("./checks.ts"); // the registry: every check family
      exitCode = listChecks(options);
    });

  program
    .command("replay")
    .description("re-mint a result's token locally (from the seed, the report's facts and your signing key) and print or run its curl")
    .argument("<report.json>", "a report written by authproof audit")
    .argument("<result-id>", 'a results[].id, e.g. "token.alg-none GET /api/tasks" (or a finding id)')
    .option("--run", "send the request (with curl, only to the report's target) and print the answer")
    .option("--variant <name>", "which variant of the result (default: the one its reproduce line sends)")
    .option("--fresh", "re-mint with the current time instead of the audit's clock (the exact token has usually expired)")
    .option("-c, --config <file>", "config file holding the signing key (default: authproof.config.* here; env: BETTER_AUTH_SECRET, AUTHPROOF_PRIVATE_JWK)")
    .addOption(new Option("--real-token <jwt>", "a valid token of user A to build on, for a report without a signing key").env("AUTHPROOF_REAL_TOKEN"))
    .action(async (file: string, id: string, options: { run?: boolean; variant?: string; realToken?: string; fresh?: boolean; config?: string }) => {
      const { replay } = await import("./replay.ts");
      exitCode = await replay(file, id, options);
    });

  program
    .command("issuer")
    .description("run a stand-in Better Auth (email + password, jwt(), bearer(), HS256 /api/backend-token) on loopback until stopped; the key and the secret go to a mode-600 env file")
    .option("--port <port>", "port (default: a free one)")
    .option("--alg <alg>", "signing algorithm of the JWKS: EdDSA, ES256, ES512, RS256, PS256 (default: EdDSA)")
    .option("--db <file>", "SQLite database file (default: in memory)")
    .option("--private-jwk <file>", "a private JWK (JSON file) to sign with (env: AUTHPROOF_PRIVATE_JWK; default: a new one)")
    .option("--secret-env <name>", "environment variable holding Better Auth's secret (default: BETTER_AUTH_SECRET; unset: a random one)")
    .option("--env-out <file>", "env file to write (mode 600; default: a temporary file, removed on exit)")
    .option("--issuer <url>", "iss of the tokens (default: the issuer's origin)")
    .option("--audience <url>", "aud of the tokens (default: the issuer's origin)")
    .option("--trusted-origins <origins>", "origins Better Auth trusts, comma-separated")
    .option("--rate-limit", "keep Better Auth's production rate limits on")
    .action(async (options: IssuerOptions) => {
      const { runIssuer } = await import("./issuer.ts");
      exitCode = await runIssuer(options);
    });

  program
    .command("merge")
    .description("join the reports of authproof audit --shard i/n (every shard once, one seed, one target) into one report and its other formats")
    .argument("<report.json...>", "the shards' report.json files")
    .option("--out <dir>", "report directory (<dir>/<run-id>/ and <dir>/latest/)", "reports")
    .option("--reporter <list>", "reports to write: json,html,junit,sarif (default: all)")
    .action(async (files: string[], options: { out?: string; reporter?: string }) => {
      const { mergeCommand } = await import("./merge.ts");
      exitCode = await mergeCommand(files, options);
    });

  program
    .command("mcp")
    .description("serve authproof to coding agents over MCP (stdio): list_checks, audit, explain_finding, compare_reports, the latest report; keys from this environment only")
    .action(async () => {
      const { serveMcp } = await import("../mcp/server.ts");
      await serveMcp({ env: process.env, cwd: process.cwd() });
      exitCode = 0;
    });

  return program;
}

/** `authproof: unknown option '--onyl' (did you mean --only?); see authproof audit --help` */
function oneLineUsage(text: string): string {
  const line = text
    .trim()
    .replace(/^error: /, "")
    .replace(/\s*\n\(Did you mean (.*)\?\)/, " (did you mean $1?)")
    .replace(/\s*\n\s*/g, " ");
  return `authproof: ${line}; see authproof --help`;
}

async function runReference(options: Record<string, unknown>): Promise<number> {
  if (!referenceAppPresent()) throw new UsageError(referenceAppMissing());
  const { config: file, flaws: flawFlag, webPort, apiPort, databaseUrl } = options as { config?: string; flaws?: string; webPort?: string; apiPort?: string; databaseUrl?: string };
  const flags = configFlags(options, ["config", "flaws", "webPort", "apiPort", "databaseUrl"]);
  const mode = (flags.mode ?? "jwks") as "jwks" | "shared-secret" | "session";
  const flaws = parseFlawList(flawFlag ?? process.env.REFERENCE_FLAWS);
  // Installed before the servers start: a signal then stops them too (the first after the audit wound down).
  const interrupt = interruptOnSignals();
  try {
    const [{ ensureReferenceSetup }, { startReference }, { auditEnvFor }] = await Promise.all([
      import("../reference/setup.ts"),
      import("../reference/launch.ts"),
      import("../reference/audit-env.ts"),
    ]);
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
      const config = await loadConfig({ ...(file ? { file } : {}), flags: { ...flags, mode }, env, cwd: process.cwd() });
      return await auditAndReport(config, interrupt.signal);
    } finally {
      await app.stop();
    }
  } finally {
    interrupt.dispose();
  }
}

/** `targets: [...]`: each target audited (two at once) into `<out>/<name>/`, one verdict line each, the summary in `<out>/`. */
async function auditManyTargets(many: { out: string; targets: TargetConfig[] }, signal: AbortSignal): Promise<number> {
  const { auditTargets } = await import("../run/targets.ts");
  const { summary, files } = await auditTargets(many.targets, many.out, { log: (line) => console.error(line), signal });
  for (const t of summary.targets) {
    const counts = t.counts ? ` — ${t.counts.findings} findings; ${t.counts.passed} passed, ${t.counts.failed} failed, ${t.counts.errors} errors` : "";
    console.log(`${t.name}: ${t.verdict.toUpperCase()}${counts}${t.reason ? ` (${t.reason})` : ""}${t.runDir ? `; reports: ${t.runDir}` : ""}`);
  }
  console.log(`authproof: ${summary.verdict.toUpperCase()} — ${summary.targets.length} targets; summary: ${files.join(", ")}`);
  return summary.exitCode;
}

async function auditAndReport(config: AuthproofConfig, signal: AbortSignal): Promise<number> {
  // Loaded on use: `--help` and `--version` never pay for the audit's modules.
  const [{ createProgress }, { runAudit }, { terminalSummary }] = await Promise.all([import("./progress.ts"), import("../run/audit.ts"), import("../report/terminal.ts")]);
  const progress = createProgress(process.stderr);
  const run = await runAudit(config, { log: progress.log, progress: progress.outcome, phase: progress.phase, signal }).finally(() => progress.done());
  if (run.stopped) {
    const where = run.runDir ?? config.run.out;
    console.error(`authproof: ${describeStop(run.stopped)}: ${run.report.results.length} results finished, partial report written to ${where}`);
    return 2;
  }
  if (run.incomplete) {
    console.error(`authproof: incomplete: ${run.incomplete}; report written to ${run.runDir ?? config.run.out}`);
    return 2;
  }
  const color = paint(process.stdout);
  for (const line of terminalSummary(run.report)) console.log(color.summaryLine(line));
  const baseline = run.report.baseline;
  if (baseline) {
    const { counts } = baseline;
    const gate = config.run.failOnNew ? ` — --fail-on-new: only the new ones can fail the run (exit ${run.exitCode})` : "";
    console.log(`baseline ${baseline.runId}: ${counts.new} new, ${counts.unchanged} unchanged, ${counts.fixed} fixed, ${counts.absent} not re-tested${gate}`);
  }
  if (run.runDir) console.log(`reports: ${run.runDir}`);
  return run.exitCode;
}

/** Runs the command line; resolves with the process exit code. */
export async function runCommandLine(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; every usage error (unknown command or flag, a missing argument) with 2.
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
}
