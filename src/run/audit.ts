import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { AuthproofConfig } from "../config/schema.ts";
import { makeRedactor } from "../config/redact.ts";
import { HttpDriver } from "../http/driver.ts";
import type { CheckOutcome } from "../judge/types.ts";
import { applyBaseline } from "../report/baseline.ts";
import { loadReport } from "../report/load.ts";
import type { Report } from "../report/schema.ts";
import { exitCodeFor } from "../report/summary.ts";
import { writeReportFiles } from "../report/write.ts";
import { buildReport, redactDeep } from "../report/build.ts";
import { cleanupObjects } from "../target/cleanup.ts";
import type { TargetModel } from "../model/target.ts";
import { prepareTarget } from "../target/prepare.ts";
import { isPrivateCandidate } from "../target/mining.ts";
import { PACKAGE_ROOT, runSuites } from "./run-suites.ts";
import { assertKnownSelectors } from "./selection.ts";
import { assertCoverage, incompleteReason } from "./coverage.ts";
import { HarnessError } from "../errors.ts";

export interface AuditRun {
  report: Report;
  runDir?: string;
  files: string[];
  exitCode: 0 | 1;
}

export interface AuditHooks {
  log: (line: string) => void;
  progress: (outcome: CheckOutcome) => void;
}

/** The whole audit: target model → suites → report model → files. Throws HarnessError / ConfigError / TargetError for exit 2. */
export async function runAudit(config: AuthproofConfig, hooks: AuditHooks, cwd = process.cwd()): Promise<AuditRun> {
  assertKnownSelectors(config);
  const started = Date.now();
  const driver = new HttpDriver({
    allowedOrigins: [new URL(config.api.baseUrl).origin, new URL(config.auth.baseUrl).origin],
    rps: config.rate.rps,
    concurrency: config.rate.concurrency,
    timeoutMs: config.timeouts.requestMs,
  });
  let model: TargetModel | undefined;
  try {
    model = await prepareTarget(config, driver, hooks.log);
    for (const warning of model.warnings) hooks.log(`note: ${warning}`);
    await assertCoverage(model, driver);
    const redact = makeRedactor(secretsOf(model), { includeTokens: config.run.includeTokens });
    const recorded = await runSuites(model, (outcome) => hooks.progress(redactDeep(outcome, redact)));
    let report = buildReport(model, recorded, {
      runId: runIdFor(model),
      toolVersion: toolVersion(),
      durationMs: Date.now() - started,
      redact,
    });
    const nothingJudged = incompleteReason(report);
    if (nothingJudged) throw new HarnessError("INCOMPLETE", `incomplete: ${nothingJudged}`);
    if (config.run.baseline) report = applyBaseline(report, await loadReport(resolve(cwd, config.run.baseline)));
    const written = await writeReportFiles(report, {
      outDir: resolve(cwd, config.run.out),
      reporters: config.run.reporters,
      suiteFiles: Object.fromEntries(recorded.map(({ outcome, suiteFile }) => [outcome.checkId, suiteFile])),
    });
    return { report, runDir: written.runDir, files: written.files, exitCode: exitCodeFor(report, config.policy.failOn) };
  } finally {
    if (model) await cleanupObjects(driver, model).catch(() => undefined);
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
  const pkg = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}
