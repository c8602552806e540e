import { dirname, resolve } from "node:path";
import { SEVERITIES, type Severity } from "../catalogue/types.ts";
import { REPORTERS, type Reporter } from "../config/schema.ts";
import { applyBaseline } from "../report/baseline.ts";
import { loadReport } from "../report/load.ts";
import { exitCodeFor } from "../report/summary.ts";
import { writeReportFiles } from "../report/write.ts";
import { summaryLine } from "../report/terminal.ts";
import { UsageError } from "./errors.ts";

/** `authproof report <report.json>`: re-renders the other formats (optionally against a baseline). */
export async function rerenderReport(
  file: string,
  flags: { out?: string; reporter?: string; baseline?: string; "fail-on"?: string },
): Promise<number> {
  const failOn = (flags["fail-on"] ?? undefined) as Severity | undefined;
  if (failOn && !SEVERITIES.includes(failOn)) throw new UsageError(`--fail-on: expected one of ${SEVERITIES.join(", ")}, got "${failOn}"`);
  const reporters = (flags.reporter?.split(",").map((r) => r.trim()) ?? ["json", "html", "junit", "sarif"]) as Reporter[];
  const unknown = reporters.find((r) => !REPORTERS.includes(r));
  if (unknown) throw new UsageError(`--reporter: unknown reporter "${unknown}" (expected ${REPORTERS.join(", ")})`);
  let report = await loadReport(resolve(file));
  if (flags.baseline) report = applyBaseline(report, await loadReport(resolve(flags.baseline)));
  const outDir = resolve(flags.out ?? dirname(dirname(resolve(file))));
  const written = await writeReportFiles(report, { outDir, reporters, overwrite: true });
  console.log(`authproof: re-rendered ${written.files.length} file(s) in ${written.runDir}`);
  if (report.run.state !== "complete") console.log(`note: this report is ${report.run.state}${report.run.reason ? ` (${report.run.reason})` : ""}: not a pass`);
  if (!failOn || failOn === report.policy.failOn) console.log(summaryLine(report));
  if (report.baseline) {
    const { counts } = report.baseline;
    console.log(`baseline: ${counts.new} new, ${counts.fixed} fixed, ${counts.unchanged} unchanged, ${counts.absent} not re-tested`);
  }
  return report.run.state === "complete" ? exitCodeFor(report, failOn ?? report.policy.failOn) : 2;
}
