import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { BROWSER_ENV, hostsOf, lockedDownArgs } from "../src/browser/launch.ts";
import { browserSuiteConfig } from "../src/browser/suite-config.ts";
import type { BrowserSuitePlan } from "../src/browser/suite-plan.ts";
import { PLAYWRIGHT_CONFIG } from "../src/browser/suite-run.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

const plan: BrowserSuitePlan = {
  executablePath: "/usr/bin/chromium",
  allowedOrigins: ["http://127.0.0.1:3000", "https://api.example.test"],
  browserEnv: { LD_PRELOAD: "/tmp/guard.so", AUTHPROOF_CONNECT_ALLOW: "203.0.113.5" },
  session: {
    origin: "http://127.0.0.1:3000",
    authBasePath: "/api/auth",
    signUpPath: "/sign-up",
    signInPath: "/sign-in",
    selectors: { name: "n", email: "e", password: "p", signUpSubmit: "s", signInSubmit: "t" },
    user: { name: "U", email: "u@example.test", password: "pw" },
    signUp: true,
    timeoutMs: 15_000,
  },
  outputDir: "/tmp/out",
  resultFile: "/tmp/out/result.json",
  reportFile: "/tmp/out/report.json",
  testTimeoutMs: 90_000,
};

describe("playwright.config.ts (the browser suite under Playwright Test)", () => {
  test("launches the plan's Chromium with R2.0's lock-down: the same flags as launchChromium, no D-Bus, the connect guard", () => {
    const config = browserSuiteConfig(plan);
    const launch = config.use!.launchOptions!;
    expect(launch.executablePath).toBe("/usr/bin/chromium");
    expect(launch.args).toEqual(lockedDownArgs(hostsOf(plan.allowedOrigins)));
    expect(launch.args).toContain("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE api.example.test");
    expect(launch.env).toMatchObject({ ...BROWSER_ENV, ...plan.browserEnv });
    expect(config.use).toMatchObject({ browserName: "chromium", headless: true, trace: { mode: "on", sources: false } });
    expect(config).toMatchObject({ workers: 1, retries: 0, outputDir: "/tmp/out", timeout: 90_000, testDir: "suites" });
    expect(config.reporter).toEqual([["json", { outputFile: "/tmp/out/report.json" }], ["line"]]);
  });

  test("by hand, without a plan, `npx playwright test` skips the suite and launches no browser", () => {
    expect(PLAYWRIGHT_CONFIG).toBe(`${REPO_ROOT.replace(/\/$/, "")}/playwright.config.ts`);
    const run = spawnSync(process.execPath, [require.resolve("@playwright/test/cli"), "test", "--config", PLAYWRIGHT_CONFIG, "--reporter", "list", "--output", "/tmp/authproof-pw-by-hand"], {
      cwd: REPO_ROOT,
      env: Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "AUTHPROOF_BROWSER_PLAN")),
      encoding: "utf8",
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/1 skipped/);
    expect(run.stdout).not.toMatch(/Executable doesn't exist/);
  });
});
