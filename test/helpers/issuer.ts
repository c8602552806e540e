import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { CLI, REPO_ROOT } from "./cli.ts";

/** KEY='value' lines (what the issuer writes); comments and blank lines skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)='([^']*)'$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

export interface IssuerProcess {
  origin: string;
  envFile: string;
  /** The env file's variables (AUTHPROOF_PRIVATE_JWK, BETTER_AUTH_SECRET, ...). */
  env: Record<string, string>;
  stdout(): string;
  stderr(): string;
  /** SIGTERM (or the given signal); resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `authproof issuer` as users do (a child process without NODE_ENV / vitest variables) and waits for
 * the line naming its env file.
 */
export async function startIssuerCli(args: string[] = [], env: Record<string, string> = {}): Promise<IssuerProcess> {
  const cleanEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(VITEST|NODE_ENV$|TEST$|AUTHPROOF_|BETTER_AUTH_)/.test(name)),
  ) as Record<string, string>;
  const child = spawn(CLI, ["issuer", ...args], {
    cwd: REPO_ROOT,
    env: { ...cleanEnv, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  let alive = true;
  void exited.then(() => (alive = false));
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (alive) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const file = /env file\s+(\S+)/.exec(stdout)?.[1];
    const origin = /Better Auth at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
    if (file && origin && /Stop with Ctrl-C/.test(stdout)) {
      return { origin, envFile: file, env: parseEnvFile(readFileSync(file, "utf8")), stdout: () => stdout, stderr: () => stderr, stop };
    }
    if (!alive) throw new Error(`authproof issuer exited with ${await exited}:\n${stdout}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`authproof issuer did not start within 60 s:\n${stdout}\n${stderr}`);
}
