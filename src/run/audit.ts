import { resolve } from "node:path";
import type { AuthproofConfig } from "../config/schema.ts";
import { makeRedactor } from "../config/redact.ts";
import { HarnessError } from "../errors.ts";
import { HttpDriver } from "../http/driver.ts";
import type { CheckOutcome } from "../judge/types.ts";
import { applyBaseline } from "../report/baseline.ts";
import { applyIgnoreFile, loadIgnoreFile } from "../report/ignore.ts";
import { ConfigError } from "../config/load.ts";
import { ReportError } from "../report/errors.ts";
import { loadReport } from "../report/load.ts";
import type { Report } from "../report/schema.ts";
import { exitCodeFor } from "../report/summary.ts";
import { writeReportFiles } from "../report/write.ts";
import { traceArtifacts } from "../report/artifacts.ts";
import { discardSuiteRun } from "../browser/suite-run.ts";
import { buildReport, redactDeep } from "../report/build.ts";
import { cleanupTarget, type CleanupScope } from "../target/cleanup.ts";
import type { TargetModel } from "../model/target.ts";
import { prepareTarget, type PrepareLedger } from "../target/prepare.ts";
import type { SuitesTraffic } from "./run-suites.ts";
import { packageInfo } from "../package.ts";
import { isPrivateCandidate } from "../target/mining.ts";
import { describeStop, RunStop, type StopCause } from "./stop.ts";
import { mergeWrites } from "../http/writes.ts";
import { assertKnownSelectors } from "./selection.ts";
import { pacedBy, planPace } from "../http/pace-plan.ts";
import { assertCoverage, incompleteReason } from "./coverage.ts";
import type { PhaseEvent } from "./phases.ts";
import { parseShard } from "./shard.ts";

export interface AuditRun {
  report: Report;
  runDir?: string;
  files: string[];
  /** 0 no finding at or above failOn, 1 findings, 2 the run ended early (`stopped` says why; the report is partial). */
  exitCode: 0 | 1 | 2;
  stopped?: StopCause;
  /** Why the finished run is no verdict (nothing was judged): exit 2, the report is marked incomplete. */
  incomplete?: string;
  /** What clean-up could not remove, one line per kind (empty when nothing was left behind). */
  leftBehind: string[];
}

export interface AuditHooks {
  log: (line: string) => void;
  progress: (outcome: CheckOutcome) => void;
  /** Phases for progress displays: prepare, the plan, each family and test, clean-up, report. */
  phase?: (event: PhaseEvent) => void;
  /** Aborted on SIGINT / SIGTERM (the reason is the signal's name): the audit winds down and reports what finished. */
  signal?: AbortSignal;
}

/** How long clean-up may take once the audit is over (or was cut short). */
const CLEANUP_BUDGET_MS = 30_000;

/**
 * The whole audit: inputs validated → target model → suites → clean-up → report model → files. It ends early
 * when the target stops answering, on SIGINT / SIGTERM (`hooks.signal`) or at `run.maxTimeSec`: then it cleans
 * up, writes the finished results as a partial report and returns exit code 2. Throws HarnessError /
 * ConfigError / TargetError / ReportError for exit 2 when there is nothing to report.
 */
