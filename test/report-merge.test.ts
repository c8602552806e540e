import { expect, test } from "vitest";
import { mergeShards } from "../src/report/merge.ts";
import { renderReport } from "../src/report/write.ts";
import { withFindings } from "../src/report/findings.ts";
import type { Report } from "../src/report/schema.ts";
import { buildReport } from "./report-fixture.ts";

// mergeShards on hand-built shards: the union of the results, findings and summary recomputed, the whole
// report valid; and the refusals. (test/shard.test.ts runs real shards against the reference app.)

/** The fixture's results dealt over `count` shards, round-robin. */
function shards(count: number, mutate: (report: Report, index: number) => Report = (r) => r): Array<{ file: string; report: Report }> {
  const whole = buildReport();
  return Array.from({ length: count }, (_, i) => {
    const results = whole.results.filter((_, k) => k % count === i);
    const checks = whole.checks.filter((c) => results.some((r) => r.checkId === c.id));
    const { findings: _f, summary: _s, matrix: _m, baseline: _b, ...rest } = whole;
    const report = withFindings({ ...rest, results, checks, shard: { index: i + 1, count }, durationMs: 1000 * (i + 1) });
    return { file: `shard-${i + 1}.json`, report: mutate(report, i) };
  });
}

test("the merged shards hold every result once, with findings and summary of the whole", () => {
  const whole = buildReport();
  const merged = mergeShards(shards(3));
  expect(merged.shard).toBeUndefined();
  expect(Object.fromEntries(merged.results.map((r) => [r.id, r.status]))).toEqual(Object.fromEntries(whole.results.map((r) => [r.id, r.status])));
  expect(merged.findings.map((f) => f.id).sort()).toEqual(whole.findings.map((f) => f.id).sort());
  expect(merged.summary.verdict).toBe(whole.summary.verdict);
  expect(merged.summary.failed).toBe(whole.summary.failed);
  expect(merged.durationMs).toBe(3000);
  expect(merged.run.state).toBe("complete");
});

test("a partial shard makes the merged run partial, naming the shard", () => {
  const merged = mergeShards(shards(2, (r, i) => (i === 1 ? { ...r, run: { state: "partial", reason: "interrupted by SIGTERM" } } : r)));
  expect(merged.run).toEqual({ state: "partial", reason: "shard 2/2: interrupted by SIGTERM" });
});

test("refusals: not a shard, another count, twice, missing, another seed or target", () => {
  const three = shards(3);
  const { shard: _s, ...unsharded } = three[0]!.report;
  expect(() => mergeShards([{ file: "whole.json", report: unsharded as Report }, ...three.slice(1)])).toThrow(/whole\.json is not a shard's report/);
  expect(() => mergeShards([...three.slice(0, 2), shards(4)[2]!])).toThrow(/shard-3\.json is shard 3\/4, shard-1\.json is of 3 shards/);
  expect(() => mergeShards([...three, three[1]!])).toThrow(/shard 2\/3 is given twice/);
  expect(() => mergeShards(three.slice(0, 1))).toThrow(/^merge: shards 2\/3, 3\/3 missing$/);
  expect(() => mergeShards(shards(2, (r, i) => (i ? { ...r, seed: r.seed + 1 } : r)))).toThrow(/not shards of one audit: seed/);
  expect(() => mergeShards(shards(2, (r, i) => (i ? { ...r, target: { ...r.target, apiUrl: "http://127.0.0.1:1" } } : r)))).toThrow(/not shards of one audit: target/);
});

test("a shard's HTML says which slice it holds; the merged report's does not", () => {
  const [first] = shards(2);
  expect(renderReport(first!.report, "html")).toContain("Shard 1 of 2 — this report holds only this slice");
  expect(renderReport(mergeShards(shards(2)), "html")).not.toContain('id="shard"');
});
