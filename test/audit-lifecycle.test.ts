import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { startFakeTarget, type FakeTarget } from "./helpers/fake-target.ts";

/**
 * How an audit ends when the target misbehaves: it stops answering, a route hangs, the run outlives --max-time,
 * an input file is bad. Against an in-process fake target (test/helpers/fake-target.ts), through the real CLI.
 */

let target: FakeTarget | undefined;
afterEach(async () => {
  await target?.close();
  target = undefined;
});

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at /);

describe("an audit that cannot finish", () => {
  test("a target that stops answering mid-audit: one line, a partial report of the finished results, exit 2, users deleted", async () => {
    target = await startFakeTarget({ slowMs: 50, stopApiAfter: 400 });
    const run = await runCli(["audit", "--only", "token", "--seed", "1", "--reporter", "json,html,junit,sarif"], target.env);
    expect(run.code).toBe(2);
    const lines = run.stderr.split("\n").filter((line) => line.startsWith("authproof:"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^authproof: the target stopped answering \\(${target.apiUrl}\\): \\d+ results finished, partial report written to ${run.outDir}/\\S+$`));
    noStack(run.stderr);
    const report = run.report!;
    expect(report.run).toEqual({ state: "partial", reason: `the target stopped answering (${target.apiUrl})` });
    expect(report.results.length).toBeGreaterThanOrEqual(1);
    expect(Number(/(\d+) results finished/.exec(lines[0]!)![1])).toBe(report.results.length);
    // Only finished results: nothing decided on requests the driver did not send.
    for (const result of report.results) {
      for (const exchange of result.evidence?.exchanges ?? []) expect(exchange.error ?? "").not.toMatch(/^(stopped|cancelled):/);
    }
    // Clean-up still reaches Better Auth: the two signed-up users are gone, and so are their sessions.
    expect(target.users.size).toBe(0);
    expect(target.sessions.size).toBe(0);
  });

  test("a route that answers after 10 s does not hold the audit past its operation budget", async () => {
    target = await startFakeTarget({ slowMs: 30_000, allowDelete: false });
    const run = await runCli(["audit", "--only", "token", "--seed", "1", "--operation-timeout", "5000", "--concurrency", "8", "--reporter", "json"], target.env);
    expect(run.code).not.toBe(2);
    const report = run.report!;
    expect(report.run.state).toBe("complete");
    const slow = report.results.filter((r) => r.endpoint?.path === "/api/slow");
    expect(slow.length).toBeGreaterThan(5);
    expect(slow.every((r) => r.status === "error" || r.status === "skip")).toBe(true);
    // Hundreds of token variants target /api/slow: at 10 s each that is minutes. The budget lets through the
    // two controls of the preparation and one round of the suites (8 in flight), then sends it nothing more.
    expect(target.requests.filter((r) => r === "GET /api/slow").length).toBeLessThanOrEqual(12);
    expect(report.durationMs).toBeLessThan(60_000);
    // The deployment refuses delete-user: the summary names the users left behind, and their sessions are revoked.
    expect(run.stderr).toMatch(/left behind: 2 users \(authproof\+1-0-[0-9a-f]+@example\.test, authproof\+1-1-[0-9a-f]+@example\.test\): the deployment does not allow deleting users/);
    expect(target.users.size).toBe(2);
    expect(target.sessions.size).toBe(0);
  }, 180_000);

  test("--max-time: nothing is sent after the deadline and the finished results are a partial report", async () => {
    target = await startFakeTarget({ slowMs: 30_000 });
    const run = await runCli(["audit", "--only", "token", "--seed", "1", "--timeout", "3000", "--max-time", "12", "--reporter", "json"], target.env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^authproof: the run reached its time limit \(--max-time 12 s\): \d+ results finished, partial report written to /m);
    const report = run.report!;
    expect(report.run).toEqual({ state: "partial", reason: "the run reached its time limit (--max-time 12 s)" });
    expect(report.results.length).toBeGreaterThanOrEqual(1);
    expect(report.durationMs).toBeLessThan(12_000 + 10_000); // the deadline, plus the clean-up
    expect(target.users.size).toBe(0);
  }, 120_000);

  test("a bad --baseline stops the run with one line naming the file, before any request", async () => {
    target = await startFakeTarget();
    const dir = mkdtempSync(path.join(tmpdir(), "authproof-baseline-"));
    const broken = path.join(dir, "old.json");
    writeFileSync(broken, "{ not json");
    const run = await runCli(["audit", "--baseline", broken], target.env);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^authproof: --baseline: ${broken} is not JSON: `))]);
    const missing = await runCli(["audit", "--baseline", path.join(dir, "nope.json")], target.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^authproof: --baseline: cannot read report .*nope\.json: ENOENT/m);
    expect(target.requests).toEqual([]);
  });
});
