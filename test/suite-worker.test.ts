import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { runSuiteWorker } from "../src/run/run-suites.ts";
import { RunStop } from "../src/run/stop.ts";
import type { SuiteEvent, SuiteInputs } from "../src/run/suite-protocol.ts";
import type { TargetModel } from "../src/model/target.ts";

// The suite worker on its own, with suite files written here: what it reports for tests that pass, fail and skip,
// a file that cannot load, an error no test caught, and a cancelled run.

const RUNNER = JSON.stringify(import.meta.resolve("@vitest/runner"));
const dir = mkdtempSync(path.join(tmpdir(), "authproof-suite-worker-"));

function suite(name: string, body: string): string {
  const file = path.join(dir, `${name}.suite.mjs`);
  writeFileSync(file, `import { describe, test } from ${RUNNER};\n${body}\n`);
  return file;
}

async function run(files: string[], stop?: RunStop): Promise<SuiteEvent[]> {
  const events: SuiteEvent[] = [];
  const inputs: SuiteInputs = { files, model: {} as TargetModel, deadlineAt: 0 };
  await runSuiteWorker(inputs, (event) => events.push(event), stop);
  return events;
}

const tests = (events: SuiteEvent[]) => events.flatMap((e) => (e.kind === "test" ? [e] : []));

describe("the suite worker", () => {
  test("reports each test with its task meta and state, each file's start and end in order, then done", async () => {
    const file = suite(
      "mixed",
      `describe("unit", () => {
        test("passes", (ctx) => { ctx.task.meta.authproof = [{ checkId: "a", status: "pass" }]; });
        test("fails", () => { throw new Error("boom"); });
        test("skips", (ctx) => ctx.skip("not here"));
      });`,
    );
    const events = await run([file]);
    expect(events.map((e) => e.kind)).toEqual(["module-start", "test", "test", "test", "module-end", "done"]);
    const [passes, fails, skips] = tests(events);
    expect(passes).toMatchObject({ fullName: "unit > passes", state: "pass", meta: { authproof: [{ checkId: "a", status: "pass" }] } });
    expect(fails).toMatchObject({ fullName: "unit > fails", state: "fail", errors: ["boom"] });
    expect(skips).toMatchObject({ state: "skip" });
    const end = events.find((e) => e.kind === "module-end");
    expect(end).toMatchObject({ file, testIds: [passes!.id, fails!.id, skips!.id], errors: [] });
  });

  test("a file that cannot load ends with its error, and the next file still runs", async () => {
    const broken = suite("broken", `throw new Error("cannot load");`);
    const fine = suite("fine", `test("ok", () => {});`);
    const events = await run([broken, fine]);
    expect(events.find((e) => e.kind === "module-end" && e.file === broken)).toMatchObject({ errors: ["cannot load"] });
    expect(tests(events).map((t) => [t.fullName, t.state])).toEqual([["ok", "pass"]]);
    expect(events.at(-1)?.kind).toBe("done");
  });

  test("an error no test caught is reported, not lost", async () => {
    const file = suite("stray", `test("leaves a rejection behind", () => { void Promise.reject(new Error("stray rejection")); return new Promise((r) => setTimeout(r, 50)); });`);
    const events = await run([file]);
    expect(events).toContainEqual({ kind: "unhandled", message: "stray rejection" });
    expect(events.at(-1)?.kind).toBe("done");
  });

  test("a stopped run aborts the running test and skips the tests and files that have not started", async () => {
    const slow = suite(
      "slow",
      `test("waits", (ctx) => new Promise((resolve, reject) => { const t = setTimeout(resolve, 30_000); ctx.signal.addEventListener("abort", () => { clearTimeout(t); reject(ctx.signal.reason); }); }));
       test("after", () => {});`,
    );
    const later = suite("later", `test("never", () => {});`);
    const stop = new RunStop();
    setTimeout(() => stop.stop({ kind: "interrupted", signal: "SIGINT" }), 500);
    const started = Date.now();
    const events = await run([slow, later], stop);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(tests(events).filter((t) => t.state !== "skip").map((t) => t.fullName)).toEqual([]);
    expect(events.at(-1)?.kind).toBe("done");
  });
});
