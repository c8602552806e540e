import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { startChild, type ManagedChild } from "./child.ts";
import { ReferenceAppError } from "./errors.ts";
import { resolveFlaws, type ReferenceMode } from "./flaws.ts";
import { backendDir, frontendDir, nextBin, venvPython } from "./paths.ts";
import { freeLoopbackPort } from "./ports.ts";

/** The integration guide's placeholder secret, used by the `weak-secret` flaw. */
export const WEAK_SECRET = "your-secret-key-min-32-chars";

export interface StartReferenceOptions {
  /**
   * Token mode: Better Auth's EdDSA JWTs via JWKS (default), HS256 with the shared secret, or session: the backend
   * takes Better Auth's session token (bearer or cookie) and asks get-session.
   */
  mode?: ReferenceMode;
  /** Seeded flaws to switch on (names from reference-app/flaws.json). */
  flaws?: string[];
  /** Loopback ports; free ones are picked when omitted. */
  webPort?: number;
  apiPort?: number;
  /** BETTER_AUTH_SECRET; 32 random bytes when omitted (the weak-secret flaw overrides it). */
  secret?: string;
  /** Receives the servers' output lines, prefixed with [web] / [api]. */
  log?: (line: string) => void;
  /** How long to wait for both servers to answer (default 60 s). */
  startTimeoutMs?: number;
  /**
   * A PostgreSQL URL (postgres://…): both servers keep their data there (Better Auth's tables and the tasks, in one
   * database) instead of two SQLite files. Given to them as DATABASE_URL (and the backend's AUTH_DATABASE_URL).
   */
  databaseUrl?: string;
  /** Better Auth's session.cookieCache maxAge in seconds (COOKIE_CACHE_SECONDS); default 10 in session mode, else none. */
  cookieCacheSeconds?: number;
}

/** A running reference app (Next.js + Better Auth on webUrl, FastAPI on apiUrl). */
export interface ReferenceApp {
  webUrl: string;
  apiUrl: string;
  mode: ReferenceMode;
  flaws: string[];
  /** The BETTER_AUTH_SECRET both servers use (HS256 key in shared-secret mode). */
  secret: string;
  /** jwks mode: the private Ed25519 JWK (with kid) Better Auth signs with — a signing oracle for tests. */
  signingJwk?: JWK;
  /** jwks mode: its public half, as served at /api/auth/jwks. */
  publicJwk?: JWK;
  /** The PostgreSQL database both servers use, when started with one (then the SQLite paths below stay unused). */
  databaseUrl?: string;
  /** Better Auth's SQLite file (user, session, account, verification, jwks), inside a temp dir removed by stop(). */
  authDatabasePath: string;
  /** The backend's SQLite file (tasks), in the same temp dir. */
  tasksDatabasePath: string;
  /** Stops both servers (process groups) and removes the temporary databases. */
  stop(): Promise<void>;
}

const running = new Set<{ children: ManagedChild[]; tempDir: string }>();
let exitHookInstalled = false;

/**
 * Starts the bundled reference app on loopback: `next start` for the frontend and uvicorn for the
 * backend, with fresh SQLite databases in a temporary directory. Resolves once GET /health and
 * GET /api/auth/ok answer. Needs a prepared app (see ensureReferenceSetup / `npm run setup`).
 */
