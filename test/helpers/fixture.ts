import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { freeLoopbackPort } from "../../src/reference/ports.ts";
import { fixturesDir, fixturesPython } from "../../src/reference/setup.ts";

/** fixtures/stock: one FastAPI backend per stock library, each verifying tokens as its docs show. */
export const STOCK_DIR = path.join(fixturesDir, "stock");

export interface RunningFixture {
  url: string;
  /** The last lines the server printed (uvicorn's log, tracebacks). */
  output(): string;
  stop(): Promise<void>;
}

export type Severity = "critical" | "high" | "medium" | "low" | "info";

/** What a fixture's expected.json says: the true findings authproof must report there, and why. */
export interface FixtureExpectation {
  library: string;
  /** Check ids that must fail (true findings); any other fail at low or above is a false alarm. */
  findings: string[];
  /** Per finding: the severity a correct judge gives it; decides the expected exit code. */
  severity: Record<string, Severity>;
  /** Per finding: why it is a true finding (advisory, issue, RFC). */
  why: Record<string, string>;
  /**
   * Per finding, optionally: lower-case fragments of the failed-variant labels that make up the true
   * finding. A result of that check whose failed variants match none of them is a false alarm (e.g.
   * claims.exp-invalid failing only for a numeric-string exp, which is leniency).
   */
  variants: Record<string, string[]>;
  /** True findings that only some seeds reach (property suites) or checks not yet in the catalogue: tolerated, not required. */
  mayFind: Record<string, string>;
  /** What the library accepts that is leniency (info, hardening advice) and must not fail at low or above. */
  leniencies: string[];
}

export function fixtureExpectation(name: string): FixtureExpectation {
  return JSON.parse(readFileSync(path.join(STOCK_DIR, name, "expected.json"), "utf8")) as FixtureExpectation;
}

/** The fixture's authproof.config.json with `${API_URL}` / `${AUTH_URL}` filled in. */
export function fixtureConfig(name: string, vars: { API_URL: string; AUTH_URL: string }): Record<string, unknown> {
  const text = readFileSync(path.join(STOCK_DIR, name, "authproof.config.json"), "utf8").replace(
    /\$\{(API_URL|AUTH_URL)\}/g,
    (_, key: "API_URL" | "AUTH_URL") => vars[key],
  );
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Starts fixtures/stock/<name>/app.py with uvicorn from fixtures/.venv on a free loopback port, with a
 * clean environment plus `env`; resolves once GET /health answers. stop() ends the process.
 */
export async function startFixture(name: string, env: Record<string, string>): Promise<RunningFixture> {
  const cwd = path.join(STOCK_DIR, name);
  if (!existsSync(path.join(cwd, "app.py"))) throw new Error(`no fixture ${name} in ${STOCK_DIR}`);
  if (!existsSync(fixturesPython)) throw new Error(`${fixturesPython} is missing: run npm run setup`);
  const port = await freeLoopbackPort();
  const child = spawn(fixturesPython, ["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", String(port), "--no-access-log"], {
    cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let alive = true;
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      alive = false;
      resolve(code);
    });
    child.on("error", (error) => {
      alive = false;
      output += `\ncould not start ${fixturesPython}: ${error.message}`;
      resolve(null);
    });
  });
  const stop = async () => {
    if (!alive) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!alive) throw new Error(`fixture ${name} exited with code ${await exited} before it was healthy:\n${output}`);
    const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (healthy) return { url, output: () => output, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`fixture ${name} did not become healthy within 30 s:\n${output}`);
}
