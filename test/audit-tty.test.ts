import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import type { Report } from "../src/report/schema.ts";
import { CLI, REPO_ROOT } from "./helpers/cli.ts";
import { STANDALONE_DIR, startStandalone, type Standalone } from "./helpers/standalone.ts";

// R2.3: Ctrl-C on a terminal. The audit runs under a pseudo-terminal (util-linux `script`); typing ^C there makes
// the terminal send SIGINT to the foreground process group, as a user's keyboard does.

const SECRET = randomBytes(32).toString("hex");
let fixture: Standalone | undefined;
afterAll(() => fixture?.stop());

test("Ctrl-C on a TTY mid-audit: exit 2, a partial report with the finished results", async () => {
  fixture = await startStandalone({ AUTH_MODE: "shared-secret", JWT_SECRET: SECRET });
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-tty-"));
  const config = path.join(dir, "authproof.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      mode: "shared-secret",
      api: { baseUrl: fixture.url, openapiFile: path.join(STANDALONE_DIR, "openapi.json") },
      claims: { identityClaim: "user_id", audience: "tasks-api" },
    }),
  );
  const out = path.join(dir, "reports");
  // A terminal of a real size, as a user's: the live progress (a spinner naming each phase) runs, not plain lines.
  // `exec`: the audit replaces script's shell, as it is the foreground job under a user's interactive shell. A
  // non-interactive dash left in between dies of the same SIGINT and script would report its 130, not ours.
  const command = "stty cols 120 rows 40; exec " + [CLI, "audit", "--config", config, "--reporter", "json", "--out", out, "--seed", "5"]
    .map((word) => `'${word}'`)
    .join(" ");
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|NODE_ENV$|TEST$|AUTHPROOF_|BETTER_AUTH_)/.test(name)));
  const child = spawn("script", ["-qefc", command, "/dev/null"], { env: { ...env, BETTER_AUTH_SECRET: SECRET, TERM: "xterm" }, stdio: ["pipe", "pipe", "pipe"] });
  let terminal = "";
  let typed = false;
  child.stdout.on("data", (chunk: Buffer) => {
    terminal += chunk.toString();
    if (!typed && /done: token|✔ token/.test(terminal)) {
      typed = true;
      child.stdin.write("\x03");
    }
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 240_000);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(killer);
  expect(typed, terminal).toBe(true);
  expect(code, terminal).toBe(2);
  expect(terminal).toMatch(/authproof: interrupted by SIGINT: \d+ results finished, partial report written to /);
  expect(terminal).not.toMatch(/\n\s+at /);
  const file = path.join(out, "latest", "report.json");
  expect(existsSync(file), terminal).toBe(true);
  const report = JSON.parse(readFileSync(file, "utf8")) as Report;
  expect(report.run).toEqual({ state: "partial", reason: "interrupted by SIGINT" });
  // The families that finished before ^C are in it.
  expect(report.results.filter((r) => r.category === "token").length).toBeGreaterThan(0);
}, 300_000);