export async function startReference(opts: StartReferenceOptions = {}): Promise<ReferenceApp> {
  const mode = opts.mode ?? "jwks";
  if (opts.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
    throw new ReferenceAppError("BAD_OPTION", "databaseUrl must be a postgres:// or postgresql:// URL");
  }
  if (mode !== "jwks" && mode !== "shared-secret" && mode !== "session") {
    throw new ReferenceAppError("BAD_OPTION", `Unknown mode "${String(mode)}" (expected jwks, shared-secret or session)`);
  }
  const cookieCacheSeconds = opts.cookieCacheSeconds ?? (mode === "session" ? 10 : 0);
  const flaws = resolveFlaws(opts.flaws ?? [], mode);
  const flawNames = flaws.map((f) => f.name);
  for (const [label, port] of [["webPort", opts.webPort], ["apiPort", opts.apiPort]] as const) {
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      throw new ReferenceAppError("BAD_OPTION", `${label} must be a TCP port (1-65535), got ${String(port)}`);
    }
  }
  if (!existsSync(path.join(frontendDir, ".next", "BUILD_ID"))) {
    throw new ReferenceAppError("START_FAILED", "The reference frontend is not built: run `npm run setup` first");
  }
  if (!existsSync(venvPython)) {
    throw new ReferenceAppError("START_FAILED", "The reference backend has no virtualenv: run `npm run setup` first");
  }

  const secret = flawNames.includes("weak-secret") ? WEAK_SECRET : (opts.secret ?? randomBytes(32).toString("base64url"));
  const webPort = opts.webPort ?? (await freeLoopbackPort());
  let apiPort = opts.apiPort ?? (await freeLoopbackPort());
  while (apiPort === webPort) apiPort = await freeLoopbackPort();
  const webUrl = `http://127.0.0.1:${webPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  let signingJwk: JWK | undefined;
  let publicJwk: JWK | undefined;
  if (mode === "jwks") {
    const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const kid = randomBytes(16).toString("base64url");
    signingJwk = { ...(await exportJWK(privateKey)), kid, alg: "EdDSA" };
    publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA" };
  }

  const tempDir = mkdtempSync(path.join(tmpdir(), "authproof-reference-"));
  const authDb = path.join(tempDir, "auth.db");
  const tasksDb = path.join(tempDir, "tasks.db");
  const sideFlaws = (side: string) => flaws.filter((f) => f.side === side).map((f) => f.name).join(",");
  const base = childEnvironment();

  const web = startChild("web", process.execPath, [nextBin, "start", "-H", "127.0.0.1", "-p", String(webPort)], {
    cwd: frontendDir,
    log: opts.log,
    env: {
      ...base,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      BETTER_AUTH_URL: webUrl,
      BETTER_AUTH_SECRET: secret,
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : { DATABASE_PATH: authDb }),
      API_URL: apiUrl,
      AUTH_MODE: mode,
      REFERENCE_FLAWS: sideFlaws("frontend"),
      REFERENCE_RATE_LIMIT: "off",
      ...(cookieCacheSeconds > 0 ? { COOKIE_CACHE_SECONDS: String(cookieCacheSeconds) } : {}),
      ...(signingJwk ? { REFERENCE_SIGNING_JWK: JSON.stringify(signingJwk) } : {}),
    },
  });
  // A line per request costs the backend about a fifth of its CPU under an audit: kept only when someone reads it.
  const accessLog = opts.log ? [] : ["--no-access-log"];
  const api = startChild("api", venvPython, ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", String(apiPort), ...accessLog], {
    cwd: backendDir,
    log: opts.log,
    env: {
      ...base,
      PYTHONUNBUFFERED: "1",
      AUTH_MODE: mode,
      BETTER_AUTH_URL: webUrl,
      BETTER_AUTH_SECRET: secret,
      CORS_ORIGINS: webUrl,
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl, AUTH_DATABASE_URL: opts.databaseUrl } : { DATABASE_PATH: tasksDb, AUTH_DATABASE_PATH: authDb }),
      REFERENCE_FLAWS: sideFlaws("backend"),
    },
  });

  const entry = { children: [web, api], tempDir };
  running.add(entry);
  installExitHook();
  const stop = async (graceMs = 5000) => {
    if (!running.delete(entry)) return;
    await Promise.all(entry.children.map((c) => c.stop(graceMs)));
    rmSync(tempDir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
    // The frontend first: its first /api/auth request creates the schema the backend reads users from.
    await waitForHttp(web, `${webUrl}/api/auth/ok`, deadline);
    await waitForHttp(api, `${apiUrl}/health`, deadline);
  } catch (error) {
    await stop(1000); // a half-started server may ignore SIGTERM until it is up
    throw error;
  }

  return { webUrl, apiUrl, mode, flaws: flawNames, secret, signingJwk, publicJwk, ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}), authDatabasePath: authDb, tasksDatabasePath: tasksDb, stop: () => stop() };
}

/** The parent's environment minus anything that would change how the servers behave (test flags, app config). */
function childEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const drop = /^(NODE_ENV|NODE_OPTIONS|TEST|VITEST.*|DATABASE_URL|DATABASE_PATH|AUTH_DATABASE_PATH|AUTH_DATABASE_URL|BETTER_AUTH_.*|REFERENCE_.*|AUTH_MODE|COOKIE_CACHE_SECONDS|API_URL|CORS_ORIGINS|JWT_SECRET|NEXT_PUBLIC_.*|__NEXT.*|PORT|HOSTNAME)$/;
  for (const [key, value] of Object.entries(process.env)) if (!drop.test(key)) env[key] = value;
  return env;
}

async function waitForHttp(child: ManagedChild, url: string, deadline: number): Promise<void> {
  let exited: string | undefined;
  void child.exited.then((how) => (exited = how));
  let lastError = "no answer";
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const probe = fetch(url, { signal: AbortSignal.timeout(5000) }).then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      });
      probe.catch(() => undefined); // if the exit wins the race, a later rejection must not go unhandled
      const status = await Promise.race([probe, child.exited.then(() => undefined)]);
      if (status === undefined) continue; // the server exited: reported below
      if (status >= 200 && status < 300) return;
      lastError = `HTTP ${status}`;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const why = exited ? `exited (${exited})` : `did not answer ${url} in time (last: ${lastError})`;
  const output = child.tail(15).join("\n") || "(no output)";
  throw new ReferenceAppError("START_FAILED", `Reference ${child.name} server ${why}. Last output:\n${output}`);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = () => {
    for (const entry of running) {
      for (const child of entry.children) child.killNow();
      rmSync(entry.tempDir, { recursive: true, force: true });
    }
    running.clear();
  };
  process.on("exit", killAll);
  // A signal that nobody handles ends the process without "exit": clean up, then die of the same signal.
  // Hosts with their own handlers (the CLI, test runners) are left alone: they call stop() or exit().
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    if (process.listenerCount(signal) > 0) continue;
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}
