import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { connectGuard } from "../src/browser/connect-guard.ts";
import { resolveChromium } from "../src/browser/launch.ts";
import type { Report } from "../src/report/schema.ts";
import { CLI, REPO_ROOT } from "./helpers/cli.ts";
import { classify, destinationText, FAILING_CLASSES, parseConnectTrace, STRACE_ARGS, summarise } from "./helpers/connect-trace.ts";

// "Nothing leaves the machine", measured: one browser audit of the reference app runs under strace, and
// every connect() / addressed send of the whole process tree (CLI, Next.js, uvicorn, Chromium) must go to
// the audited loopback origins. Runs with --only browser,cookie, so authproof's own jku/x5u listener is not
// started and the two origins are the only allowed destinations.

const hasStrace = spawnSync("strace", ["-V"]).status === 0;
const hasChromium = !("skip" in resolveChromium());

/** Same clean environment as test/helpers/cli.ts gives the CLI (no vitest or NODE_ENV=test leaking in). */
function cliEnv(): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([name]) => !/^(VITEST|NODE_ENV$|TEST$|AUTHPROOF_|REFERENCE_FLAWS$|BETTER_AUTH_SECRET$)/.test(name));
  return { ...Object.fromEntries(kept), CI: "true" };
}

async function tracedReferenceAudit(): Promise<{ code: number | null; stderr: string; dir: string; traceFile: string; report?: Report }> {
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-trace-"));
  const traceFile = path.join(dir, "connect.trace");
  const outDir = path.join(dir, "reports");
  const args = [...STRACE_ARGS, "-o", traceFile, CLI, "reference", "--only", "browser,cookie", "--seed", "7", "--reporter", "json", "--out", outDir];
  const child = spawn("strace", args, { cwd: REPO_ROOT, env: cliEnv(), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGTERM"), 240_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  const reportFile = path.join(outDir, "latest", "report.json");
  const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, "utf8")) as Report) : undefined;
  return { code, stderr, dir, traceFile, ...(report ? { report } : {}) };
}

describe.runIf(hasChromium)("network destinations of a browser audit", () => {
  if (!hasStrace && process.env.CI !== "true") {
    test.skip("strace is not installed (apt-get install -y strace): the process tree's connects cannot be watched", () => undefined);
    return;
  }

  test("every connect and addressed send goes to the audited loopback origins", { timeout: 300_000 }, async () => {
    expect(hasStrace, "strace is required here (apt-get install -y strace; .ci/run installs it)").toBe(true);
    expect(connectGuard(), "the browser's connect guard needs a C compiler (apt-get install -y gcc; .ci/run installs it)").toHaveProperty("library");
    const run = await tracedReferenceAudit();
    expect(run.report, `no report (exit ${run.code}): ${run.stderr.slice(-2000)}`).toBeDefined();
    const report = run.report!;
    expect(report.results.find((r) => r.checkId === "browser.token-storage")?.status, "the browser must have run for this trace to mean anything").toBe("pass");

    const trace = parseConnectTrace(readFileSync(run.traceFile, "utf8"));
    expect(report.target.authUrl, "the report must name the Better Auth origin").toBeDefined();
    const ports = new Set([report.target.apiUrl, report.target.authUrl!].map((url) => Number(new URL(url).port)));
    const summary = summarise(trace, ports);
    const lines = [...summary].flatMap(([cls, bucket]) => [
      `${[...bucket.values()].reduce((a, b) => a + b, 0)}\t${cls}`,
      ...[...bucket].sort((a, b) => b[1] - a[1]).map(([what, n]) => `\t${n}\t${what}`),
    ]);
    console.log(`connects and addressed sends of the audit's process tree (allowed ports ${[...ports].join(", ")}):\n${lines.join("\n")}`);

    expect(trace.programs.some((p) => p.includes("network.mojom.NetworkService")), "Chromium's network service must be in the trace").toBe(true);
    const browserToOrigins = trace.destinations.filter((d) => d.program.startsWith("chromium") && classify(d, ports, trace.socketsWithData) === "loopback, audited origin");
    expect(browserToOrigins.length, "the trace must show Chromium reaching the audited origins").toBeGreaterThan(0);
    const failures = trace.destinations.filter((d) => FAILING_CLASSES.has(classify(d, ports, trace.socketsWithData))).map(destinationText);
    expect(failures, `trace kept at ${run.traceFile}`).toEqual([]);
    rmSync(run.dir, { recursive: true, force: true });
  });
});
