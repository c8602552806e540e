import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { loadConfig } from "../config/load.ts";
import { shellQuote } from "../http/curl.ts";
import { loadReport } from "../report/load.ts";
import { buildReplay } from "../run/replay.ts";
import { UsageError } from "./errors.ts";

export interface ReplayFlags {
  run?: boolean;
  variant?: string;
  realToken?: string;
  fresh?: boolean;
  config?: string;
}

/**
 * `authproof replay <report.json> <result-id>`: prints the variables and the result's curl (a script you can
 * paste), or with --run sends it with curl — only to the report's own target origins.
 */
export async function replay(file: string, id: string, flags: ReplayFlags): Promise<number> {
  const report = await loadReport(resolve(file));
  const config = await loadConfig({ ...(flags.config ? { file: flags.config } : {}), flags: {}, env: process.env, cwd: process.cwd() });
  const built = await buildReplay(report, id, {
    keys: config.keys,
    mode: report.target.mode,
    ...(flags.variant ? { variant: flags.variant } : {}),
    ...(flags.realToken ? { realToken: flags.realToken } : {}),
    ...(flags.fresh ? { fresh: true } : {}),
  });
  for (const note of built.notes) console.error(`note: ${note}`);
  const assignments = Object.entries(built.variables).map(([name, value]) => `${name}=${shellQuote(value)}`);
  const script = [...assignments.map((a) => `export ${a}`), built.command].join("\n");
  if (!flags.run) {
    console.log(script);
    return 0;
  }
  const allowed = [report.target.apiUrl, report.target.authUrl].filter((u): u is string => !!u).map((u) => new URL(u).origin);
  const origin = new URL(built.request.url).origin;
  if (!allowed.includes(origin)) throw new UsageError(`replay --run: ${origin} is not the report's target (${allowed.join(", ")}); not sent`);
  console.error(`$ ${built.command}`);
  return new Promise((done) => {
    const child = spawn("bash", ["-c", built.command], { stdio: "inherit", env: { ...process.env, ...built.variables } });
    child.on("error", (error) => {
      console.error(`authproof: replay --run: ${error.message}`);
      done(2);
    });
    child.on("close", (code) => done(code === 0 ? 0 : 2));
  });
}
