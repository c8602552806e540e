import { describe, expect, test } from "vitest";
import { createProgress } from "../src/cli/progress.ts";

/** A stream that records what is written, with the TTY facts a test gives it. */
function fakeStream(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  const stream = { isTTY, columns, write: (chunk: string) => (chunks.push(String(chunk)), true), on: () => stream, once: () => stream, removeListener: () => stream } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join("") };
}

function drive(progress: ReturnType<typeof createProgress>) {
  progress.phase({ kind: "phase", phase: "prepare" });
  progress.phase({ kind: "plan", families: [{ name: "token", tests: 2 }] });
  progress.phase({ kind: "family", name: "token" });
  progress.phase({ kind: "test", family: "token", status: "pass" });
  progress.log("done: token (2 results)");
  progress.done();
}

describe("terminal progress", () => {
  test("in CI or a pipe: plain lines, one per phase and family, no escape codes", () => {
    const { stream, text } = fakeStream(false);
    drive(createProgress(stream, { CI: "true" }));
    expect(text()).toContain("phase: prepare");
    expect(text()).toContain("plan: 1 check families, 2 tests (token 2)");
    expect(text()).toContain("done: token (2 results)");
    expect(text()).not.toMatch(/\x1b\[/);
  });

  test("a terminal that reports no width gets the plain lines too, never a redraw it cannot measure", () => {
    const { stream, text } = fakeStream(true, 0);
    drive(createProgress(stream, {}));
    expect(text()).toContain("phase: prepare");
    expect(text()).not.toMatch(/\x1b\[1A/);
  });
});
