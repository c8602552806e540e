import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freeLoopbackPort } from "../../src/reference/ports.ts";
import { BACKEND_PYTHON } from "./backend.ts";
import { REPO_ROOT } from "./cli.ts";

/** fixtures/standalone-api: a backend with no sign-up of its own, docs disabled, shaped like real public apps. */
export const STANDALONE_DIR = path.join(REPO_ROOT, "fixtures", "standalone-api");

export interface Standalone {
  url: string;
  /** DATABASE_PATH of this process. */
  dbPath: string;
  stop(): Promise<void>;
}

/**
 * Boots the standalone fixture with uvicorn on a free loopback port (`AUTH_MODE`, `JWT_SECRET` / `JWKS_URL`,
 * `JWT_AUDIENCE`, `FIXTURE_FLAWS`, … in `env`); resolves once GET /health answers.
 */
export async function startStandalone(env: Record<string, string>): Promise<Standalone> {
  const port = await freeLoopbackPort();
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-standalone-"));
  const dbPath = path.join(dir, "tasks.db");
  const child = spawn(BACKEND_PYTHON, ["-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", String(port), "--no-access-log"], {
    cwd: STANDALONE_DIR,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", PYTHONDONTWRITEBYTECODE: "1", DATABASE_PATH: dbPath, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let output = "";
  child.stderr.on("data", (c: Buffer) => (output = (output + c.toString()).slice(-4000)));
  let alive = true;
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => ((alive = false), resolve(code))));
  const stop = async () => {
    if (alive) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (!alive) {
      await stop();
      throw new Error(`fixture exited with code ${await exited}:\n${output}`);
    }
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) return { url, dbPath, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`fixture did not become healthy:\n${output}`);
}

/** Rows in a table of the fixture's SQLite file, read by a separate process. */
export function rowCount(fixture: Pick<Standalone, "dbPath">, table = "tasks"): number {
  const script = "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(f'select count(*) from {sys.argv[2]}').fetchone()[0])";
  return Number(execFileSync(BACKEND_PYTHON, ["-c", script, fixture.dbPath, table], { encoding: "utf8" }).trim());
}
