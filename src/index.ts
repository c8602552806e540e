/**
 * authproof's programmatic API (`import { audit } from "authproof"`): the same audit as `authproof audit`,
 * configured from a config object and/or file, the environment and flags, returning the report and the exit
 * code the CLI would use. Config files import `defineConfig` from `authproof/config`.
 */
import { loadConfig } from "./config/load.ts";
import type { AuthproofConfig, AuthproofConfigInput } from "./config/schema.ts";
import { runAudit, type AuditRun } from "./run/audit.ts";
import type { CheckOutcome } from "./judge/types.ts";

export { defineConfig } from "./config/define.ts";
export { loadConfig, loadTargetConfigs, ConfigError, CONFIG_SOURCES, type ConfigSource, type TargetConfig } from "./config/load.ts";
export { auditTargets, type TargetsRun } from "./run/targets.ts";
export { mergeShards } from "./report/merge.ts";
export { createMcpServer } from "./mcp/server.ts";
export type { AuthproofConfig, AuthproofConfigInput, Severity, Reporter } from "./config/schema.ts";
export { loadReport, parseReportText } from "./report/load.ts";
export { renderReport, writeReportFiles } from "./report/write.ts";
export { SCHEMA_VERSION, type Report, type Result, type Finding } from "./report/schema.ts";
export { CHECKS } from "./catalogue/checks.ts";
export { AuthproofError } from "./errors.ts";
export type { AuditRun } from "./run/audit.ts";

export interface AuditOptions {
  /** A config object (what `authproof.config.ts` exports); layered over `configFile`. */
  config?: AuthproofConfigInput;
  /** A config file; default: `authproof.config.*` in `cwd` when no `config` object is given. */
  configFile?: string;
  /** Flags as on the command line, kebab-case or camelCase (`{ only: "transport,token", "fail-on": "medium" }`). */
  flags?: Record<string, string | boolean | undefined>;
  /** Environment read for AUTHPROOF_* and BETTER_AUTH_SECRET (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where relative paths (config, reports, OpenAPI file, baseline) are resolved (default: process.cwd()). */
  cwd?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Each check outcome as it is judged. */
  onOutcome?: (outcome: CheckOutcome) => void;
  /** Aborting it ends the audit like Ctrl-C: clean-up, a partial report, exit code 2. */
  signal?: AbortSignal;
}

/**
 * Runs an audit. Resolves with the report (also written to `run.out`) and the exit code the CLI would use
 * (0 no finding at or above failOn, 1 findings, 2 the run did not finish); rejects with an AuthproofError
 * (bad config, target unreachable, …) when there is nothing to report.
 *
 * @example const { exitCode, report } = await audit({ config: { api: { baseUrl: "http://127.0.0.1:8000" } }, flags: { only: "transport" } });
 */
export async function audit(options: AuditOptions = {}): Promise<AuditRun & { config: AuthproofConfig }> {
  const cwd = options.cwd ?? process.cwd();
  const config = await loadConfig({
    ...(options.configFile ? { file: options.configFile } : {}),
    ...(options.config ? { inline: options.config as Record<string, unknown>, discover: false } : {}),
    flags: options.flags ?? {},
    env: options.env ?? process.env,
    cwd,
  });
  const run = await runAudit(config, { log: options.log ?? (() => {}), progress: options.onOutcome ?? (() => {}), ...(options.signal ? { signal: options.signal } : {}) }, cwd);
  return { ...run, config };
}
