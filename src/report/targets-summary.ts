import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { esc } from "./html.ts";
import type { Report } from "./schema.ts";

/** One target's line in the combined summary of a many-target run. */
export interface TargetVerdict {
  name: string;
  apiUrl: string;
  mode: string;
  /** pass / fail for a complete run; partial / incomplete; error when the audit could not run at all. */
  verdict: "pass" | "fail" | "partial" | "incomplete" | "error";
  exitCode: 0 | 1 | 2;
  counts?: { passed: number; failed: number; skipped: number; errors: number; findings: number };
  /** The report directory of the run (`<out>/<name>/<run-id>/`). */
  runDir?: string;
  /** Why there is no report (error) or why the run is not complete. */
  reason?: string;
  durationMs: number;
}

export interface TargetsSummary {
  /** The worst of the targets: 2 when one could not run or finish, else 1 when one failed, else 0. */
  exitCode: 0 | 1 | 2;
  verdict: "pass" | "fail" | "incomplete";
  targets: TargetVerdict[];
}

/** A target's verdict from its audit (its report is already redacted). */
export function verdictOf(name: string, report: Report, exitCode: 0 | 1 | 2, runDir: string | undefined, durationMs: number): TargetVerdict {
  const { summary, run } = report;
  return {
    name,
    apiUrl: report.target.apiUrl,
    mode: report.target.mode,
    verdict: run.state === "complete" ? summary.verdict : run.state,
    exitCode,
    counts: { passed: summary.passed, failed: summary.failed, skipped: summary.skipped, errors: summary.errors, findings: summary.findings.total },
    ...(runDir ? { runDir } : {}),
    ...(run.reason ? { reason: run.reason } : {}),
    durationMs,
  };
}

export function summarizeTargets(targets: TargetVerdict[]): TargetsSummary {
  const exitCode = Math.max(0, ...targets.map((t) => t.exitCode)) as 0 | 1 | 2;
  return { exitCode, verdict: exitCode === 2 ? "incomplete" : exitCode === 1 ? "fail" : "pass", targets };
}

/** Writes `<outDir>/summary.json` and `<outDir>/index.html` (links to each target's latest HTML report). */
export async function writeTargetsSummary(summary: TargetsSummary, outDir: string): Promise<string[]> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const json = join(dir, "summary.json");
  const html = join(dir, "index.html");
  const portable = { ...summary, targets: summary.targets.map((t) => (t.runDir ? { ...t, runDir: relative(dir, t.runDir) } : t)) };
  await writeFile(json, `${JSON.stringify(portable, null, 2)}\n`);
  await writeFile(html, renderTargetsIndex(portable));
  return [json, html];
}

function renderTargetsIndex(summary: TargetsSummary): string {
  const rows = summary.targets
    .map((t) => {
      const link = t.runDir ? `<a href="${esc(`${t.runDir}/report.html`)}">${esc(t.name)}</a>` : esc(t.name);
      const counts = t.counts ? `${t.counts.findings} findings; ${t.counts.passed} passed, ${t.counts.failed} failed, ${t.counts.skipped} skipped, ${t.counts.errors} errors` : "";
      return `<tr class="${esc(t.verdict)}"><td>${link}</td><td>${esc(t.apiUrl)}</td><td>${esc(t.mode)}</td><td><strong>${esc(t.verdict.toUpperCase())}</strong></td><td>${esc(counts)}</td><td>${esc(t.reason ?? "")}</td></tr>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>authproof: ${esc(summary.verdict.toUpperCase())} — ${summary.targets.length} targets</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; }
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
tr.pass td:nth-child(4) { color: #176f2c; } tr.fail td:nth-child(4), tr.error td:nth-child(4) { color: #b00020; }
tr.partial td:nth-child(4), tr.incomplete td:nth-child(4) { color: #8a5a00; }
</style>
</head>
<body>
<h1>authproof: ${esc(summary.verdict.toUpperCase())} (exit ${summary.exitCode})</h1>
<table>
<thead><tr><th>target</th><th>API</th><th>mode</th><th>verdict</th><th>counts</th><th>note</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
