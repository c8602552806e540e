import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startReference, type ReferenceApp } from "../src/reference/launch.ts";
import type { Report } from "../src/report/schema.ts";
import type { TargetsSummary } from "../src/report/targets-summary.ts";
import { runCli } from "./helpers/cli.ts";
import { sharedReference } from "./helpers/shared-reference.ts";

// One config, two targets: the reference app in jwks mode (secure) and a second instance in shared-secret mode
// with alg-none seeded. One run audits both (two at once): two report directories, one combined summary
// (JSON + HTML index) with each verdict, exit 1 (the worst). The keys reach the config through the environment.

let jwks: ReferenceApp;
let hs256: ReferenceApp;

beforeAll(async () => {
  [jwks, hs256] = await Promise.all([sharedReference("jwks"), startReference({ mode: "shared-secret", flaws: ["alg-none"] })]);
}, 240_000);

afterAll(async () => {
  await Promise.all([jwks?.stop(), hs256?.stop()]);
});

const CONFIG = `export default {
  run: { only: ["token"], seed: 11, reporters: ["json", "html"] },
  targets: [
    { name: "web-jwks", api: { baseUrl: process.env.A_API }, auth: { baseUrl: process.env.A_WEB }, mode: "jwks", keys: { privateJwk: process.env.A_JWK } },
    { name: "svc-hs256", api: { baseUrl: process.env.B_API }, auth: { baseUrl: process.env.B_WEB, tokenPath: "/api/backend-token" }, mode: "shared-secret", keys: { secret: process.env.B_SECRET } },
  ],
};
`;

test("two targets: two reports, one combined summary with each verdict, exit 1", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-targets-"));
  const file = path.join(dir, "authproof.config.mjs");
  writeFileSync(file, CONFIG);
  const started = Date.now();
  const run = await runCli(["audit", "--config", file], {
    A_API: jwks.apiUrl,
    A_WEB: jwks.webUrl,
    A_JWK: JSON.stringify(jwks.signingJwk),
    B_API: hs256.apiUrl,
    B_WEB: hs256.webUrl,
    B_SECRET: hs256.secret,
  }, 600_000);
  console.log(`two targets audited in ${Date.now() - started} ms`);
  expect(run.code, run.stderr).toBe(1);
  const a = JSON.parse(readFileSync(path.join(run.outDir, "web-jwks", "latest", "report.json"), "utf8")) as Report;
  const b = JSON.parse(readFileSync(path.join(run.outDir, "svc-hs256", "latest", "report.json"), "utf8")) as Report;
  expect(a.target).toMatchObject({ apiUrl: jwks.apiUrl, mode: "jwks", oracle: "private-key" });
  expect(a.summary.verdict).toBe("pass");
  expect(b.target).toMatchObject({ apiUrl: hs256.apiUrl, mode: "shared-secret", oracle: "secret" });
  expect(b.summary.verdict).toBe("fail");
  expect(b.findings.map((f) => f.checkId)).toContain("token.alg-none");

  const summaryText = readFileSync(path.join(run.outDir, "summary.json"), "utf8");
  const summary = JSON.parse(summaryText) as TargetsSummary;
  expect(summary.exitCode).toBe(1);
  expect(summary.targets.map((t) => [t.name, t.verdict])).toEqual([["web-jwks", "pass"], ["svc-hs256", "fail"]]);
  expect(summary.targets[1]!.runDir).toBe(path.join("svc-hs256", b.runId));
  const index = readFileSync(path.join(run.outDir, "index.html"), "utf8");
  expect(index).toContain(`href="svc-hs256/${b.runId}/report.html"`);
  expect(index).toMatch(/svc-hs256[\s\S]*FAIL/);
  // Two at once: the second target's audit starts before the first one's ends.
  expect(run.stderr.indexOf("[svc-hs256] auditing")).toBeGreaterThan(-1);
  expect(run.stderr.indexOf("[svc-hs256] auditing")).toBeLessThan(run.stderr.indexOf("[web-jwks] pass"));
  expect(run.stdout).toMatch(/^web-jwks: PASS/m);
  expect(run.stdout).toMatch(/^svc-hs256: FAIL/m);
  for (const text of [summaryText, index, run.stdout, run.stderr]) {
    expect(text).not.toContain(hs256.secret);
    expect(text).not.toContain(String(jwks.signingJwk!.d));
  }
}, 900_000);

test("a bad target entry: one line naming it, exit 2", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-targets-bad-"));
  const file = path.join(dir, "authproof.config.json");
  writeFileSync(file, JSON.stringify({ targets: [{ name: "ok", api: { baseUrl: "http://127.0.0.1:9" } }, { name: "bad", api: { baseUrl: "not a url" } }] }));
  const run = await runCli(["audit", "--config", file]);
  expect(run.code).toBe(2);
  expect(run.stderr.trim().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(/^authproof: .*targets\[1\]\.api\.baseUrl/);
});
