// `npm run reference [-- --mode jwks|shared-secret --flaws a,b --web-port N --api-port N]`
// Prepares and starts the bundled reference app on loopback until Ctrl-C / SIGTERM.
import { parseArgs } from "node:util";
import { ReferenceAppError } from "./errors.ts";
import { parseFlawList, resolveFlaws, type ReferenceMode } from "./flaws.ts";
import { startReference, type ReferenceApp } from "./launch.ts";
import { ensureReferenceSetup } from "./setup.ts";
import { writeAuditEnvFile, type AuditEnvFile } from "./env-file.ts";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/authproof.js", import.meta.url));

const USAGE = "usage: npm run reference -- [--mode jwks|shared-secret|session] [--flaws a,b] [--web-port N] [--api-port N] [--verbose]";

function fail(message: string): never {
  console.error(`reference: ${message}`);
  process.exit(2);
}

function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) fail(`${flag} must be a port number (1-65535), got "${value}"`);
  return port;
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        mode: { type: "string" },
        flaws: { type: "string" },
        "web-port": { type: "string" },
        "api-port": { type: "string" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    fail(`${(error as Error).message.split("\n")[0]}\n${USAGE}`);
  }
  if (parsed.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const mode = (parsed.mode ?? "jwks") as ReferenceMode;
  if (mode !== "jwks" && mode !== "shared-secret" && mode !== "session") fail(`--mode must be jwks, shared-secret or session, got "${parsed.mode}"`);
  return {
    mode,
    flaws: parseFlawList(parsed.flaws ?? process.env.REFERENCE_FLAWS),
    webPort: parsePort(parsed["web-port"], "--web-port"),
    apiPort: parsePort(parsed["api-port"], "--api-port"),
    verbose: parsed.verbose ?? false,
  };
}

async function main(): Promise<void> {
  const opts = options();
  let app: ReferenceApp | undefined;
  let envFile: AuditEnvFile | undefined;
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping the reference app…");
    await app?.stop();
    envFile?.remove();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());

  try {
    resolveFlaws(opts.flaws, opts.mode); // bad flaw names fail before the (possibly slow) setup
    await ensureReferenceSetup((line) => console.log(line));
    const started = Date.now();
    app = await startReference({ ...opts, log: opts.verbose ? (line) => console.log(line) : undefined });
    console.log(`reference app up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(`  web (Next.js + Better Auth): ${app.webUrl}`);
    console.log(`  api (FastAPI):               ${app.apiUrl}`);
    console.log(`  mode: ${app.mode}`);
    console.log(`  flaws: ${app.flaws.length ? app.flaws.join(", ") : "none (secure)"}`);
    envFile = writeAuditEnvFile(app, BIN);
    console.log(`  settings and key material (mode 600): ${envFile.file}`);
    console.log("Audit it with:");
    console.log(`  ${envFile.command}`);
    console.log("Press Ctrl-C to stop.");
    if (stopping) {
      await app.stop();
      envFile.remove();
    }
  } catch (error) {
    if (error instanceof ReferenceAppError) fail(error.message);
    throw error;
  }
}

await main();
