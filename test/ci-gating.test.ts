import { randomBytes } from "node:crypto";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "junit2json";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { auditEnvFor } from "../src/reference/audit-env.ts";
import { startReference, type ReferenceApp } from "../src/reference/launch.ts";
import { runCli, type CliRun } from "./helpers/cli.ts";
import { sharedReference } from "./helpers/shared-reference.ts";
import { multitoolFindings } from "./helpers/sarif.ts";

// Gating like ZAP baseline, SARIF / JUnit pointing at the user's project, and replay, against two booted
// reference apps: one with the alg-none flaw, one without. Audits are restricted to two token checks.

const ONLY = "token.alg-none,token.signature-stripped";
const SECRET = randomBytes(32).toString("base64url");
let flawed: ReferenceApp;
let clean: ReferenceApp;
let project: string;
let first: CliRun;

/** An audit from the user's project directory (its config file, its ignore file). */
function audit(app: ReferenceApp, extra: string[] = []): Promise<CliRun> {
  return runCli(["audit", "--only", ONLY, "--seed", "11", ...extra], auditEnvFor(app), 240_000, undefined, project);
}

/** Signs up a new user on the app's Better Auth and returns the backend JWT it gets (shared-secret mode). */
async function liveUserToken(app: ReferenceApp): Promise<string> {
  const email = `replay-${randomBytes(4).toString("hex")}@example.test`;
  const signUp = await fetch(`${app.webUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: app.webUrl },
    body: JSON.stringify({ name: "Replay User", email, password: "correct-horse-battery-9" }),
  });
  expect(signUp.status).toBe(200);
  const session = signUp.headers.get("set-auth-token")!;
  const res = await fetch(`${app.webUrl}/api/backend-token`, { headers: { authorization: `Bearer ${session}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

function reportFile(run: CliRun): string {
  return path.join(run.outDir, "latest", "report.json");
}

beforeAll(async () => {
  [flawed, clean] = await Promise.all([
    startReference({ mode: "shared-secret", flaws: ["alg-none", "exp-ignored"], secret: SECRET }),
    sharedReference("shared-secret"),
  ]);
  project = mkdtempSync(path.join(tmpdir(), "authproof-project-"));
  mkdirSync(path.join(project, "app", "routers"), { recursive: true });
  writeFileSync(path.join(project, "app", "routers", "tasks.py"), "# the router that serves /api/tasks\n");
  writeFileSync(path.join(project, "authproof.config.json"), JSON.stringify({ report: { sourceFiles: { "GET /api/tasks": "app/routers/tasks.py" } } }));
  first = await audit(flawed);
}, 300_000);

afterAll(async () => {
  await Promise.all([flawed?.stop(), clean?.stop()]);
});

describe("SARIF and JUnit point at the user's project", () => {
  test("the flawed run fails and its SARIF passes the validator with GitHub's rules", async () => {
    expect(first.code, first.stderr).toBe(1);
    const sarif = readFileSync(path.join(first.outDir, "latest", "results.sarif"), "utf8");
    expect((await multitoolFindings(sarif)).filter((f) => f.level === "error")).toEqual([]);
    const run = JSON.parse(sarif).runs[0];
    expect(run.tool.driver.informationUri).toBe("https://github.com/authproof/authproof");
    expect(run.results.length).toBeGreaterThan(0);
    const uris = new Set<string>(run.results.flatMap((r: any) => [r.locations[0], ...(r.relatedLocations ?? [])].map((l: any) => l.physicalLocation.artifactLocation.uri)));
    // every location is a file of the project: the config file, or the per-route override
    expect([...uris].sort()).toEqual(expect.arrayContaining(["app/routers/tasks.py"]));
    for (const uri of uris) expect(["authproof.config.json", "app/routers/tasks.py"]).toContain(uri);
  });

  test("JUnit testcases name the same project files", async () => {
    const junit = (await parse(readFileSync(path.join(first.outDir, "latest", "junit.xml"), "utf8"))) as any;
    const files = new Set<string>(junit.testsuite.flatMap((s: any) => s.testcase.map((c: any) => c.file)));
    for (const file of files) expect(["authproof.config.json", "app/routers/tasks.py"]).toContain(file);
  });

  test("the reproduce line is a complete curl with the forged token as a variable", () => {
    const failed = first.report!.results.find((r) => r.checkId === "token.alg-none" && r.status === "fail")!;
    expect(failed.reproduce).toMatch(/^curl -sS -i .*"authorization: Bearer \$\{AUTHPROOF_TOKEN\}"/);
    expect(failed.reproduce).not.toContain("…");
    expect(failed.replay?.placeholders).toEqual({ AUTHPROOF_TOKEN: "forged" });
  });
});

describe("authproof replay", () => {
  test("re-mints the exact forged token from the seed and the secret, and --run sends it", async () => {
    const failed = first.report!.results.find((r) => r.checkId === "token.alg-none" && r.status === "fail")!;
    const printed = await runCli(["replay", reportFile(first), failed.id], { BETTER_AUTH_SECRET: SECRET, AUTHPROOF_MODE: "shared-secret" });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^export AUTHPROOF_TOKEN='eyJ[^']+'$/m);
    expect(printed.stdout).toContain(failed.reproduce!);
    expect(printed.stderr).toMatch(/exact: the same token the audit sent/);
    // The exact token names the audit's user A, whom the audit deleted: the reference backend looks users up.
    const sent = await runCli(["replay", reportFile(first), failed.id, "--run"], { BETTER_AUTH_SECRET: SECRET });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^HTTP\/1\.1 401/m);
    expect(sent.stderr).toMatch(/test users were deleted/);
  });

  test("--fresh --real-token rebuilds the same attack on a live user's token, and the flaw shows again", async () => {
    const failed = first.report!.results.find((r) => r.checkId === "token.alg-none" && r.status === "fail")!;
    const token = await liveUserToken(flawed);
    const sent = await runCli(["replay", reportFile(first), failed.id, "--run", "--fresh", "--real-token", token]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(/^HTTP\/1\.1 200/m);
    // the notes say this is the same attack, not the audit's exact token
    expect(sent.stderr).toMatch(/--fresh/);
  });

  test("a claims check: the oracle-signed expired token is re-minted exactly, and rebuilt on a live user it still gets in", async () => {
    const claims = await runCli(["audit", "--only", "claims.exp-expired", "--seed", "11"], auditEnvFor(flawed), 240_000, undefined, project);
    expect(claims.code, claims.stderr).toBe(1);
    const failed = claims.report!.results.find((r) => r.checkId === "claims.exp-expired" && r.status === "fail")!;
    const printed = await runCli(["replay", reportFile(claims), failed.id], { BETTER_AUTH_SECRET: SECRET });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stderr).toMatch(/exact: the same token the audit sent/);
    const sent = await runCli(["replay", reportFile(claims), failed.id, "--run", "--fresh", "--real-token", await liveUserToken(flawed)], { BETTER_AUTH_SECRET: SECRET });
    expect(sent.stdout).toMatch(/^HTTP\/1\.1 200/m);
    // without the key there is nothing to sign an expired token with
    const keyless = await runCli(["replay", reportFile(claims), failed.id]);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toMatch(/needs the audit's signing key/);
  });

  test("a result id that is not in the report is one line, exit 2", async () => {
    const run = await runCli(["replay", reportFile(first), "token.nope GET /x"]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/no result "token\.nope GET \/x"/);
  });
});

describe("the ignore file", () => {
  const ignoreFile = () => path.join(project, "authproof.ignore.json");
  afterAll(() => rmSync(ignoreFile(), { force: true }));

  test("an entry turns the finding into accepted, every report shows the reason, and the run exits 0", async () => {
    writeFileSync(ignoreFile(), JSON.stringify([{ checkId: "token.alg-none", reason: "legacy gateway, tracked in SEC-42" }]));
    const run = await audit(flawed);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = run.report!;
    const failed = report.results.filter((r) => r.status === "fail");
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expect(r.acceptance).toMatchObject({ state: "accepted", reason: "legacy gateway, tracked in SEC-42" });
    expect(report.summary).toMatchObject({ failed: 0, accepted: failed.length, verdict: "pass" });
    const dir = path.join(run.outDir, "latest");
    expect(readFileSync(path.join(dir, "report.html"), "utf8")).toContain("legacy gateway, tracked in SEC-42");
    expect(readFileSync(path.join(dir, "junit.xml"), "utf8")).toMatch(/<skipped message="accepted \(authproof\.ignore\.json\): &quot;legacy gateway, tracked in SEC-42&quot;/);
    const sarif = JSON.parse(readFileSync(path.join(dir, "results.sarif"), "utf8"));
    expect(sarif.runs[0].results[0].suppressions).toEqual([{ kind: "external", status: "accepted", justification: expect.stringContaining("SEC-42") }]);
    expect(run.stdout).toMatch(/~ token\.alg-none .*accepted: "legacy gateway, tracked in SEC-42"/);
  });

  test("an expired entry fails again and still shows its reason", async () => {
    writeFileSync(ignoreFile(), JSON.stringify([{ checkId: "token.alg-none", route: "GET /api/tasks", reason: "until the gateway is gone", expires: "2020-01-31" }]));
    const run = await audit(flawed);
    expect(run.code).toBe(1);
    const expired = run.report!.results.find((r) => r.id === "token.alg-none GET /api/tasks")!;
    expect(expired.acceptance).toEqual({ state: "expired", reason: "until the gateway is gone", expires: "2020-01-31", route: "GET /api/tasks" });
    expect(run.stdout).toMatch(/acceptance expired: "until the gateway is gone" \(until 2020-01-31\)/);
  });

  test("a bad entry names the field, one line, exit 2, before anything is sent", async () => {
    writeFileSync(ignoreFile(), JSON.stringify([{ checkId: "token.alg-none", reason: "ok" }, { checkId: "token.alg-nope" }]));
    const run = await audit(flawed);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/authproof\.ignore\.json: \[1\]\.checkId: not a check id/);
    expect(run.report).toBeUndefined();
  });
});

describe("--fail-on-new with --baseline", () => {
  test("an identical baseline exits 0 though the finding is still there", async () => {
    const run = await audit(flawed, ["--baseline", reportFile(first), "--fail-on-new"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.report!.summary.verdict).toBe("fail");
    expect(run.report!.baseline!.counts).toMatchObject({ new: 0 });
  });

  test("a flaw the baseline did not have exits 1", async () => {
    const before = await audit(clean);
    expect(before.code, before.stderr).toBe(0);
    const run = await audit(flawed, ["--baseline", reportFile(before), "--fail-on-new"]);
    expect(run.code).toBe(1);
    expect(run.report!.baseline!.counts.new).toBeGreaterThan(0);
  });

  test("authproof report applies the same rule when re-rendering", async () => {
    const same = await runCli(["report", reportFile(first), "--baseline", reportFile(first), "--fail-on-new", "--reporter", "json"]);
    expect(same.code, same.stderr).toBe(0);
    const plain = await runCli(["report", reportFile(first), "--reporter", "json"]);
    expect(plain.code).toBe(1);
  });

  test("without a baseline it is a usage error", async () => {
    const run = await audit(flawed, ["--fail-on-new"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/run\.failOnNew: needs a baseline/);
  });
});
