import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { writeAuditEnvFile } from "../src/reference/env-file.ts";
import type { ReferenceApp } from "../src/reference/launch.ts";

// `npm run reference` prints the exact audit command; the key material goes to a mode-600 env file.

const app = {
  webUrl: "http://127.0.0.1:3101",
  apiUrl: "http://127.0.0.1:8101",
  mode: "jwks",
  flaws: [],
  secret: "s3cret-with-'quote'-and-$dollar",
  signingJwk: { kty: "OKP", crv: "Ed25519", d: "abc", x: "def", kid: "k1", alg: "EdDSA" },
} as unknown as ReferenceApp;

describe("the reference app's audit env file", () => {
  test("is mode 600 and the printed command, sourced by a shell, gives the audit its settings and keys exactly", () => {
    const env = writeAuditEnvFile(app, "/opt/authproof/bin/authproof.js");
    try {
      expect(statSync(env.file).mode & 0o777).toBe(0o600);
      expect(env.command).toMatch(/^set -a; \. '.+\/audit\.env'; set \+a; node '\/opt\/authproof\/bin\/authproof\.js' audit$/);
      const sourcing = env.command.replace(/node .*$/, "");
      const out = execFileSync("bash", ["-c", `${sourcing} node -e 'console.log(JSON.stringify(process.env))'`], { env: { PATH: process.env.PATH ?? "" } }).toString();
      const seen = JSON.parse(out) as Record<string, string>;
      expect(seen.AUTHPROOF_API_URL).toBe(app.apiUrl);
      expect(seen.AUTHPROOF_AUTH_URL).toBe(app.webUrl);
      expect(seen.BETTER_AUTH_SECRET).toBe(app.secret);
      expect(JSON.parse(seen.AUTHPROOF_PRIVATE_JWK!)).toEqual(app.signingJwk);
      expect(readFileSync(env.file, "utf8")).toContain("AUTHPROOF_PRIVATE_JWK=");
    } finally {
      env.remove();
    }
    expect(existsSync(env.file)).toBe(false);
  });
});
