import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ReferenceAppError } from "./errors.ts";
import { backendDir, frontendDir, nextBin, repoRoot, venvDir, venvPython } from "./paths.ts";

/** fixtures/: the stock-library backends (fixtures/stock/*), with their own virtualenv. */
export const fixturesDir = path.join(repoRoot, "fixtures");
export const fixturesVenvDir = path.join(fixturesDir, ".venv");
export const fixturesPython = path.join(fixturesVenvDir, "bin", "python");

type Log = (line: string) => void;

const BUILD_STAMP = path.join(frontendDir, ".next", ".authproof-build-stamp");
const VENV_STAMP = path.join(venvDir, ".authproof-requirements.sha256");
const FIXTURES_VENV_STAMP = path.join(fixturesVenvDir, ".authproof-requirements.sha256");
const LOCK_DIR = path.join(repoRoot, "node_modules", ".cache", "authproof-reference-setup.lock");
// Not build inputs: dependencies, build output, local settings, Docker files and docs.
const FRONTEND_SKIP = new Set([
  "node_modules", ".next", "next-env.d.ts", "tsconfig.tsbuildinfo", ".env", ".env.local",
  ".env.example", "Dockerfile", ".dockerignore", "README.md",
]);

/**
 * Makes the reference app runnable: creates the backend virtualenv when it is missing or
 * requirements.txt changed, runs `next build` when the build is missing or a frontend source
 * changed, and creates the stock fixtures' virtualenv (fixtures/.venv) the same way (hash stamps).
 * Idempotent; returns quickly when nothing changed. Serialised across processes.
 */
export async function ensureReferenceSetup(log: Log = () => {}): Promise<void> {
  await withLock(async () => {
    await ensureBackendVenv(log);
    await ensureFrontendBuild(log);
    await ensureFixturesVenv(log);
  });
}

async function ensureBackendVenv(log: Log): Promise<void> {
  const requirements = path.join(backendDir, "requirements.txt");
  if (!existsSync(requirements)) {
    throw new ReferenceAppError("SETUP_FAILED", `Missing ${path.relative(repoRoot, requirements)}: the reference backend is not there`);
  }
  await ensureVenv({ dir: venvDir, python: venvPython, stamp: VENV_STAMP, requirements, what: "the backend" }, log);
}

/**
 * fixtures/.venv for the stock-library backends (fixtures/stock/*): PyJWT, python-jose, Authlib/joserfc
 * at the exact versions of fixtures/requirements.txt, kept apart from the reference backend's pins.
 * Skipped when the repository has no fixtures (an installed package).
 */
async function ensureFixturesVenv(log: Log): Promise<void> {
  const requirements = path.join(fixturesDir, "requirements.txt");
  if (!existsSync(requirements)) return;
  await ensureVenv({ dir: fixturesVenvDir, python: fixturesPython, stamp: FIXTURES_VENV_STAMP, requirements, what: "the stock fixtures" }, log);
}

/** A virtualenv with exactly `requirements` installed; rebuilt only when the requirements file changed. */
async function ensureVenv(venv: { dir: string; python: string; stamp: string; requirements: string; what: string }, log: Log): Promise<void> {
  const hash = sha256(readFileSync(venv.requirements));
  if (existsSync(venv.python) && readIfExists(venv.stamp) === hash) return;
  const cwd = path.dirname(venv.requirements);
  log(`reference setup: installing the virtualenv of ${venv.what} (${path.relative(repoRoot, venv.dir)})`);
  if (!existsSync(venv.python)) await run("python3", ["-m", "venv", venv.dir], cwd, `create the virtualenv of ${venv.what}`);
  await run(venv.python, ["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", venv.requirements], cwd, `install the requirements of ${venv.what}`);
  writeFileSync(venv.stamp, hash);
}

async function ensureFrontendBuild(log: Log): Promise<void> {
  if (existsSync(path.join(frontendDir, ".next", "BUILD_ID")) && readIfExists(BUILD_STAMP) === frontendHash()) return;
  log("reference setup: building the frontend (next build)");
  await run(process.execPath, [nextBin, "build"], frontendDir, "build the reference frontend", {
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
  });
  // Hashed after the build: `next build` may touch sources (tsconfig.json) the first time.
  writeFileSync(BUILD_STAMP, frontendHash());
}

/** Hash over every frontend source file (paths and contents) plus the lockfile that pins its dependencies. */
function frontendHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (FRONTEND_SKIP.has(entry.name) || entry.name.endsWith(".db")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) hash.update(path.relative(frontendDir, full)).update("\0").update(readFileSync(full)).update("\0");
    }
  };
  walk(frontendDir);
  const lockfile = path.join(repoRoot, "package-lock.json");
  if (existsSync(lockfile)) hash.update(readFileSync(lockfile));
  return hash.digest("hex");
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}

function run(command: string, args: string[], cwd: string, what: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const key of ["TEST", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID", "VITEST_MODE"]) delete childEnv[key];
    const child = spawn(command, args, { cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    const keep = (chunk: Buffer) => {
      output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      if (output.length > 40) output.splice(0, output.length - 40);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (error) => reject(new ReferenceAppError("SETUP_FAILED", `Could not ${what}: ${error.message}`)));
    child.on("close", (code) => {
      if (code === 0) resolve();
      else reject(new ReferenceAppError("SETUP_FAILED", `Could not ${what} (exit ${code}):\n${output.slice(-20).join("\n")}`));
    });
  });
}

/** A cross-process lock (a directory holding the owner's pid); a lock left by a dead process is taken over. */
async function withLock<T>(body: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(LOCK_DIR), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(path.join(LOCK_DIR, "pid"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (lockIsStale()) rmSync(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

function lockIsStale(): boolean {
  const pid = Number(readIfExists(path.join(LOCK_DIR, "pid")));
  if (!pid) {
    // Owner has not written its pid yet, or died before it could: stale once older than a few seconds.
    try {
      return Date.now() - statSync(LOCK_DIR).mtimeMs > 5000;
    } catch {
      return true;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
