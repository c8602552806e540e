import { afterAll, beforeAll, expect, test } from "vitest";
import { auditEnvFor } from "../src/reference/audit-env.ts";
import type { ReferenceApp } from "../src/reference/launch.ts";
import { checkIdsWith, runCli } from "./helpers/cli.ts";
import { sharedReference } from "./helpers/shared-reference.ts";

// Two consecutive audits of one running secure reference app with the same seed: both pass, and every
// result has the same verdict each time (no flaky checks). (scripts/capture-verdicts.sh compares more.)

let app: ReferenceApp;

beforeAll(async () => {
  app = await sharedReference("jwks");
});

afterAll(() => app?.stop());

test("two runs with one seed: both pass, identical verdicts", async () => {
  const env = auditEnvFor(app);
  const verdicts: Array<Record<string, string>> = [];
  for (let run = 0; run < 2; run++) {
    const result = await runCli(["audit", "--seed", "42", "--skip", "property,browser", "--reporter", "json"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(checkIdsWith(result.report!, "fail")).toEqual([]);
    expect(checkIdsWith(result.report!, "error")).toEqual([]);
    expect(result.report!.target.oracle).toBe("private-key");
    verdicts.push(Object.fromEntries(result.report!.results.map((r) => [r.id, r.status])));
  }
  for (const later of verdicts.slice(1)) expect(later).toEqual(verdicts[0]);
  const claims = Object.entries(verdicts[0]!).filter(([id]) => id.startsWith("claims."));
  expect(claims.length).toBeGreaterThan(0);
  expect(claims.every(([, status]) => status === "pass")).toBe(true);
}, 600_000);

test("a black-box audit (no signing key) skips the oracle checks with the reason and drops nothing", async () => {
  // The families and the token check whose results need the key (the skips below), and token.alg-none, which needs none.
  const result = await runCli(["audit", "--seed", "42", "--only", "claims,secret,token.crit-unknown,token.alg-none", "--reporter", "json"], {
    AUTHPROOF_API_URL: app.apiUrl,
    AUTHPROOF_AUTH_URL: app.webUrl,
  });
  expect(result.code, result.stderr).toBe(0);
  const report = result.report!;
  expect(report.target.oracle).toBe("none");
  for (const id of ["claims.exp-expired", "claims.exp-missing", "claims.iss", "claims.aud", "claims.sub", "token.crit-unknown"]) {
    const results = report.results.filter((r) => r.checkId === id);
    expect(results.length, id).toBeGreaterThan(0);
    for (const r of results) {
      expect(r.status, r.id).toBe("skip");
      expect(r.reason, r.id).toMatch(/needs a signing key/);
    }
  }
  expect(checkIdsWith(report, "pass")).toContain("token.alg-none");
  // The summary says what a black-box run could not test.
  expect(result.stdout).toMatch(/^note: black-box run \(no signing key\): \d+ results of \d+ checks skipped \(.*claims\.exp-expired/m);
}, 300_000);

test("--mode shared-secret against the EdDSA reference: one line naming the mode mismatch, exit 2", async () => {
  const result = await runCli(["audit", "--mode", "shared-secret", "--only", "token", "--reporter", "json"], {
    AUTHPROOF_API_URL: app.apiUrl,
    AUTHPROOF_AUTH_URL: app.webUrl,
    BETTER_AUTH_SECRET: "a-secret-the-reference-app-does-not-use-0123456789",
  });
  expect(result.code, result.stderr).toBe(2);
  const lines = result.stderr.split("\n").filter((line) => line.startsWith("authproof:"));
  expect(lines).toEqual([expect.stringMatching(/^authproof: incomplete: mode mismatch: --mode shared-secret, but the target's tokens are EdDSA-signed/)]);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}, 300_000);
