import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import flawRegistry from "../reference-app/flaws.json" with { type: "json" };
import type { Report } from "../src/report/schema.ts";
import { AUDIT_TIMEOUT_MS, checkIdsWith, runCli, type CliRun } from "./helpers/cli.ts";
import { showTraceText } from "./helpers/trace-viewer.ts";

// Self-validation of the CORS, cookie, CSRF and browser suites: the CLI audits the reference app (secure,
// then with the web flaws) and exactly the flaws' checks fail, with the origin / cookie named in the evidence.
// The browser suite runs here with a real Chromium. Flaws whose checks lie in different families (cors, csrf,
// cookie) share one app and one audit: each family's failures can only come from its one flaw.

const WEB = ["cors", "cookie", "csrf", "browser"];
const SEED = 11;
const FOREIGN_API_ORIGIN = `http://authproof-${SEED}.test`; // the reflect class, derived from the http web origin
const FOREIGN_CSRF_ORIGIN = `https://authproof-${SEED}.evil.test`;

function audit(flaws: string[], reporters = "json") {
  return runCli(["reference", ...(flaws.length ? ["--flaws", flaws.join(",")] : []), "--only", WEB.join(","), "--seed", String(SEED), "--fail-on", "low", "--reporter", reporters]);
}

// cors.*, csrf.* and cookie.* + browser.*: one audit of an app with all three.
const TOGETHER = ["cors-reflect", "trust-any-origin", "cookie-no-httponly"];
let together: Promise<CliRun> | undefined;
const auditOf = (flaw: string, reporters = "json") => (TOGETHER.includes(flaw) ? (together ??= audit(TOGETHER, "json,html")) : audit([flaw], reporters));

/** The failing results of one flaw's checks. */
function failingOf(report: Report, flaw: string) {
  const checks = flawChecks(flaw);
  return report.results.filter((r) => r.status === "fail" && checks.includes(r.checkId));
}

function webResults(report: Report) {
  return report.results.filter((r) => WEB.includes(r.category));
}

function evidenceText(result: Report["results"][number]): string {
  return JSON.stringify([result.reason, result.evidence]);
}

function flawChecks(name: string): string[] {
  const flaw = flawRegistry.flaws.find((f) => f.name === name);
  if (!flaw) throw new Error(`no flaw ${name} in reference-app/flaws.json`);
  return [...flaw.checks].sort();
}

