import type { TargetConfig } from "../config/load.ts";
import { AuthproofError } from "../errors.ts";
import { summarizeTargets, verdictOf, writeTargetsSummary, type TargetsSummary, type TargetVerdict } from "../report/targets-summary.ts";
import { runAudit } from "./audit.ts";

/** How many targets are audited at once. */
export const TARGET_PARALLELISM = 2;

export interface TargetsRun {
  summary: TargetsSummary;
  /** summary.json and index.html. */
  files: string[];
}

/**
 * Audits the targets of a `targets: [...]` config, at most TARGET_PARALLELISM at once, each into its own
 * report directory, then writes the combined summary (JSON and HTML index) to `outDir`. A target that cannot be
 * audited at all (unreachable, bad keys) is an `error` line with exit 2; the others still run.
 */
export async function auditTargets(targets: TargetConfig[], outDir: string, hooks: { log: (line: string) => void; signal?: AbortSignal }, cwd = process.cwd()): Promise<TargetsRun> {
  const verdicts: TargetVerdict[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const { name, config } = targets[i]!;
      const started = Date.now();
      hooks.log(`[${name}] auditing ${config.api.baseUrl} (${config.mode})`);
      try {
        const run = await runAudit(config, { log: (line) => hooks.log(`[${name}] ${line}`), progress: () => {}, ...(hooks.signal ? { signal: hooks.signal } : {}) }, cwd);
        verdicts[i] = verdictOf(name, run.report, run.exitCode, run.runDir, Date.now() - started);
      } catch (error) {
        if (!(error instanceof AuthproofError)) throw error;
        verdicts[i] = { name, apiUrl: config.api.baseUrl, mode: config.mode, verdict: "error", exitCode: 2, reason: error.message, durationMs: Date.now() - started };
      }
      hooks.log(`[${name}] ${verdicts[i]!.verdict}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(TARGET_PARALLELISM, targets.length) }, worker));
  const summary = summarizeTargets(verdicts);
  return { summary, files: await writeTargetsSummary(summary, outDir) };
}
