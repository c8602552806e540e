// The browser suite's Playwright Test configuration. `authproof audit` runs it (suites/browser.pw.ts) with a plan
// naming the target, the browser and the lock-down; see src/browser/suite-config.ts.
import { defineConfig } from "@playwright/test";
import { browserSuiteConfig } from "./src/browser/suite-config.ts";
import { readSuitePlan } from "./src/browser/suite-plan.ts";

export default defineConfig(browserSuiteConfig(readSuitePlan()));
