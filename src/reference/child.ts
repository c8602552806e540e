import { spawn, type ChildProcess } from "node:child_process";

/** A server process started in its own process group, with the tail of its output kept for error messages. */
export interface ManagedChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
  /** The last lines the process wrote to stdout/stderr. */
  tail(lines?: number): string[];
  /** Kills the whole process group: SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Synchronous SIGKILL of the process group (for process exit handlers). */
  killNow(): void;
}

/** Starts `command` detached (own process group) so stop() reaches every process it spawns. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; log?: (line: string) => void },
): ManagedChild {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      lines.push(line);
      options.log?.(`[${name}] ${line}`);
    }
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.on("error", (error) => {
      lines.push(`could not start: ${error.message}`);
      done = true;
      resolve("spawn error");
    });
    child.on("exit", (code, signal) => {
      done = true;
      resolve(signal ? `signal ${signal}` : `exit code ${code}`);
    });
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    if (done || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };

  return {
    name,
    process: child,
    exited,
    tail: (count = 20) => lines.slice(-count),
    killNow: () => signalGroup("SIGKILL"),
    async stop(graceMs = 5000) {
      if (done) return;
      signalGroup("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          signalGroup("SIGKILL");
          resolve();
        }, graceMs);
      });
      await Promise.race([exited.then(() => undefined), timeout]);
      clearTimeout(timer);
      await exited;
    },
  };
}
