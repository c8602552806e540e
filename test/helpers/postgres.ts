import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freeLoopbackPort } from "../../src/reference/ports.ts";

/** A throw-away PostgreSQL server on loopback. */
export interface TestPostgres {
  /** postgres://authproof@127.0.0.1:<port>/postgres (trust authentication, loopback only). */
  url: string;
  /** Runs one query with psql and returns its rows, each as its column values (text). */
  query(sql: string): string[][];
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

const SUPERUSER = "authproof";

/** The image testcontainers starts when a Docker engine answers. */
const POSTGRES_IMAGE = "postgres:17-alpine";

/**
 * Starts PostgreSQL for a test, saying in one line which way. When a Docker engine answers, testcontainers starts
 * the official image (`POSTGRES_IMAGE`), queried with the container's own psql; when there is no engine, or the
 * container cannot start (no image to pull), the local path: the binaries of Debian's `postgresql` package (PATH,
 * else /usr/lib/postgresql/<version>/bin), a data directory in a temp dir, `listen_addresses=127.0.0.1` on a free
 * port, no Unix socket. As root (initdb refuses to run as root) the local server runs as the `postgres` user the
 * Debian package creates, through `runuser`.
 */
export async function startTestPostgres(log: (line: string) => void = (line) => console.error(line)): Promise<TestPostgres> {
  if (!dockerReachable()) {
    log("postgres: no Docker engine reachable: using local PostgreSQL binaries");
    return startLocalPostgres();
  }
  try {
    const container = await startContainerPostgres();
    log(`postgres: a Docker engine answers: testcontainers started ${POSTGRES_IMAGE} at ${container.url.replace(/:[^:@/]*@/, ":***@")}`);
    return container;
  } catch (error) {
    log(`postgres: a Docker engine answers, but testcontainers could not start ${POSTGRES_IMAGE} (${(error as Error).message.split("\n")[0]}): using local PostgreSQL binaries`);
    return startLocalPostgres();
  }
}

async function startContainerPostgres(): Promise<TestPostgres> {
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE).withUsername(SUPERUSER).withPassword("authproof").withDatabase("postgres").start();
  const query = (sql: string): string[][] => {
    const args = ["exec", container.getId(), "psql", "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-U", SUPERUSER, "-d", "postgres", "-c", sql];
    const result = spawnSync("docker", args, { encoding: "utf8", timeout: 10_000 });
    if (result.status !== 0) throw new Error(`psql in ${POSTGRES_IMAGE}: ${(result.stderr || String(result.error)).trim()}`);
    return result.stdout.split("\n").filter((line) => line !== "").map((line) => line.split("\t"));
  };
  return { url: container.getConnectionUri(), query, stop: async () => void (await container.stop()) };
}

async function startLocalPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  const asUser = process.getuid?.() === 0 ? systemUser("postgres") : undefined;
  const tempDir = mkdtempSync(path.join(tmpdir(), "authproof-pg-"));
  const dataDir = path.join(tempDir, "data");
  if (asUser) chownSync(tempDir, asUser.uid, asUser.gid);
  const command = (program: string, args: string[]): [string, string[]] =>
    asUser ? ["runuser", ["-u", asUser.name, "--", path.join(bin, program), ...args]] : [path.join(bin, program), args];

  const [initdb, initArgs] = command("initdb", ["-D", dataDir, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  // cwd: the temp dir, which that user can read (initdb fails in a directory it cannot, such as /root).
  const init = spawnSync(initdb, initArgs, { encoding: "utf8", cwd: tempDir });
  if (init.status !== 0) {
    rmSync(tempDir, { recursive: true, force: true });
    throw new Error(`initdb failed (exit ${init.status}): ${(init.stderr || init.stdout || String(init.error)).trim()}`);
  }

  const port = await freeLoopbackPort();
  const [postgres, args] = command("postgres", ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "full_page_writes=off"]);
  // Its own process group: stopping it reaches postgres through runuser.
  const server = spawn(postgres, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, cwd: tempDir });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-4000));
  server.stdout!.on("data", keep);
  server.stderr!.on("data", keep);
  let exited = false;
  server.on("exit", () => (exited = true));

  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    await stopGroup(server);
    rmSync(tempDir, { recursive: true, force: true });
  };
  const query = (sql: string): string[][] => {
    const result = spawnSync(path.join(bin, "psql"), ["-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql], { encoding: "utf8", timeout: 10_000 });
    if (result.status !== 0) throw new Error(`psql: ${(result.stderr || String(result.error)).trim()}`);
    return result.stdout.split("\n").filter((line) => line !== "").map((line) => line.split("\t"));
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      query("SELECT 1");
      break;
    } catch (error) {
      if (exited || Date.now() > deadline) {
        await stop();
        throw new Error(`PostgreSQL did not start on 127.0.0.1:${port} (${(error as Error).message}). Output:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { url, query, stop };
}

/**
 * The directory with initdb, postgres and psql: where PATH's initdb really lives (Debian links only some of them
 * into PATH), else the newest /usr/lib/postgresql/<version>/bin.
 */
function postgresBinDir(): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir || !existsSync(path.join(dir, "initdb"))) continue;
    const real = path.dirname(realpathSync(path.join(dir, "initdb")));
    if (["postgres", "psql"].every((program) => existsSync(path.join(real, program)))) return real;
  }
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = path.join(root, version, "bin");
    if (existsSync(path.join(dir, "initdb"))) return dir;
  }
  throw new Error("no PostgreSQL binaries (initdb, postgres): install Debian's postgresql package (apt-get install -y postgresql)");
}

function systemUser(name: string): { name: string; uid: number; gid: number } {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) throw new Error(`running as root, and there is no "${name}" user to run PostgreSQL as (Debian's postgresql package creates it)`);
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Whether `docker info` answers within a few seconds (an engine is reachable, not just the client installed). */
function dockerReachable(): boolean {
  const result = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8", timeout: 5000 });
  return result.status === 0 && result.stdout.trim() !== "";
}

/** SIGINT (PostgreSQL's fast shutdown) to the process group, SIGKILL after 10 s. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      /* already gone */
    }
  };
  signal("SIGINT");
  const timer = setTimeout(() => signal("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
