// `npm run bench` (second part): wall time of a full audit of the running reference app at default
// settings (100 requests/s), against the product's target of 60 s on 2 cores. Boot time is measured separately.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureReferenceSetup } from "../src/reference/setup.ts";
import { auditEnvFor } from "../src/reference/audit-env.ts";
import { startReference } from "../src/reference/launch.ts";

const TARGET_MS = 60_000;
const root = path.resolve(import.meta.dirname, "..");

await ensureReferenceSetup();
for (const mode of ["jwks", "shared-secret"] as const) {
  const bootStarted = performance.now();
  const app = await startReference({ mode });
  const bootMs = performance.now() - bootStarted;
  const out = mkdtempSync(path.join(tmpdir(), "authproof-bench-"));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CI: "true", ...auditEnvFor(app), AUTHPROOF_RPS: "100" };
  const started = performance.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "bin", "authproof.js"), "audit", "--out", out, "--reporter", "json"], { env, stdio: "ignore" });
    child.on("close", resolve);
  });
  const auditMs = performance.now() - started;
  await app.stop();
  const report = JSON.parse(readFileSync(path.join(out, "latest", "report.json"), "utf8"));
  const verdict = auditMs <= TARGET_MS ? "within" : "OVER";
  console.log(
    `${mode.padEnd(13)} boot ${(bootMs / 1000).toFixed(1)} s, full audit ${(auditMs / 1000).toFixed(1)} s (${verdict} the ${TARGET_MS / 1000} s target), exit ${code}, ${report.results.length} results, ${report.summary.failed} failed`,
  );
}
