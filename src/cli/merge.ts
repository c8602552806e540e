import { dirname, resolve } from "node:path";
import { REPORTERS, type Reporter } from "../config/schema.ts";
import { loadReport } from "../report/load.ts";
import { mergeShards } from "../report/merge.ts";
import { exitCodeFor } from "../report/summary.ts";
import { terminalSummary } from "../report/terminal.ts";
import { writeReportFiles } from "../report/write.ts";
import { reportArtifacts } from "../report/artifacts.ts";
import { UsageError } from "./errors.ts";

/**
 * `authproof merge <report.json…>`: joins the reports of `authproof audit --shard i/n` into one report and
 * writes it (and the other formats) to `--out`; exit 0 / 1 by the merged verdict, 2 when the shards do not
 * fit together (one line) or one of them did not finish.
 */
export async function mergeCommand(files: string[], flags: { out?: string; reporter?: string }): Promise<number> {
  const reporters = (flags.reporter?.split(",").map((r) => r.trim()) ?? [...REPORTERS]) as Reporter[];
  const unknown = reporters.find((r) => !REPORTERS.includes(r));
  if (unknown) throw new UsageError(`--reporter: unknown reporter "${unknown}" (expected ${REPORTERS.join(", ")})`);
  const reports = await Promise.all(files.map(async (file) => ({ file, report: await loadReport(resolve(file)) })));
  const merged = mergeShards(reports);
  // The shards' traces (each named once, the first shard holding it wins) go along with the merged report.
  const artifacts = [...new Map(reports.flatMap(({ file, report }) => reportArtifacts(report, dirname(resolve(file)))).reverse().map((a) => [a.name, a])).values()];
  const written = await writeReportFiles(merged, { outDir: resolve(flags.out ?? "reports"), reporters, overwrite: true, artifacts });
  for (const line of terminalSummary(merged)) console.log(line);
  console.log(`merged ${files.length} shards: ${merged.results.length} results; reports: ${written.runDir}`);
  if (merged.run.state !== "complete") {
    console.error(`authproof: the merged report is ${merged.run.state}: ${merged.run.reason ?? ""}`);
    return 2;
  }
  return exitCodeFor(merged);
}
