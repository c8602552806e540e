import { writeFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { NetworkGuard } from "./network-guard.ts";
import { runBrowserSession } from "./session.ts";
import type { BrowserSuitePlan, BrowserSuiteResult } from "./suite-plan.ts";
import { UiFlowError } from "./ui.ts";

/**
 * The browser suite's one test: drives the plan's UI sign-up / sign-in in the given browser, every context
 * behind the network guard, and writes what it saw (or the step that failed) to the plan's result file.
 * Rethrows a failure, so Playwright's own report and trace show it too.
 */
export async function recordBrowserSuite(browser: Browser, plan: BrowserSuitePlan): Promise<void> {
  const guard = new NetworkGuard(plan.allowedOrigins);
  let result: BrowserSuiteResult;
  try {
    const session = await runBrowserSession(browser, { ...plan.session, guard });
    result = { ok: true, session, blocked: guard.blocked };
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    writeFileSync(plan.resultFile, JSON.stringify({ ok: false, error: message, uiFlow: error instanceof UiFlowError, blocked: guard.blocked } satisfies BrowserSuiteResult));
    throw error;
  }
  writeFileSync(plan.resultFile, JSON.stringify(result));
}
