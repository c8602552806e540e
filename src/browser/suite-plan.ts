import { readFileSync } from "node:fs";
import type { BlockedRequest } from "./network-guard.ts";
import type { BrowserSession, BrowserSessionOptions } from "./session.ts";

/** The variable through which `authproof audit` hands the browser suite (playwright.config.ts) its plan file. */
export const PLAN_ENV = "AUTHPROOF_BROWSER_PLAN";

/** Everything one Playwright Test run of the browser suite needs: which browser, locked down how, doing what. */
export interface BrowserSuitePlan {
  executablePath: string;
  /** The only origins the browser may reach (the Better Auth and API origins). */
  allowedOrigins: string[];
  /** Added to Chromium's environment: the connect guard (LD_PRELOAD) and its allowed addresses. */
  browserEnv: Record<string, string>;
  /** The UI sign-up / sign-in to drive. */
  session: Omit<BrowserSessionOptions, "guard">;
  /** Playwright's output directory: the trace of the test lands here. */
  outputDir: string;
  /** Where the suite writes what the browser saw (a BrowserSuiteResult). */
  resultFile: string;
  /** Where Playwright's JSON reporter writes its report (the trace attachments are read from it). */
  reportFile: string;
  /** Playwright's per-test timeout. */
  testTimeoutMs: number;
}

/** What the browser suite saw: the session, or the step that failed; and every request it blocked. */
export type BrowserSuiteResult =
  | { ok: true; session: BrowserSession; blocked: BlockedRequest[] }
  | { ok: false; error: string; uiFlow: boolean; blocked: BlockedRequest[] };

/** The plan named by AUTHPROOF_BROWSER_PLAN, or undefined when Playwright was started without one. */
export function readSuitePlan(env: NodeJS.ProcessEnv = process.env): BrowserSuitePlan | undefined {
  const file = env[PLAN_ENV];
  return file ? (JSON.parse(readFileSync(file, "utf8")) as BrowserSuitePlan) : undefined;
}