export async function runAudit(config: AuthproofConfig, hooks: AuditHooks, cwd = process.cwd()): Promise<AuditRun> {
  assertKnownSelectors(config);
  const started = Date.now();
  if (config.run.failOnNew && !config.run.baseline) throw new ConfigError("run.failOnNew", "needs a baseline (--baseline <report.json>) to tell new findings from known ones");
  const baseline = config.run.baseline ? await loadBaseline(resolve(cwd, config.run.baseline)) : undefined;
  const ignored = config.run.ignoreFile ? await loadIgnoreFile(resolve(cwd, config.run.ignoreFile), config.run.ignoreFile) : undefined;
  const stop = new RunStop();
  const onSignal = () => stop.stop({ kind: "interrupted", signal: String(hooks.signal?.reason ?? "a signal") });
  if (hooks.signal?.aborted) onSignal();
  hooks.signal?.addEventListener("abort", onSignal, { once: true });
  const maxTimeSec = config.run.maxTimeSec;
  const deadlineAt = maxTimeSec ? started + maxTimeSec * 1000 : undefined;
  const deadline = maxTimeSec ? setTimeout(() => stop.stop({ kind: "deadline", seconds: maxTimeSec }), maxTimeSec * 1000) : undefined;
  deadline?.unref();

  const driver = new HttpDriver({ ...driverOptions(config), ...(deadlineAt ? { deadlineAt } : {}) });
  stop.onStop((cause) => driver.halt(describeStop(cause)));
  const ledger: PrepareLedger = { users: [], objects: [], resources: [] };
  // The suites' runner loads once the target has answered (a fast first request), alongside the rest
  // of the preparation (its 429 back-offs, say).
  let suitesModule: Promise<typeof import("./run-suites.ts")> | undefined;
  const loadSuites = () => {
    if (suitesModule) return suitesModule;
    suitesModule = import("./run-suites.ts");
    suitesModule.catch(() => undefined); // a failure surfaces where it is awaited
    return suitesModule;
  };
  void driver.answered.then(loadSuites);
  try {
    let model: TargetModel;
    try {
      hooks.phase?.({ kind: "phase", phase: "prepare" });
      model = await prepareTarget(config, driver, hooks.log, ledger, cwd);
      for (const warning of model.warnings) hooks.log(`note: ${warning}`);
      await assertCoverage(model, driver);
    } catch (error) {
      const cleanup = await cleanUp(config, { config, ...ledger });
      for (const line of cleanup.leftBehind) hooks.log(`left behind: ${line}`);
      if (stop.cause) throw new HarnessError(stop.cause.kind === "interrupted" ? "INTERRUPTED" : "INCOMPLETE", `${describeStop(stop.cause)} before any check ran; nothing to report`);
      throw error;
    }
    const redact = makeRedactor(secretsOf(model), { includeTokens: config.run.includeTokens });
    const { runSuites } = await loadSuites();
    const suites = await runSuites(model, (outcome) => hooks.progress(redactDeep(outcome, redact)), {
      stop,
      ...(deadlineAt ? { deadlineAt } : {}),
      ...(hooks.phase ? { phase: hooks.phase } : {}),
      onFamilyDone: (family, results) => hooks.log(`done: ${family} (${results} results)`),
    });
    const cause = stop.cause; // what ran after this point (clean-up) does not change the verdict
    const preparation = driver.stats().sent;
    hooks.phase?.({ kind: "phase", phase: "clean-up" });
    const cleanup = await cleanUp(config, { ...model, extraUsers: suites.users });
    const writes = mergeWrites(driver.takeWrites(), suites.writes, cleanup.writes);
    for (const line of cleanup.leftBehind) hooks.log(`left behind: ${line}`);

    hooks.phase?.({ kind: "phase", phase: "report" });
    const shard = parseShard(config.run.shard);
    let report = buildReport(model, suites.recorded, {
      runId: runIdFor(model),
      toolVersion: toolVersion(),
      durationMs: Date.now() - started,
      redact,
      run: cause ? { state: "partial", reason: describeStop(cause) } : { state: "complete" },
      writes,
      requests: requestsOf(preparation, suites.traffic, cleanup.sent, planPace(config.rate, targetUrls(config)).label),
      ...(shard ? { shard } : {}),
    });
    // A shard's slice may hold only skips (or nothing): whether the audit judged anything is decided at merge.
    const incomplete = cause || shard ? undefined : incompleteReason(report);
    if (incomplete) report = { ...report, run: { state: "incomplete", reason: incomplete } };
    if (ignored) report = applyIgnoreFile(report, ignored);
    if (baseline) report = applyBaseline(report, baseline);
    const artifacts = traceArtifacts(suites.recorded.map((r) => r.outcome));
    const written = await writeReportFiles(report, {
      outDir: resolve(cwd, config.run.out),
      reporters: config.run.reporters,
      artifacts,
    }).finally(() => artifacts.forEach((a) => discardSuiteRun(a.source)));
    return {
      report,
      runDir: written.runDir,
      files: written.files,
      exitCode: cause || incomplete ? 2 : exitCodeFor(report, config.policy.failOn, { onlyNew: config.run.failOnNew }),
      ...(cause ? { stopped: cause } : {}),
      ...(incomplete ? { incomplete } : {}),
      leftBehind: cleanup.leftBehind,
    };
  } finally {
    if (deadline) clearTimeout(deadline);
    hooks.signal?.removeEventListener("abort", onSignal);
    await driver.close();
  }
}

