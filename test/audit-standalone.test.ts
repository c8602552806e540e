import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { checkIdsWith, runCli } from "./helpers/cli.ts";
import { STANDALONE_DIR, startStandalone, type Standalone } from "./helpers/standalone.ts";

// R2.3: a backend alone. No sign-up of its own, docs disabled, PyJWT HS256, the identity in `user_id`, a fixed
// `aud`, its OpenAPI only as a committed file: audited with nothing but the secret and that file.

const SECRET = randomBytes(32).toString("hex");
const ISSUER = "https://auth.tasks.example";
const running: Standalone[] = [];
afterAll(async () => {
  await Promise.all(running.map((f) => f.stop()));
});

async function audit(flaws: string[], extra: string[] = []) {
  const fixture = await startStandalone({ AUTH_MODE: "shared-secret", JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, FIXTURE_FLAWS: flaws.join(",") });
  running.push(fixture);
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-standalone-config-"));
  const config = path.join(dir, "authproof.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      mode: "shared-secret",
      api: { baseUrl: fixture.url, openapiFile: path.join(STANDALONE_DIR, "openapi.json") },
      claims: { identityClaim: "user_id", audience: "tasks-api", issuer: ISSUER },
    }),
  );
  return runCli(["audit", "--config", config, "--seed", "3", "--reporter", "json", "--skip", "property", ...extra], { BETTER_AUTH_SECRET: SECRET });
}

describe("a backend alone, HS256", () => {
  test("every token, claims and isolation check runs on minted identities; nothing fails", async () => {
    const run = await audit([]);
    expect(run.report, run.stderr).toBeDefined();
    const report = run.report!;
    expect(run.stdout + run.stderr).toContain("minted (user_id=");
    const ran = (category: string) => report.results.filter((r) => r.category === category && (r.status === "pass" || r.status === "fail"));
    for (const category of ["token", "claims", "isolation"]) expect(ran(category).length, category).toBeGreaterThan(0);
    // Nothing skipped for lack of users or of a signing key; only what needs Better Auth itself.
    const skippedForUsers = report.results.filter((r) => r.status === "skip" && /signing key|second user|no object of A/.test(r.reason ?? ""));
    expect(skippedForUsers.map((r) => r.id)).toEqual([]);
    for (const id of ["isolation.read-foreign", "isolation.write-foreign", "isolation.list-foreign", "isolation.path-user", "isolation.mass-assignment", "claims.exp-expired", "claims.sub", "claims.aud", "claims.iss"])
      expect(checkIdsWith(report, "pass"), id).toContain(id);
    const atLeastLow = report.results.filter((r) => r.status === "fail" && r.severity !== "info");
    expect(atLeastLow.map((r) => `${r.id} [${r.severity}] ${r.reason}`)).toEqual([]);
    expect(run.code).toBe(0);
  });

  test("its seeded flaws are caught by their checks: identity headers, a sub-route without an owner check, JSON serialization", async () => {
    const run = await audit(["identity-header", "subroute-no-owner", "json-serialization"]);
    expect(run.report, run.stderr).toBeDefined();
    const failing = checkIdsWith(run.report!, "fail");
    expect(failing).toEqual(expect.arrayContaining(["transport.identity-override", "isolation.write-foreign", "token.serialization"]));
    const subRoute = run.report!.results.find((r) => r.id === "isolation.write-foreign PATCH /api/{user_id}/tasks/{task_id}/complete");
    expect(subRoute?.status).toBe("fail");
    expect(run.code).toBe(1);
  });
});
