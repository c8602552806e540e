import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Report } from "../../src/report/schema.ts";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
/**
 * The compiled CLI (dist/, built from the sources by test/global-setup.ts when they are newer), run through its
 * shebang as an installed `authproof` is: no TypeScript transform in each child, so a CLI test costs what a user's
 * run does. bin/authproof.js, the sources through tsx, is covered by cli-help.test.ts.
 */
export const CLI = path.join(REPO_ROOT, "dist", "src", "cli", "main.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outDir: string;
  /** reports/latest/report.json of the run, when one was written. */
  report?: Report;
}

/** A test timeout for tests that run a CLI audit or two: above vitest's default, so a loaded machine slows them without failing them. */
export const AUDIT_TIMEOUT_MS = 300_000;

/** Sends `signal` to the CLI `afterMs` after its stderr first matches `when` (a Ctrl-C mid-audit). */
export interface CliInterrupt {
  when: RegExp;
  afterMs: number;
  signal: NodeJS.Signals;
}

/**
 * Runs the authproof CLI as a child process (as users do), with its own report directory, and reads the
 * JSON report back. NODE_ENV and vitest's variables are not passed on.
 */
export async function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 240_000, interrupt?: CliInterrupt, cwd = REPO_ROOT): Promise<CliRun> {
  const outDir = mkdtempSync(path.join(tmpdir(), "authproof-cli-"));
  const cleanEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|NODE_ENV$|TEST$|AUTHPROOF_|REFERENCE_FLAWS$|BETTER_AUTH_SECRET$)/.test(name)),
  ) as Record<string, string>;
  // Only the commands that write reports take --out.
  const out = ["audit", "reference", "report"].includes(args[0] ?? "") ? ["--out", outDir] : [];
  const child = spawn(CLI, [...args, ...out], {
    cwd,
    env: { ...cleanEnv, CI: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  let armed = interrupt;
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
    if (armed && armed.when.test(stderr)) {
      const { afterMs, signal } = armed;
      armed = undefined;
      setTimeout(() => child.kill(signal), afterMs);
    }
  });
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  const reportFile = path.join(outDir, "latest", "report.json");
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, "utf8")) as Report) : undefined;
  return { code, stdout, stderr, outDir, ...(report ? { report } : {}) };
}

/** Check ids with at least one result of the given status. */
export function checkIdsWith(report: Report, status: "fail" | "error" | "pass" | "skip"): string[] {
  return [...new Set(report.results.filter((r) => r.status === status).map((r) => r.checkId))].sort();
}
