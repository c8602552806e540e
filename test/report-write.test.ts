import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reportArtifacts } from "../src/report/artifacts.ts";
import { applyBaseline } from "../src/report/baseline.ts";
import { loadReport } from "../src/report/load.ts";
import type { Report } from "../src/report/schema.ts";
import { renderReport, writeReportFiles, type Reporter } from "../src/report/write.ts";
import { buildBaseline, buildReport, redact, SECRET } from "./report-fixture.ts";

const ALL: Reporter[] = ["json", "html", "junit", "sarif"];

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), "utf8");
  return out;
}

describe("writeReportFiles", () => {
  it("writes every format into outDir/<runId>/ and the same files into latest/", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "authproof-write-"));
    const report = buildReport();
    const { runDir, files } = await writeReportFiles(report, { outDir, reporters: ALL });
    expect(runDir).toBe(join(outDir, report.runId));
    expect(files.map((f) => f.slice(runDir.length + 1))).toEqual(["report.json", "report.html", "junit.xml", "results.sarif"]);
    const run = await snapshot(runDir);
    expect(await snapshot(join(outDir, "latest"))).toEqual(run);
    expect(run["results.sarif"]).toBe(renderReport(report, "sarif"));
    expect(await loadReport(join(runDir, "report.json"))).toEqual(JSON.parse(JSON.stringify(report)));
    expect((await readdir(outDir)).sort()).toEqual([report.runId, "latest"].sort());
  });

  it("writes only the selected reporters and replaces latest/ on the next run", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "authproof-write-"));
    await writeReportFiles(buildReport(), { outDir, reporters: ALL });
    const second = buildReport({ runId: "second-run" });
    await writeReportFiles(second, { outDir, reporters: ["junit", "json"] });
    expect(Object.keys(await snapshot(join(outDir, "second-run")))).toEqual(["junit.xml", "report.json"]);
    expect(Object.keys(await snapshot(join(outDir, "latest")))).toEqual(["junit.xml", "report.json"]);
    expect((await loadReport(join(outDir, "latest", "report.json"))).runId).toBe("second-run");
    expect((await readdir(outDir)).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("leaves neither the run directory nor latest/ changed when writing fails midway", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "authproof-write-"));
    await writeReportFiles(buildReport(), { outDir, reporters: ALL });
    const before = await snapshot(join(outDir, "latest"));
    const entriesBefore = (await readdir(outDir)).sort();

    for (const crashAt of [1, 3, 6]) {
      let written = 0;
      const attempt = writeReportFiles(buildReport({ runId: `crash-${crashAt}` }), {
        outDir,
        reporters: ALL,
        onFileWritten: () => {
          written++;
          if (written === crashAt) throw new Error("disk full (simulated)");
        },
      });
      await expect(attempt).rejects.toMatchObject({ code: "REPORT_WRITE_FAILED", message: expect.stringContaining("disk full") });
      expect((await readdir(outDir)).sort(), `crash after file ${crashAt}`).toEqual(entriesBefore);
      expect(await snapshot(join(outDir, "latest"))).toEqual(before);
    }
  });

  it("refuses an invalid report before touching the disk, naming the field", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "authproof-write-"));
    const bad = buildReport();
    (bad.results[0] as { status: string }).status = "broken";
    await expect(writeReportFiles(bad, { outDir, reporters: ALL })).rejects.toMatchObject({
      code: "REPORT_INVALID",
      message: expect.stringContaining("results[0].status"),
    });
    expect(await readdir(outDir)).toEqual([]);
  });

  it("refuses to overwrite an existing run unless asked, and then replaces it whole", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "authproof-write-"));
    const report = buildReport();
    await writeReportFiles(report, { outDir, reporters: ALL });
    await expect(writeReportFiles(report, { outDir, reporters: ["json"] })).rejects.toMatchObject({ code: "REPORT_EXISTS" });
    const marked = applyBaseline(report, buildBaseline());
    await writeReportFiles(marked, { outDir, reporters: ["json", "html"], overwrite: true });
    expect(Object.keys(await snapshot(join(outDir, report.runId)))).toEqual(["report.html", "report.json"]);
    expect((await loadReport(join(outDir, report.runId, "report.json"))).baseline?.counts.new).toBe(4);
  });

  it("never writes a secret: redacted evidence stays redacted and unknown raw fields are dropped", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "authproof-write-"));
    const report = applyBaseline(buildReport(), buildBaseline());
    expect(JSON.stringify(report)).not.toContain(SECRET);
    expect(redact(`key=${SECRET}`)).toBe("key=[REDACTED]");
    // A careless producer attaches raw data the schema does not describe: it must not reach any file.
    const leaky = structuredClone(report) as Report & { debug?: unknown };
    leaky.debug = { secret: SECRET };
    (leaky.results[0] as Record<string, unknown>).rawResponse = `token signed with ${SECRET}`;
    (leaky.results[0]!.evidence!.exchanges[0]!.request as Record<string, unknown>).rawHeaders = [SECRET];
    const { runDir } = await writeReportFiles(leaky, { outDir, reporters: ALL });
    for (const dir of [runDir, join(outDir, "latest")]) {
      const files = await snapshot(dir);
      expect(Object.keys(files)).toHaveLength(4);
      for (const [name, text] of Object.entries(files)) {
        expect(text, name).not.toContain(SECRET);
        expect(text, name).not.toContain("rawResponse");
      }
      expect(files["report.json"]).toContain("[REDACTED]");
    }
  });
});