/** Every file named on the command line or in the config is checked before the first request. */
async function loadBaseline(file: string): Promise<Report> {
  try {
    return await loadReport(file);
  } catch (error) {
    if (error instanceof ReportError) throw new ReportError(error.code, `--baseline: ${error.message}`, error.issues, { cause: error });
    throw error;
  }
}

function targetUrls(config: AuthproofConfig): string[] {
  return [config.api.baseUrl, ...(config.auth.baseUrl ? [config.auth.baseUrl] : [])];
}

function requestsOf(preparation: number, traffic: SuitesTraffic, cleanup: number, pace: string): NonNullable<Report["requests"]> {
  return {
    total: preparation + traffic.sent + cleanup,
    preparation,
    checks: traffic.sent,
    cleanup,
    byFamily: traffic.byFamily,
    checksMs: Math.round(traffic.activeMs),
    achievedRps: traffic.activeMs > 0 ? Math.round((traffic.sent / (traffic.activeMs / 1000)) * 10) / 10 : 0,
    maxInFlight: traffic.maxInFlight,
    pace,
  };
}

function driverOptions(config: AuthproofConfig) {
  return {
    allowedOrigins: targetUrls(config).map((url) => new URL(url).origin),
    ...pacedBy(planPace(config.rate, targetUrls(config))),
    timeoutMs: config.timeouts.requestMs,
    operationBudgetMs: config.timeouts.operationMs,
  };
}

/** Clean-up runs on a driver of its own (the audit's may be halted), bounded by CLEANUP_BUDGET_MS. */
async function cleanUp(config: AuthproofConfig, scope: CleanupScope) {
  const driver = new HttpDriver({ ...driverOptions(config), deadlineAt: Date.now() + CLEANUP_BUDGET_MS });
  try {
    return { ...(await cleanupTarget(driver, scope)), writes: driver.takeWrites(), sent: driver.stats().sent };
  } finally {
    await driver.close();
  }
}

/** Every value a report must never show: the configured keys, the test users' credentials, and values only the user's files hold. */
export function secretsOf(model: TargetModel): string[] {
  const { keys } = model.config;
  const jwk = typeof keys.privateJwk === "string" ? safeJson(keys.privateJwk) : keys.privateJwk;
  const privateMembers = jwk ? ["d", "p", "q", "dp", "dq", "qi", "k"].map((m) => (jwk as Record<string, unknown>)[m]) : [];
  return [
    keys.secret,
    typeof keys.privateJwk === "string" ? keys.privateJwk : undefined,
    ...privateMembers,
    ...model.users.flatMap((user) => [user.password, user.sessionToken, user.sessionToken.split(".")[0]]),
    // Values only the user's files hold (--source): labels shorten them, and nothing else may show them.
    ...(model.candidates ?? []).filter((candidate) => isPrivateCandidate(candidate) && candidate.value.length >= 6).map((candidate) => candidate.value),
  ].filter((value): value is string => typeof value === "string" && value.length >= 4);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function runIdFor(model: TargetModel): string {
  const stamp = model.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${model.seed.toString(36)}`;
}

export function toolVersion(): string {
  return packageInfo().version;
}
