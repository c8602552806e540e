import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ReferenceApp } from "../src/reference/launch.ts";
import { REPO_ROOT } from "./helpers/cli.ts";
import { sharedReference } from "./helpers/shared-reference.ts";

// authproof as a user gets it: `npm pack`, the tarball installed by npm into an empty project, that install in a
// CommonJS and an ESM project, a TypeScript config importing defineConfig from "authproof/config", and
// `npx authproof` run from there against the booted reference app. Nothing of the repository is on the path but
// the tarball.

const run = promisify(execFile);
const API_CHECKS = "token.alg-none,transport.missing-token";
// In the module project the browser suite runs too, under Playwright Test from the installed package
// (dist/playwright.config.js); once is enough to prove it, the CommonJS project audits the API only.
const onlyFor = (type: "commonjs" | "module") => (type === "module" ? `${API_CHECKS},browser.token-storage` : API_CHECKS);
let app: ReferenceApp;
let tarball: string;
/** The project the tarball was installed into once (see project()). */
let installed: string;

/** Runs a command in `cwd` with a clean environment (no repo node_modules, no vitest variables). */
function sh(cwd: string, command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|NODE_ENV$|NODE_OPTIONS$|AUTHPROOF_|BETTER_AUTH_SECRET$|npm_)/.test(name))) as Record<string, string>;
  const child = spawn(command, args, { cwd, env: { ...base, CI: "true", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

/** An empty project (no "type") with the tarball installed by npm, as a user installs it. */
async function installTarball(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-install-"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "user-project", version: "1.0.0", private: true }, null, 2));
  const install = await sh(dir, "npm", ["install", tarball, "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"]);
  expect(install.code, install.stderr).toBe(0);
  return dir;
}

/**
 * A fresh project of the given type holding that install: its package.json with `type` set, and node_modules hard
 * linked from it. What npm installs does not depend on `type`; how Node loads authproof and its config does.
 */
async function project(type: "commonjs" | "module"): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), `authproof-${type}-`));
  const manifest = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ ...manifest, name: `user-project-${type}`, type }, null, 2));
  await run("cp", ["-al", path.join(installed, "node_modules"), path.join(installed, "package-lock.json"), dir]);
  return dir;
}

beforeAll(async () => {
  const packDir = mkdtempSync(path.join(tmpdir(), "authproof-pack-"));
  // dist/ is built by test/global-setup.ts (prepack would rebuild it under the other tests running it); the tarball holds only what runs
  await run("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  tarball = path.join(packDir, readdirSync(packDir).find((f) => f.endsWith(".tgz"))!);
  [installed, app] = await Promise.all([installTarball(), sharedReference("jwks")]);
}, 400_000);

afterAll(async () => {
  await app?.stop();
});

describe("the packed tarball", () => {
  test("holds the compiled code and no TypeScript sources, tests or reference app", async () => {
    const { stdout } = await run("tar", ["tzf", tarball]);
    const files = stdout.trim().split("\n");
    expect(files).toContain("package/dist/src/cli/main.js");
    expect(files).toContain("package/dist/src/config/define.d.ts");
    expect(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => /^package\/(test|reference-app|src)\//.test(f))).toEqual([]);
  });

  for (const type of ["commonjs", "module"] as const) {
    test(`installs into an empty ${type} project, where authproof.config.ts imports authproof/config and npx authproof audit exits 0`, async () => {
      const dir = await project(type);
      writeFileSync(
        path.join(dir, "authproof.config.ts"),
        [
          `import { defineConfig } from "authproof/config";`,
          ``,
          `export default defineConfig({`,
          `  mode: "jwks",`,
          `  api: { baseUrl: ${JSON.stringify(app.apiUrl)} },`,
          `  auth: { baseUrl: ${JSON.stringify(app.webUrl)} },`,
          `  cors: { allowedOrigins: [${JSON.stringify(app.webUrl)}] },`,
          `  rate: { rps: 0 },`,
          `});`,
          ``,
        ].join("\n"),
      );
      const audit = await sh(dir, "npx", ["authproof", "audit", "--only", onlyFor(type)], { AUTHPROOF_PRIVATE_JWK: JSON.stringify(app.signingJwk) });
      expect(audit.code, audit.stdout + audit.stderr).toBe(0);
      expect(audit.stdout).toMatch(/authproof: PASS/);
      expect(audit.stderr).not.toMatch(/\n\s+at /);
      const report = JSON.parse(readFileSync(path.join(dir, "reports", "latest", "report.json"), "utf8"));
      expect(report.results.some((r: { status: string }) => r.status === "pass")).toBe(true);
      expect(report.source.file).toBe("authproof.config.ts");
      if (type === "module") {
        const browser = report.results.find((r: { checkId: string }) => r.checkId === "browser.token-storage");
        expect(browser?.status, JSON.stringify(browser)).toBe("pass");
        expect(readdirSync(path.join(dir, "reports", "latest", "traces"))).toEqual([path.basename(browser.evidence.traces[0].path)]);
      }

      // the programmatic API and the config helper load in this kind of project
      const probe =
        type === "module"
          ? `import { audit, CHECKS } from "authproof"; import { defineConfig } from "authproof/config"; console.log(typeof audit, typeof defineConfig, CHECKS.length > 0);`
          : `const { audit, CHECKS } = require("authproof"); const { defineConfig } = require("authproof/config"); console.log(typeof audit, typeof defineConfig, CHECKS.length > 0);`;
      const api = await sh(dir, "node", type === "module" ? ["--input-type=module", "-e", probe] : ["-e", probe]);
      expect(api.stdout.trim(), api.stderr).toBe("function function true");

      const version = await sh(dir, "npx", ["authproof", "--version"]);
      expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).version);

      // the reference app stays in the repository: one line saying where to get it, no stack trace
      const reference = await sh(dir, "npx", ["authproof", "reference"]);
      expect(reference.code).toBe(2);
      expect(reference.stderr.trim().split("\n")).toHaveLength(1);
      expect(reference.stderr).toMatch(/not part of the installed package.*git clone https:\/\/github\.com\/authproof\/authproof/);

      if (type === "module") {
        // init, from the installed package: probe the app, write a starter config, audit with it to exit 0
        const init = await sh(dir, "npx", ["authproof", "init", "--api", app.apiUrl, "--auth", app.webUrl, "--output", "init.config.ts"]);
        expect(init.code, init.stderr).toBe(0);
        const written = readFileSync(path.join(dir, "init.config.ts"), "utf8");
        expect(written).toMatch(/from "authproof\/config"/);
        expect(written).toMatch(/mode: "jwks"/);
        expect(written).toContain(app.apiUrl);
        const audited = await sh(dir, "npx", ["authproof", "audit", "--config", "init.config.ts", "--only", API_CHECKS, "--rps", "0"], {
          AUTHPROOF_PRIVATE_JWK: JSON.stringify(app.signingJwk),
        });
        expect(audited.code, audited.stdout + audited.stderr).toBe(0);
      }
    }, 300_000);
  }
});
