import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { CODE_EXTENSION, CODE_ROOT } from "../package.ts";
import { PLAN_ENV, type BrowserSuitePlan, type BrowserSuiteResult } from "./suite-plan.ts";

/** The browser suite's configuration, next to src/ and suites/ (the repository, or dist/ in the package). */
export const PLAYWRIGHT_CONFIG = join(CODE_ROOT, `playwright.config.${CODE_EXTENSION}`);

const RUN_DIR_PREFIX = "authproof-browser-";

/** What one run of the browser suite gave: what the browser saw, or why nothing was seen; and its trace. */
export interface BrowserSuiteRun {
  result?: BrowserSuiteResult;
  /** Why there is no result: Playwright's own words (its last lines), or the time-out. */
  problem?: string;
  /** The Playwright trace of the run (absolute path, in the run's temporary directory), when one was written. */
  trace?: string;
}

type Plan = Omit<BrowserSuitePlan, "outputDir" | "resultFile" | "reportFile">;

/**
 * Runs suites/browser.pw.ts under Playwright Test (`playwright test --config playwright.config.ts`) in a child
 * process, with the plan handed over in a temporary directory, and reads back the suite's result and the
 * trace Playwright attached to the test. Never rejects: a run that ends without a result says why.
 */
export async function runBrowserSuite(plan: Plan, opts: { killAfterMs: number; signal?: AbortSignal }): Promise<BrowserSuiteRun> {
  const dir = mkdtempSync(join(tmpdir(), RUN_DIR_PREFIX));
  const full: BrowserSuitePlan = { ...plan, outputDir: join(dir, "results"), resultFile: join(dir, "result.json"), reportFile: join(dir, "playwright-report.json") };
  const planFile = join(dir, "plan.json");
  writeFileSync(planFile, JSON.stringify(full), { mode: 0o600 });
  const cli = createRequire(import.meta.url).resolve("@playwright/test/cli");
  const output: string[] = [];
  const code = await new Promise<number | string>((resolve) => {
    // The same small young generation as the CLI's (see src/cli/heap.ts); Playwright's worker inherits the flag.
    const child = spawn(process.execPath, ["--max-semi-space-size=2", cli, "test", "--config", PLAYWRIGHT_CONFIG], {
      cwd: CODE_ROOT,
      env: { ...withoutSecrets(process.env), [PLAN_ENV]: planFile, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => output.push(chunk.toString());
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    const kill = () => child.kill("SIGKILL");
    const timer = setTimeout(() => {
      output.push(`\nkilled after ${Math.round(opts.killAfterMs / 1000)} s`);
      kill();
    }, opts.killAfterMs);
    if (opts.signal?.aborted) kill();
    opts.signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (error) => output.push(`\n${error.message}`));
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", kill);
      resolve(exitCode ?? signal ?? "unknown");
    });
  });
  const trace = traceOf(full.reportFile, dir);
  const result = readJson<BrowserSuiteResult>(full.resultFile);
  // Only the trace stays (until the report has copied it: discardSuiteRun); the plan, results and Playwright's output go.
  for (const file of [planFile, full.resultFile, full.reportFile, full.outputDir]) rmSync(file, { recursive: true, force: true });
  if (!trace) rmSync(dir, { recursive: true, force: true });
  if (result) return { result, ...(trace ? { trace } : {}) };
  const tail = output.join("").trim().split("\n").slice(-6).join(" | ");
  return { problem: `Playwright Test (${PLAYWRIGHT_CONFIG}) ended (${code}) without a result: ${tail || "no output"}`, ...(trace ? { trace } : {}) };
}

/** Removes what a browser suite run left (its trace's temporary directory); other paths are left alone. */
export function discardSuiteRun(trace: string): void {
  const dir = dirname(trace);
  if (dirname(dir) === tmpdir() && basename(dir).startsWith(RUN_DIR_PREFIX)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The trace attached to the suite's test in Playwright's JSON report, moved beside it under a name unique to
 * this run (`browser-session-<run>.zip`), which it keeps in the report's traces/.
 */
function traceOf(reportFile: string, dir: string): string | undefined {
  const report = readJson<unknown>(reportFile);
  if (report === undefined) return undefined;
  const found = attachments(report).find((a) => a.name === "trace" && a.path && existsSync(a.path));
  if (!found?.path) return undefined;
  const trace = join(dir, `browser-session-${basename(dir).slice(RUN_DIR_PREFIX.length)}.zip`);
  copyFileSync(found.path, trace);
  return trace;
}

/** A JSON file's value, or undefined when it is missing or unreadable (a run killed while writing it). */
function readJson<T>(file: string): T | undefined {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** The environment without authproof's and Better Auth's secrets: the browser suite needs none of them. */
function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(AUTHPROOF_|BETTER_AUTH_SECRET$)/.test(name)));
}

interface Attachment {
  name: string;
  path?: string;
}

/** Every attachment of every test result in a Playwright JSON report (suites nest). */
function attachments(node: unknown): Attachment[] {
  if (!node || typeof node !== "object") return [];
  const here = Array.isArray((node as { attachments?: unknown }).attachments) ? ((node as { attachments: Attachment[] }).attachments) : [];
  const children = Object.values(node as Record<string, unknown>).flatMap((value) => (Array.isArray(value) ? value.flatMap(attachments) : []));
  return [...here, ...children];
}
