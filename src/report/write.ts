import { copyFile, mkdir, mkdtemp, open, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { ReportArtifact } from "./artifacts.ts";
import { ReportError } from "./errors.ts";
import { renderHtml } from "./html.ts";
import { renderJunit } from "./junit.ts";
import { renderSarif } from "./sarif.ts";
import type { Report } from "./schema.ts";
import { validateReport } from "./validate.ts";

export type Reporter = "json" | "html" | "junit" | "sarif";

/** File name of each reporter's output inside a run directory. */
export const REPORT_FILES: Record<Reporter, string> = {
  json: "report.json",
  html: "report.html",
  junit: "junit.xml",
  sarif: "results.sarif",
};

export interface RenderOptions {
  /** SARIF code-scanning category (default "authproof"). */
  sarifCategory?: string;
}

export interface WriteOptions extends RenderOptions {
  outDir: string;
  reporters: Reporter[];
  /** Replace an existing `outDir/<runId>/` (e.g. re-rendering a report). Default: refuse with REPORT_EXISTS. */
  overwrite?: boolean;
  /** Files the report names (Playwright traces), copied into the run directory beside the rendered formats. */
  artifacts?: ReportArtifact[];
  /** Called after each file is durably written to a temporary directory (lets tests simulate a crash). */
  onFileWritten?: (file: string) => void | Promise<void>;
}

const TEMP_PREFIX = ".authproof-tmp-";
const OLD_PREFIX = ".authproof-old-";
const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * One reporter's output as a string (pure).
 *
 * @example renderReport(report, "sarif", { sarifCategory: "staging" })
 */
export function renderReport(report: Report, reporter: Reporter, options: RenderOptions = {}): string {
  switch (reporter) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "html":
      return renderHtml(report);
    case "junit":
      return renderJunit(report);
    case "sarif":
      return renderSarif(report, options.sarifCategory ? { category: options.sarifCategory } : {});
  }
}

/**
 * Validates the report, then writes `outDir/<runId>/` and refreshes `outDir/latest/` atomically:
 * every file is rendered first, written and fsynced into temporary directories inside `outDir`,
 * and only then renamed into place, so a crash leaves either the old state or the complete new one
 * (at worst `latest/` is missing for the instant between its two renames — never half-written).
 * Throws ReportError: REPORT_INVALID (nothing written), REPORT_EXISTS, REPORT_WRITE_FAILED.
 *
 * @example const { runDir } = await writeReportFiles(report, { outDir: "reports", reporters: ["json", "html"] });
 */
export async function writeReportFiles(
  report: Report,
  options: WriteOptions,
): Promise<{ runDir: string; files: string[] }> {
  const valid = validateReport(report, `report ${report?.runId ?? ""}`.trim());
  const reporters = [...new Set(options.reporters)];
  if (reporters.length === 0) throw new ReportError("REPORT_WRITE_FAILED", "no reporter selected (json, html, junit, sarif)");
  const contents = reporters.map((reporter) => ({
    name: REPORT_FILES[reporter],
    text: renderReport(valid, reporter, options),
  }));

  const outDir = resolve(options.outDir);
  const runDir = join(outDir, valid.runId);
  const latestDir = join(outDir, "latest");
  const temps: string[] = [];
  try {
    await mkdir(outDir, { recursive: true });
    await removeStaleTemps(outDir);
    if ((await exists(runDir)) && !options.overwrite) {
      throw new ReportError("REPORT_EXISTS", `${runDir} already exists; choose another run id or overwrite it`);
    }
    const runTemp = await mkdtemp(join(outDir, TEMP_PREFIX));
    temps.push(runTemp);
    const latestTemp = await mkdtemp(join(outDir, TEMP_PREFIX));
    temps.push(latestTemp);
    for (const dir of [runTemp, latestTemp]) {
      for (const { name, text } of contents) {
        await writeDurably(join(dir, name), text);
        await options.onFileWritten?.(join(dir, name));
      }
      for (const artifact of options.artifacts ?? []) await copyDurably(artifact, dir);
      await syncDirectory(dir);
    }

    await swapIntoPlace(runTemp, runDir, outDir);
    temps.splice(temps.indexOf(runTemp), 1);
    await swapIntoPlace(latestTemp, latestDir, outDir);
    temps.splice(temps.indexOf(latestTemp), 1);
    await syncDirectory(outDir);
  } catch (error) {
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
    if (error instanceof ReportError) throw error;
    throw new ReportError(
      "REPORT_WRITE_FAILED",
      `could not write the report to ${outDir}: ${(error as Error).message ?? String(error)}`,
      [],
      { cause: error },
    );
  }
  return { runDir, files: [...contents.map(({ name }) => join(runDir, name)), ...(options.artifacts ?? []).map(({ name }) => join(runDir, name))] };
}

/** Renames a complete temporary directory onto `target`, moving an existing target aside first. */
async function swapIntoPlace(temp: string, target: string, outDir: string): Promise<void> {
  if (!(await exists(target))) {
    await rename(temp, target);
    return;
  }
  const old = await mkdtemp(join(outDir, OLD_PREFIX));
  const aside = join(old, "previous");
  await rename(target, aside);
  await rename(temp, target);
  await rm(old, { recursive: true, force: true });
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, "wx", 0o644);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Copies an artifact to its name inside `dir` (names are relative and stay inside it) and fsyncs it. */
async function copyDurably(artifact: ReportArtifact, dir: string): Promise<void> {
  const target = resolve(dir, artifact.name);
  if (!target.startsWith(`${dir}/`)) throw new Error(`artifact name ${JSON.stringify(artifact.name)} leaves the run directory`);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(artifact.source, target);
  const handle = await open(target, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDirectory(dirname(target));
}

/** fsync a directory so renames inside it survive a power cut; not supported everywhere (Windows), so best effort. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Directory fsync is unavailable on this platform; the renames are still atomic.
  } finally {
    await handle?.close();
  }
}

/** Temporary directories left by a crashed writer; only old ones, so a concurrent writer is not disturbed. */
async function removeStaleTemps(outDir: string): Promise<void> {
  const now = Date.now();
  for (const entry of await readdir(outDir)) {
    if (!entry.startsWith(TEMP_PREFIX) && !entry.startsWith(OLD_PREFIX)) continue;
    const path = join(outDir, entry);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_AFTER_MS) await rm(path, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
