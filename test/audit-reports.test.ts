import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse, type TestSuites } from "junit2json";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchTestChromium } from "./helpers/browser.ts";
import { runCli, type CliRun } from "./helpers/cli.ts";
import { multitoolFindings } from "./helpers/sarif.ts";

// One real run against the reference app with several flaws on, then a run with the flaws fixed
// compared against it: the four report files, read back the way their consumers read them.

const SECRET = randomBytes(32).toString("base64url");

/** Every entry of a zip file (a Playwright trace), uncompressed and joined (Python's zipfile reads it). */
function zipText(file: string): string {
  const script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nsys.stdout.buffer.write(b'\\n'.join(z.read(n) for n in z.namelist()))";
  return execFileSync("python3", ["-c", script, file], { maxBuffer: 256 * 1024 * 1024 }).toString("latin1");
}
const FLAWS = "alg-none,list-leak,cacheable";
let flawed: CliRun;
let runDir: string;

beforeAll(async () => {
  flawed = await runCli(["reference", "--mode", "shared-secret", "--flaws", FLAWS, "--seed", "5", "--skip", "property"], { BETTER_AUTH_SECRET: SECRET });
  runDir = path.join(flawed.outDir, flawed.report!.runId);
}, 300_000);

describe("reports of a flawed run", () => {
  test("all four files are written, in the run directory and in latest/", () => {
    expect(flawed.code, flawed.stderr).toBe(1);
    // …and the browser suite's Playwright trace, which the browser results name.
    const traces = flawed.report!.results.flatMap((r) => r.evidence?.traces ?? []).map((t) => t.path);
    expect(new Set(traces).size).toBe(1);
    for (const dir of [runDir, path.join(flawed.outDir, "latest")]) {
      expect(readdirSync(dir).sort()).toEqual(["junit.xml", "report.html", "report.json", "results.sarif", "traces"]);
      expect(readdirSync(path.join(dir, "traces"))).toEqual([path.basename(traces[0]!)]);
    }
  });

  test("the shared secret appears in none of them (nor inside the trace), nor in the terminal output", () => {
    for (const file of readdirSync(runDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      const where = path.join(file.parentPath, file.name);
      const text = where.endsWith(".zip") ? zipText(where) : readFileSync(where, "utf8");
      expect(text.length, where).toBeGreaterThan(0);
      expect(text, where).not.toContain(SECRET);
    }
    expect(flawed.stdout + flawed.stderr).not.toContain(SECRET);
  });

  test("the SARIF passes the SARIF Multitool with GitHub's ingestion rules", async () => {
    const findings = await multitoolFindings(readFileSync(path.join(runDir, "results.sarif"), "utf8"));
    expect(findings.filter((f) => f.level === "error")).toEqual([]);
    const sarif = JSON.parse(readFileSync(path.join(runDir, "results.sarif"), "utf8"));
    const uris = sarif.runs[0].results.map((r: any) => r.locations[0].physicalLocation.artifactLocation.uri);
    // No config file and no OpenAPI file: every alert points at the project's (would-be) config file, never at authproof's own suites.
    expect(new Set(uris)).toEqual(new Set(["authproof.config.ts"]));
  });

  test("a JUnit reader reads every testcase back: one failure per finding, one testcase per check without one", async () => {
    const parsed = (await parse(readFileSync(path.join(runDir, "junit.xml"), "utf8"))) as TestSuites;
    const cases = (parsed.testsuite ?? []).flatMap((suite) => suite.testcase ?? []);
    const report = flawed.report!;
    const checkIds = new Set(report.results.map((r) => r.checkId));
    const withFinding = new Set(report.findings.map((f) => f.checkId));
    expect(new Set(cases.map((c) => `${c.classname} ${c.name}`)).size).toBe(cases.length);
    expect(cases.filter((c) => c.failure?.length).length).toBe(report.findings.length);
    const onlySkipped = [...checkIds].filter((id) => report.results.filter((r) => r.checkId === id).every((r) => r.status === "skip"));
    expect(cases.filter((c) => c.skipped?.length).map((c) => c.name).sort()).toEqual(onlySkipped.sort());
    expect(cases.length).toBe(report.findings.length + [...checkIds].filter((id) => !withFinding.has(id)).length);
    expect(report.summary.failed).toBeGreaterThan(report.findings.length);
  });

  test("the HTML report shows the findings in Chromium", async () => {
    const browser = await launchTestChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      page.on("request", (request) => requests.push(request.url()));
      await page.goto(`file://${path.join(runDir, "report.html")}`);
      await page.screenshot({ path: path.join(flawed.outDir, "report.png"), fullPage: false });
      const text = await page.locator("body").innerText();
      expect(text).toMatch(/FAIL/);
      expect(text).toContain("Unsigned tokens (alg none) are refused");
      expect(text).toContain("Collections list only the caller's objects");
      expect(requests.filter((url) => !url.startsWith("file:"))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe("baseline", () => {
  let fixedRun: CliRun;
  afterAll(() => undefined);

  test("a fixed run compared with the flawed run lists the fixed findings", async () => {
    const baseline = path.join(runDir, "report.json");
    fixedRun = await runCli(["reference", "--mode", "shared-secret", "--seed", "5", "--skip", "property", "--baseline", baseline], { BETTER_AUTH_SECRET: SECRET });
    expect(fixedRun.code, fixedRun.stderr).toBe(0);
    const comparison = fixedRun.report!.baseline!;
    const fixedChecks = new Set(comparison.fixed.map((f) => f.checkId));
    expect([...fixedChecks].sort()).toEqual(["hygiene.no-store", "isolation.list-foreign", "token.alg-none"]);
    expect(comparison.counts.fixed).toBe(flawed.report!.summary.failed);
    expect(comparison.counts.new).toBe(0);
    const html = readFileSync(path.join(fixedRun.outDir, "latest", "report.html"), "utf8");
    expect(html).toMatch(/fixed/i);
  }, 300_000);
});