describe("a report's traces", () => {
  /** A report whose browser result names a trace, and that trace file in a temporary run directory. */
  async function withTrace() {
    const source = await mkdtemp(join(tmpdir(), "authproof-trace-src-"));
    const file = join(source, "browser-session-abc123.zip");
    await writeFile(file, "PK trace bytes");
    const base = buildReport();
    const traced = { ...base.results[0]!, evidence: { exchanges: [], traces: [{ path: "traces/browser-session-abc123.zip", title: "Playwright trace of the UI sign-up and sign-in" }] } };
    return { file, report: { ...base, results: [traced, ...base.results.slice(1)] } };
  }

  it("are copied into the run directory and latest/ under the path the report names, and linked from the HTML", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "authproof-write-"));
    const { file, report } = await withTrace();
    const { runDir, files } = await writeReportFiles(report, { outDir, reporters: ["json", "html"], artifacts: [{ name: "traces/browser-session-abc123.zip", source: file }] });
    for (const dir of [runDir, join(outDir, "latest")]) expect(await readFile(join(dir, "traces", "browser-session-abc123.zip"), "utf8")).toBe("PK trace bytes");
    expect(files).toContain(join(runDir, "traces", "browser-session-abc123.zip"));
    const html = await readFile(join(runDir, "report.html"), "utf8");
    expect(html).toContain('href="traces/browser-session-abc123.zip"');
    expect(html).toContain("npx playwright show-trace");
    expect(reportArtifacts(await loadReport(join(runDir, "report.json")), runDir)).toEqual([{ name: "traces/browser-session-abc123.zip", source: join(runDir, "traces", "browser-session-abc123.zip") }]);
  });

  it("a missing trace source writes nothing at all; a name leaving the run directory is refused", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "authproof-write-"));
    const { file, report } = await withTrace();
    await expect(writeReportFiles(report, { outDir, reporters: ["json"], artifacts: [{ name: "traces/x.zip", source: `${file}.missing` }] })).rejects.toMatchObject({ code: "REPORT_WRITE_FAILED" });
    await expect(writeReportFiles(report, { outDir, reporters: ["json"], artifacts: [{ name: "../escape.zip", source: file }] })).rejects.toThrow(/leaves the run directory/);
    expect(await readdir(outDir)).toEqual([]);
  });

  it("survive a re-render of the report in place (`authproof report`)", async () => {
    const outDir = await mkdtemp(join(tmpdir(), "authproof-write-"));
    const { file, report } = await withTrace();
    const { runDir } = await writeReportFiles(report, { outDir, reporters: ["json"], artifacts: [{ name: "traces/browser-session-abc123.zip", source: file }] });
    const again = await loadReport(join(runDir, "report.json"));
    await writeReportFiles(again, { outDir, reporters: ["json", "html"], overwrite: true, artifacts: reportArtifacts(again, runDir) });
    expect(await readFile(join(runDir, "traces", "browser-session-abc123.zip"), "utf8")).toBe("PK trace bytes");
  });
});

