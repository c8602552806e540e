import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { auditEnvFor } from "../src/reference/audit-env.ts";
import { startReference, type ReferenceApp } from "../src/reference/launch.ts";
import type { Report } from "../src/report/schema.ts";
import { runCli } from "./helpers/cli.ts";

// 4 shards of one audit, run as parallel processes against one reference app (seed 42), merged: the same
// result ids and statuses as one run with the seed. Families restricted to token,claims,transport,hygiene (a
// full run takes too long on this 2-core machine); hygiene.error-leak judges what the token and claims checks
// sent to each route, which is why a route's tests all go to one shard. alg-none is seeded: there are failures.

const ONLY = ["--only", "token,claims,transport,hygiene"];
let app: ReferenceApp;
const shardFiles: string[] = [];

beforeAll(async () => {
  app = await startReference({ mode: "jwks", flaws: ["alg-none"] });
});

afterAll(() => app?.stop());

const verdicts = (report: Report) => Object.fromEntries(report.results.map((r) => [r.id, r.status]));

test("4 parallel shards, merged, equal one run with the same seed", async () => {
  const env = auditEnvFor(app);
  const shardsStarted = Date.now();
  const shards = await Promise.all([1, 2, 3, 4].map((i) => runCli(["audit", "--seed", "42", ...ONLY, "--shard", `${i}/4`, "--reporter", "json"], env, 600_000)));
  const shardsMs = Date.now() - shardsStarted;
  for (const [i, shard] of shards.entries()) {
    expect(shard.code === 0 || shard.code === 1, shard.stderr).toBe(true);
    expect(shard.report!.shard).toEqual({ index: i + 1, count: 4 });
    expect(shard.stdout).toMatch(new RegExp(`note: shard ${i + 1}/4`));
    expect(shard.stderr + shard.stdout).not.toMatch(/left behind/);
    shardFiles.push(path.join(shard.outDir, "latest", "report.json"));
  }
  // Every shard did some of the work, none did all of it, and no result is in two shards.
  const ids = shards.flatMap((s) => s.report!.results.map((r) => r.id));
  expect(new Set(ids).size).toBe(ids.length);
  for (const shard of shards) expect(shard.report!.results.length).toBeGreaterThan(0);

  const out = mkdtempSync(path.join(tmpdir(), "authproof-merge-"));
  const merge = await runCli(["merge", ...shardFiles, "--out", out]);
  expect(merge.code, merge.stderr).toBe(1);
  const merged = JSON.parse(readFileSync(path.join(out, "latest", "report.json"), "utf8")) as Report;
  expect(merged.shard).toBeUndefined();
  expect(merged.run.state).toBe("complete");
  expect(readFileSync(path.join(out, "latest", "results.sarif"), "utf8")).toMatch(/token\.alg-none/);

  const oneStarted = Date.now();
  const one = await runCli(["audit", "--seed", "42", ...ONLY, "--reporter", "json"], env, 600_000);
  const oneMs = Date.now() - oneStarted;
  expect(one.code, one.stderr).toBe(1);
  console.log(`wall time: 4 parallel shards ${shardsMs} ms (+ merge), one run ${oneMs} ms; ${one.report!.results.length} results`);

  expect(verdicts(merged)).toEqual(verdicts(one.report!));
  expect(merged.findings.map((f) => f.id).sort()).toEqual(one.report!.findings.map((f) => f.id).sort());
  expect(merged.summary.verdict).toBe(one.report!.summary.verdict);
  expect(merged.results.some((r) => r.checkId === "token.alg-none" && r.status === "fail")).toBe(true);
}, 900_000);

test("merge refuses a missing shard, a duplicate shard and shards of another seed: one line, exit 2", async () => {
  expect(shardFiles).toHaveLength(4);
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-merge-bad-"));
  const cases: Array<[string[], RegExp]> = [
    [shardFiles.slice(0, 3), /^authproof: merge: shard 4\/4 missing$/],
    [[...shardFiles.slice(0, 3), shardFiles[0]!], /^authproof: merge: shard 1\/4 is given twice/],
  ];
  const otherSeed = path.join(dir, "seed.json");
  const report = JSON.parse(readFileSync(shardFiles[3]!, "utf8")) as Report;
  writeFileSync(otherSeed, JSON.stringify({ ...report, seed: 43 }));
  cases.push([[...shardFiles.slice(0, 3), otherSeed], /^authproof: merge: .* are not shards of one audit: seed 42 vs 43$/]);
  const unsharded = path.join(dir, "whole.json");
  const { shard: _s, ...whole } = report;
  writeFileSync(unsharded, JSON.stringify(whole));
  cases.push([[...shardFiles.slice(0, 3), unsharded], /is not a shard's report/]);
  for (const [files, message] of cases) {
    const run = await runCli(["merge", ...files, "--out", dir]);
    expect(run.code, run.stderr).toBe(2);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  }
}, 120_000);

test("--shard takes i/n with 1 <= i <= n: one line, exit 2", async () => {
  const run = await runCli(["audit", "--shard", "5/4", "--api", "http://127.0.0.1:9"]);
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(/run\.shard|--shard/);
});
