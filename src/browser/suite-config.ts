import type { PlaywrightTestConfig } from "@playwright/test";
import { BROWSER_ENV, hostsOf, lockedDownArgs } from "./launch.ts";
import type { BrowserSuitePlan } from "./suite-plan.ts";

/**
 * Playwright Test's configuration for the browser suite (suites/browser.pw.ts): one worker, no retries, a
 * trace of every test (snapshots and screenshots, no sources), and Chromium launched exactly as
 * `launchChromium` launches it: the plan's binary, R2.0's locked-down flags for the plan's origins, no D-Bus,
 * and the connect guard preloaded. Without a plan (Playwright started by hand) the suite skips itself.
 */
export function browserSuiteConfig(plan: BrowserSuitePlan | undefined): PlaywrightTestConfig {
  const common: PlaywrightTestConfig = {
    testDir: "suites",
    testMatch: /browser\.pw\.(ts|js)$/,
    workers: 1,
    retries: 0,
    fullyParallel: false,
    forbidOnly: true,
  };
  if (!plan) return { ...common, reporter: "list" };
  return {
    ...common,
    outputDir: plan.outputDir,
    timeout: plan.testTimeoutMs,
    reporter: [["json", { outputFile: plan.reportFile }], ["line"]],
    use: {
      browserName: "chromium",
      headless: true,
      trace: { mode: "on", snapshots: true, screenshots: true, sources: false },
      launchOptions: {
        executablePath: plan.executablePath,
        args: lockedDownArgs(hostsOf(plan.allowedOrigins)),
        env: { ...process.env, ...BROWSER_ENV, ...plan.browserEnv } as Record<string, string>,
      },
    },
  };
}