describe("web checks against the reference app", { timeout: AUDIT_TIMEOUT_MS }, () => {
  test("the secure app: nothing fails or errors, every applicable check passes on the API, Better Auth and in the browser", async () => {
    const run = await audit([]);
    expect(run.report, run.stderr).toBeDefined();
    const results = webResults(run.report!);
    expect(checkIdsWith(run.report!, "fail")).toEqual([]);
    expect(checkIdsWith(run.report!, "error")).toEqual([]);
    for (const skipped of results.filter((r) => r.status === "skip")) expect(skipped.reason, skipped.id).toMatch(/IP address|no dot|plain http|session mode only/);
    const passedIds = (path: string) => results.filter((r) => r.status === "pass" && r.endpoint?.path.startsWith(path)).map((r) => r.checkId);
    for (const path of ["/api/me", "/api/auth/get-session"])
      expect(passedIds(path), path).toEqual(expect.arrayContaining(["cors.reflect-origin", "cors.null-origin", "cors.prefix-origin", "cors.special-chars", "cors.third-party", "cors.wildcard-credentials", "cors.vary-origin"]));
    expect(checkIdsWith(run.report!, "pass")).toEqual(
      expect.arrayContaining(["cookie.httponly", "cookie.samesite", "cookie.prefix", "cookie.lifetime", "cookie.cleared-on-signout", "browser.token-storage", "csrf.untrusted-origin"]),
    );
    const jar = results.filter((r) => r.endpoint?.path.includes("browser cookie jar") && r.status === "pass").map((r) => r.checkId);
    expect(jar.sort()).toEqual(["cookie.httponly", "cookie.samesite"]);
    const api = results.find((r) => r.checkId === "cors.reflect-origin" && r.endpoint?.path === "/api/me")!;
    expect(api.evidence?.notes?.join(" ")).toMatch(/positive control: http:\/\/127\.0\.0\.1:\d+ allowed/);
    expect(run.code).toBe(0);
  });

  test(`${TOGETHER.join(" + ")}: exactly their checks fail, nothing errors, exit 1`, async () => {
    const run = await auditOf(TOGETHER[0]!);
    expect(run.report, run.stderr).toBeDefined();
    expect(checkIdsWith(run.report!, "fail")).toEqual(TOGETHER.flatMap(flawChecks).sort());
    expect(checkIdsWith(run.report!, "error")).toEqual([]);
    expect(run.code).toBe(1);
  });

  test("cors-reflect: cors.reflect-origin and cors.wildcard-credentials fail, on the API, naming the origin", async () => {
    const run = await auditOf("cors-reflect");
    expect(run.report, run.stderr).toBeDefined();
    expect(failingOf(run.report!, "cors-reflect").map((r) => r.checkId).sort()).toEqual(flawChecks("cors-reflect"));
    for (const result of failingOf(run.report!, "cors-reflect")) {
      expect(result.endpoint?.path, result.id).toBe("/api/me");
      expect(evidenceText(result), result.id).toContain(FOREIGN_API_ORIGIN);
      expect(result.evidence!.exchanges[0]!.request.headers.origin, result.id).toBe(FOREIGN_API_ORIGIN);
      expect(result.evidence!.exchanges[0]!.response!.headers["access-control-allow-origin"], result.id).toBe(FOREIGN_API_ORIGIN);
    }
  });

  for (const [flaw, cookieCheck] of [
    ["cookie-no-httponly", "cookie.httponly"],
    ["cookie-samesite-none", "cookie.samesite"],
  ] as const) {
    test(`${flaw}: exactly ${cookieCheck} fails among the cookie and browser checks, from the raw header and in the browser's jar, naming the session cookie`, async () => {
      const run = await auditOf(flaw, "json,html");
      expect(run.report, run.stderr).toBeDefined();
      const cookieAndBrowser = run.report!.results.filter((r) => r.category === "cookie" || r.category === "browser");
      expect([...new Set(cookieAndBrowser.filter((r) => r.status === "fail").map((r) => r.checkId))].sort()).toEqual(flawChecks(flaw));
      expect(checkIdsWith(run.report!, "error")).toEqual([]);
      if (!TOGETHER.includes(flaw)) expect(checkIdsWith(run.report!, "fail")).toEqual(flawChecks(flaw));
      const failing = failingOf(run.report!, flaw);
      expect(failing.map((r) => r.endpoint?.path).sort()).toEqual(["/api/auth/sign-in/email", "/sign-in (browser cookie jar)"]);
      for (const result of failing) expect(result.reason, result.id).toContain("better-auth.session_token");
      expect(run.code).toBe(1);

      // The browser's finding carries the Playwright Test run's trace: in the report directory, linked from the HTML.
      const inBrowser = failing.find((r) => r.endpoint?.path === "/sign-in (browser cookie jar)")!;
      const trace = inBrowser.evidence?.traces?.[0];
      expect(trace, JSON.stringify(inBrowser.evidence)).toMatchObject({ path: expect.stringMatching(/^traces\/browser-session-\w+\.zip$/) });
      const latest = path.join(run.outDir, "latest");
      expect(statSync(path.join(latest, trace!.path)).size).toBeGreaterThan(1000);
      const html = readFileSync(path.join(latest, "report.html"), "utf8");
      expect(html).toContain(`href="${trace!.path}"`);
      expect(html).toContain(`npx playwright show-trace`);
      expect((inBrowser.evidence!.notes ?? []).join(" ")).not.toContain("no Playwright trace kept");
      expect(existsSync(path.join(run.outDir, run.report!.runId, trace!.path)), "the run's own directory holds it too").toBe(true);

      // show-trace opens it: the viewer lists the test of the browser suite (suites/browser.pw.ts, compiled to
      // dist/suites/browser.pw.js, run by playwright.config) and its steps. Once: the other flaw's trace is made
      // and linked the same way.
      if (flaw !== "cookie-no-httponly") return;
      const shown = await showTraceText(trace!.path, latest);
      expect(shown).toMatch(/browser\.pw\.(ts|js)/);
      expect(shown).toContain("UI sign-up and sign-in");
      expect(shown).toMatch(/Navigate[\s\S]*\/sign-up[\s\S]*Navigate[\s\S]*\/sign-in/);
      expect(shown).toContain(`locator('[data-testid="sign-in-submit"]')`);
    });
  }

  test("trust-any-origin: csrf.untrusted-origin fails, naming the foreign origin", async () => {
    const run = await auditOf("trust-any-origin");
    expect(run.report, run.stderr).toBeDefined();
    expect(failingOf(run.report!, "trust-any-origin").map((r) => r.checkId)).toEqual(flawChecks("trust-any-origin"));
    const result = failingOf(run.report!, "trust-any-origin")[0]!;
    expect(result.reason).toContain(FOREIGN_CSRF_ORIGIN);
    expect(result.evidence!.exchanges[0]!.request.headers.origin).toBe(FOREIGN_CSRF_ORIGIN);
    expect(result.evidence!.exchanges[0]!.response!.status).toBe(200);
  });
});
