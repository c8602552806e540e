import { appendFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { existsSync } from "node:fs";
import { SEVERITIES, type Severity } from "../catalogue/types.ts";
import { DEFAULT_IGNORE_FILE } from "../config/load.ts";
import { REPORTERS, type Reporter } from "../config/schema.ts";
import { applyBaseline } from "../report/baseline.ts";
import { githubAnnotations, githubStepSummary } from "../report/github.ts";
import { applyIgnoreFile, loadIgnoreFile } from "../report/ignore.ts";
import { loadReport } from "../report/load.ts";
import { exitCodeFor } from "../report/summary.ts";
import { writeReportFiles } from "../report/write.ts";
import { reportArtifacts } from "../report/artifacts.ts";
import { summaryLine } from "../report/terminal.ts";
import { UsageError } from "./errors.ts";

export interface RerenderFlags {
  out?: string;
  reporter?: string;
  baseline?: string;
  failOn?: string;
  failOnNew?: boolean;
  ignoreFile?: string;
  sourceFile?: string;
  github?: boolean;
}

/**
 * `authproof report <report.json>`: applies the ignore file (./authproof.ignore.json when present), a baseline
 * and --source-file, then re-renders the other formats, or with --github writes the step summary and prints
 * annotations. The exit code follows the same rules as the audit (--fail-on, --fail-on-new).
 */
export async function rerenderReport(file: string, flags: RerenderFlags): Promise<number> {
  const failOn = flags.failOn as Severity | undefined;
  if (failOn && !SEVERITIES.includes(failOn)) throw new UsageError(`--fail-on: expected one of ${SEVERITIES.join(", ")}, got "${failOn}"`);
  if (flags.failOnNew && !flags.baseline) throw new UsageError("--fail-on-new needs --baseline <report.json>");
  const reporters = (flags.reporter?.split(",").map((r) => r.trim()) ?? (flags.github ? [] : ["json", "html", "junit", "sarif"])) as Reporter[];
  const unknown = reporters.find((r) => !REPORTERS.includes(r));
  if (unknown) throw new UsageError(`--reporter: unknown reporter "${unknown}" (expected ${REPORTERS.join(", ")})`);
  let report = await loadReport(resolve(file));
  const ignoreFile = flags.ignoreFile ?? (existsSync(DEFAULT_IGNORE_FILE) ? DEFAULT_IGNORE_FILE : undefined);
  if (ignoreFile) report = applyIgnoreFile(report, await loadIgnoreFile(resolve(ignoreFile), ignoreFile));
  if (flags.baseline) report = applyBaseline(report, await loadReport(resolve(flags.baseline)));
  if (flags.sourceFile) report = { ...report, source: { file: flags.sourceFile, routes: report.source?.routes ?? {} } };
  if (reporters.length > 0) {
    const outDir = resolve(flags.out ?? dirname(dirname(resolve(file))));
    const written = await writeReportFiles(report, { outDir, reporters, overwrite: true, artifacts: reportArtifacts(report, dirname(resolve(file))) });
    console.log(`authproof: re-rendered ${written.files.length} file(s) in ${written.runDir}`);
  }
  if (flags.github) await writeGithub(report);
  if (report.run.state !== "complete") console.log(`note: this report is ${report.run.state}${report.run.reason ? ` (${report.run.reason})` : ""}: not a pass`);
  if (!failOn || failOn === report.policy.failOn) console.log(summaryLine(report));
  if (report.baseline) {
    const { counts } = report.baseline;
    console.log(`baseline: ${counts.new} new, ${counts.fixed} fixed, ${counts.unchanged} unchanged, ${counts.absent} not re-tested`);
  }
  return report.run.state === "complete" ? exitCodeFor(report, failOn ?? report.policy.failOn, { onlyNew: flags.failOnNew === true }) : 2;
}

/** Appends the step summary to $GITHUB_STEP_SUMMARY (printed when unset) and prints the annotations. */
async function writeGithub(report: Parameters<typeof githubStepSummary>[0]): Promise<void> {
  const summary = githubStepSummary(report);
  const target = process.env.GITHUB_STEP_SUMMARY;
  if (target) await appendFile(target, summary, "utf8");
  else console.log(summary);
  for (const line of githubAnnotations(report)) console.log(line);
}
