import { closeSync, fchmodSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { shellQuote } from "../http/curl.ts";
import { auditEnvFor } from "./audit-env.ts";
import type { ReferenceApp } from "./launch.ts";

/** The env file that points an audit at a running reference app, and how to use it. */
export interface AuditEnvFile {
  file: string;
  /** The exact command that audits the app with it. */
  command: string;
  remove(): void;
}

/**
 * Writes the audit's settings and key material (the secret, the signing JWK) to `audit.env` in a fresh
 * temporary directory, mode 0600 before anything is written, so that nobody has to read them from
 * /proc/<pid>/environ. `bin` is the authproof entry point the command runs.
 */
export function writeAuditEnvFile(app: ReferenceApp, bin: string): AuditEnvFile {
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-reference-"));
  const file = path.join(dir, "audit.env");
  const lines = Object.entries(auditEnvFor(app)).map(([name, value]) => `${name}=${shellQuote(value)}`);
  const fd = openSync(file, "w", 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `# authproof: the reference app on ${app.webUrl} (web) and ${app.apiUrl} (api); removed when it stops\n${lines.join("\n")}\n`);
  } finally {
    closeSync(fd);
  }
  return {
    file,
    command: `set -a; . ${shellQuote(file)}; set +a; node ${shellQuote(bin)} audit`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
