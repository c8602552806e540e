import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { CONFIG_SOURCES } from "../src/config/load.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

// Every option the config sources accept appears in the help of each command that takes it, with its
// environment variable; help and config are built from the same list, and this proves the list reaches --help.

const run = promisify(execFile);
const BIN = path.join(REPO_ROOT, "bin", "authproof.js");

async function help(command: string): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, command, "--help"], { cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: "1", COLUMNS: "400" } });
  return stdout;
}

/** Help text with commander's line wrapping undone. */
function flat(text: string): string {
  return text.replace(/\s+/g, " ");
}

describe("per-command help", () => {
  for (const command of ["audit", "reference", "report"]) {
    test(`authproof ${command} --help lists every config flag it accepts, with its environment variable`, async () => {
      const text = flat(await help(command));
      const sources = CONFIG_SOURCES.filter((s) => s.flags?.length && (command !== "report" || s.alsoFor?.includes("report")));
      expect(sources.length).toBeGreaterThan(command === "report" ? 4 : 30);
      for (const source of sources) {
        for (const flag of source.flags!) expect(text, `--${flag}`).toMatch(new RegExp(`--${flag}(?![\\w-])`));
        if (source.env) expect(text, source.env).toContain(source.env);
      }
      if (command !== "report") {
        // the variables without a flag (secrets) are listed below the options
        for (const source of CONFIG_SOURCES.filter((s) => s.env && !s.flags?.length)) expect(text).toContain(source.env!);
      }
    });
  }

  test("the flags the issue found missing are there, with their defaults", async () => {
    const text = flat(await help("audit"));
    for (const flag of ["--token-path", "--issuer", "--audience", "--identity-claim", "--cors-origins", "--foreign-status", "--fail-on-new", "--ignore-file", "--source-file"]) expect(text).toContain(flag);
    expect(text).toMatch(/--rps <n\|auto> .*unset: loopback targets unthrottled, others auto\) \(env: AUTHPROOF_RPS/);
  });

  test("--version prints the package version", async () => {
    const { stdout } = await run(process.execPath, [BIN, "--version"], { cwd: REPO_ROOT });
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
