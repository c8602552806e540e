import { describe, expect, test } from "vitest";
import { decodeToken } from "../src/forge/token.ts";
import type { Report } from "../src/report/schema.ts";
import { checkIdsWith, runCli, type CliRun } from "./helpers/cli.ts";

// The property suites find seeded flaws without being told about them: each flaw makes its property fail
// with a shrunk counterexample, the secure app passes all four, and the same seed gives the same
// counterexample again. The properties run at their default number of runs. A token flaw and an isolation flaw
// share one app and one audit: each is found by its own property, which the other cannot make fail.

const SEED = "7";
const PROPERTY_IDS = ["property.header-fuzz", "property.isolation-model", "property.token-acceptance", "property.token-rejection"];

const FLAWS: Array<{ flaw: string; checkId: string; shrunkTo: RegExp }> = [
  { flaw: "alg-none", checkId: "property.token-rejection", shrunkTo: /header: "alg"="none"/i },
  { flaw: "exp-ignored", checkId: "property.token-rejection", shrunkTo: /claims: "exp"=now-\d+/ },
  { flaw: "sub-optional", checkId: "property.token-rejection", shrunkTo: /claims: (-"sub"|"sub"=)/ },
  { flaw: "foreign-write", checkId: "property.isolation-model", shrunkTo: /create\((A|B)\),(update|delete)\((B|A) → (A|B)'s #0/ },
  { flaw: "list-leak", checkId: "property.isolation-model", shrunkTo: /commands: create\((A|B)\)/ },
];

const GROUPS = [["alg-none", "foreign-write"], ["exp-ignored", "list-leak"], ["sub-optional"]];
const groupOf = (flaw: string) => GROUPS.find((group) => group.includes(flaw))!;
const checkOf = (flaw: string) => FLAWS.find((f) => f.flaw === flaw)!.checkId;

const runs = new Map<string, Promise<CliRun>>();

/** One audit of the reference app with these flaws (shared by the tests that ask for the same flaws, unless `fresh`). */
function audit(flaws: string[], fresh = false): Promise<CliRun> {
  const key = flaws.join(",");
  const args = ["reference", "--only", "property", "--seed", SEED, "--reporter", "json", "--include-tokens"];
  const start = () => runCli(flaws.length ? [...args, "--flaws", key] : args, {}, 280_000);
  if (fresh) return start();
  if (!runs.has(key)) runs.set(key, start());
  return runs.get(key)!;
}

function result(report: Report, checkId: string) {
  const found = report.results.find((r) => r.checkId === checkId);
  expect(found, checkId).toBeDefined();
  return found!;
}

describe("property suites on the reference app", { timeout: 300_000 }, () => {
  test("secure app: all four properties hold, exit 0", async () => {
    const run = await audit([]);
    expect(run.report, run.stderr).toBeDefined();
    expect(checkIdsWith(run.report!, "pass")).toEqual(PROPERTY_IDS);
    expect(run.report!.results).toHaveLength(4);
    for (const r of run.report!.results) expect(r.evidence?.notes?.[0], r.checkId).toMatch(/^\d+ runs .* requests, seed 7$/);
    expect(run.code).toBe(0);
  });

  for (const { flaw, checkId, shrunkTo } of FLAWS) {
    test(`${flaw} → ${checkId} fails with a shrunk counterexample`, async () => {
      const run = await audit(groupOf(flaw));
      expect(run.report, run.stderr).toBeDefined();
      expect(checkIdsWith(run.report!, "fail")).toEqual([...new Set(groupOf(flaw).map(checkOf))].sort());
      expect(checkIdsWith(run.report!, "error")).toEqual([]);
      const failed = result(run.report!, checkId);
      const cx = failed.counterexample!;
      expect(cx.seed).toBe(Number(SEED));
      expect(cx.path).toMatch(/^\d+(:\d+)*$/);
      expect(failed.reason).toContain(`seed ${SEED}, path "${cx.path}"`);
      expect(failed.reason).toMatch(/curl: curl -sS -i /);
      expect(failed.reproduce).toMatch(/^curl /);
      expect(failed.evidence?.failedVariants?.[0]).toBeTruthy();
      expect(failed.reason).toMatch(shrunkTo);
      if (checkId === "property.token-rejection") {
        // Decoded header and claims, and the raw token they came from.
        expect(cx.header).toBeTypeOf("object");
        expect(cx.claims).toBeTypeOf("object");
        expect(cx.authorization).toBe(`Bearer ${cx.token}`);
        expect(decodeToken(cx.token!).header).toEqual(cx.header);
        expect(decodeToken(cx.token!).claims).toEqual(cx.claims);
      }
      // The terminal shows the same line.
      expect(run.stdout + run.stderr).toContain(`✗ ${checkId}`);
      expect(run.stdout + run.stderr).toContain(`path "${cx.path}"`);
      expect(run.code).toBe(1);
    });
  }

  test("the same seed reproduces the same counterexamples", async () => {
    const again = await audit(GROUPS[0]!, true);
    expect(again.report, again.stderr).toBeDefined();
    for (const flaw of GROUPS[0]!) {
      const checkId = checkOf(flaw);
      const first = result((await audit(GROUPS[0]!)).report!, checkId);
      const second = result(again.report!, checkId);
      expect(second.status).toBe("fail");
      expect(second.counterexample?.path).toBe(first.counterexample?.path);
      // Descriptions are free of run-specific values (user ids, ports, times): they must match exactly.
      expect(counterexampleLine(second.reason)).toBe(counterexampleLine(first.reason));
      if (checkId === "property.token-rejection") {
        expect(Object.keys(second.counterexample!.claims as object)).toEqual(Object.keys(first.counterexample!.claims as object));
        expect((second.counterexample!.header as { alg: unknown }).alg).toBe((first.counterexample!.header as { alg: unknown }).alg);
      }
    }
  });
});

function counterexampleLine(reason: string | undefined): string | undefined {
  return reason?.split("\n").find((line) => line.trim().startsWith("counterexample:"))?.replace(/ \/\*replayPath=.*\*\//, "");
}
