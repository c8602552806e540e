import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { freePort } from "./helpers/backend.ts";
import { runCli } from "./helpers/cli.ts";

describe("the CLI fails cleanly (exit 2, one line, no stack trace)", () => {
  test("a target that is down", async () => {
    const port = await freePort();
    const run = await runCli(["audit", "--api", `http://127.0.0.1:${port}`, "--auth", `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot reach .*127\.0\.0\.1/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.report).toBeUndefined();
  });

  test("a bad config value names the field", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "authproof-config-"));
    const file = path.join(dir, "authproof.config.json");
    writeFileSync(file, JSON.stringify({ api: { baseUrl: "localhost:8000" }, policy: { failOn: "severe" } }));
    const run = await runCli(["audit", "--config", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/api\.baseUrl/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test("an unknown config key is named", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "authproof-config-"));
    const file = path.join(dir, "authproof.config.json");
    writeFileSync(file, JSON.stringify({ polcy: { failOn: "high" } }));
    const run = await runCli(["audit", "--config", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/polcy/);
  });

  test("an unknown flag and an unknown flaw", async () => {
    const flag = await runCli(["audit", "--frobnicate"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/frobnicate/);
    expect(flag.stderr.trim().split("\n")).toHaveLength(1);
    const flaw = await runCli(["reference", "--flaws", "no-such-flaw"]);
    expect(flaw.code).toBe(2);
    expect(flaw.stderr).toMatch(/no-such-flaw/);
    expect(flaw.stderr).not.toMatch(/\n\s+at /);
  });

  test("a misspelt flag gets a suggestion", async () => {
    const run = await runCli(["audit", "--onyl", "token"]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/did you mean --only\?/);
  });

  test("an unknown command", async () => {
    const run = await runCli(["frob"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'frob'/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
