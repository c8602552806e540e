import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { CheckOutcome } from "../judge/types.ts";
import type { Report } from "./schema.ts";

/** A file the report's run directory holds besides the rendered formats (a Playwright trace). */
export interface ReportArtifact {
  /** Its path inside the run directory, as the report names it (`traces/….zip`). */
  name: string;
  /** Where it is copied from. */
  source: string;
}

const TRACE_DIR = "traces";

/** Where a trace file is kept inside the run directory (what `evidence.traces[].path` says). */
export function traceReportPath(file: string): string {
  return `${TRACE_DIR}/${basename(file)}`;
}

/** The trace files the recorded outcomes carry (each once, only those still on disk), to copy into the report. */
export function traceArtifacts(outcomes: readonly CheckOutcome[]): ReportArtifact[] {
  const files = new Set(outcomes.flatMap((o) => (o.traces ?? []).map((t) => t.file)));
  return [...files].filter((file) => existsSync(file)).map((file) => ({ name: traceReportPath(file), source: file }));
}

/** The traces a report already written to `runDir` names, to carry them over when it is re-rendered or merged. */
export function reportArtifacts(report: Report, runDir: string): ReportArtifact[] {
  const names = new Set(report.results.flatMap((r) => (r.evidence?.traces ?? []).map((t) => t.path)));
  return [...names].map((name) => ({ name, source: join(runDir, name) })).filter((a) => existsSync(a.source));
}
