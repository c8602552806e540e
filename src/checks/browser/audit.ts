import { secureExpectation } from "../../target/cookie-session.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import { judgeJar, judgeTokenStorage } from "./judge.ts";
import { BROWSER_ENV, guardAddresses, hostsOf, resolveChromium } from "../../browser/launch.ts";
import { connectGuard, guardEnv } from "../../browser/connect-guard.ts";
import { blockedNotes, describeBlocked, isNeededByFlow } from "../../browser/network-guard.ts";
import { discardSuiteRun, runBrowserSuite } from "../../browser/suite-run.ts";
import { uiSelectors } from "../../browser/ui.ts";

/** The checks the browser suite records: storage, and the cookie attributes as the browser keeps them. */
export const BROWSER_CHECKS = ["browser.token-storage", "cookie.httponly", "cookie.secure", "cookie.samesite"] as const;
export type BrowserCheckId = (typeof BROWSER_CHECKS)[number];

/** The parts of the target model the browser checks read (structurally the engine's TargetModel). */
export interface BrowserModelView {
  seed: number;
  authOrigin: string;
  apiOrigin: string;
  config: {
    auth: { baseUrl: string; basePath: string };
    users: { signUp: boolean };
    cookies: { expectSecure: "auto" | boolean };
    browser: { executablePath?: string; signUpPath: string; signInPath: string; selectors?: { name?: string; email?: string; password?: string; submit?: string } };
    timeouts: { requestMs: number };
  };
  /** User A (signs in through the UI when sign-up is off). */
  users: Array<{ email: string; password: string }>;
}

/**
 * Runs the UI sign-up / sign-in in Chromium once, as the Playwright Test suite suites/browser.pw.ts, and judges
 * every browser check from what it saw; each verdict carries the run's Playwright trace. Never rejects: no
 * browser → `skip` with the reason; a UI step that fails → `error` naming the step. The browser reaches only
 * the Better Auth and API origins: other requests are blocked and noted, and a blocked request the flow
 * needed (a page load or a data call) makes every check `error` naming it.
 */
export async function auditInBrowser(
  model: BrowserModelView,
  fresh: { name: string; email: string; password: string },
  opts: { timeoutMs?: number; signal?: AbortSignal; keepTrace?: boolean } = {},
): Promise<Map<BrowserCheckId, CheckOutcome>> {
  const { config } = model;
  const endpoint = { method: "UI", path: config.browser.signInPath, url: new URL(config.browser.signInPath, model.authOrigin).href };
  const all = (make: (checkId: BrowserCheckId) => CheckOutcome) => new Map(BROWSER_CHECKS.map((id) => [id, make(id)] as const));
  const choice = resolveChromium({ configured: config.browser.executablePath });
  if ("skip" in choice) return all((checkId) => ({ checkId, endpoint, status: "skip", reason: choice.skip }));

  const allowedOrigins = [...new Set([model.authOrigin, model.apiOrigin])];
  const signUp = config.users.signUp;
  const user = signUp ? fresh : { name: "", email: model.users[0]!.email, password: model.users[0]!.password };
  const timeoutMs = opts.timeoutMs ?? Math.max(15_000, config.timeouts.requestMs * 3);
  const run = await runBrowserSuite(
    {
      executablePath: choice.path,
      allowedOrigins,
      browserEnv: { ...BROWSER_ENV, ...guardEnv(connectGuard(), await guardAddresses(hostsOf(allowedOrigins))) },
      session: {
        origin: model.authOrigin,
        authBasePath: config.auth.basePath,
        signUpPath: config.browser.signUpPath,
        signInPath: config.browser.signInPath,
        selectors: uiSelectors(config.browser.selectors),
        user,
        signUp,
        timeoutMs,
      },
      testTimeoutMs: timeoutMs * 4 + 30_000,
    },
    { killAfterMs: timeoutMs * 4 + 90_000, ...(opts.signal ? { signal: opts.signal } : {}) },
  );
  // The trace holds what was typed: a password the audit made up (its own user, removed at clean-up) may stay
  // in the report; a configured account's may not, unless asked for (run.includeTokens).
  const keepTrace = run.trace !== undefined && (signUp || opts.keepTrace === true);
  if (run.trace && !keepTrace) discardSuiteRun(run.trace);
  const blocked = run.result?.blocked ?? [];
  const extraNotes = [
    ...blockedNotes(blocked),
    ...(run.trace && !keepTrace ? ["no Playwright trace kept: it would hold the configured user's password (--include-tokens keeps it)"] : []),
  ];
  const finish = (outcome: CheckOutcome): CheckOutcome => ({
    ...outcome,
    ...(extraNotes.length ? { notes: [...(outcome.notes ?? []), ...extraNotes] } : {}),
    ...(keepTrace ? { traces: [{ file: run.trace!, title: `Playwright trace of the UI ${signUp ? "sign-up and sign-in" : "sign-in"}` }] } : {}),
  });

  if (!run.result || !run.result.ok) {
    const failed = run.result && !run.result.ok ? run.result : undefined;
    const message = failed ? (failed.uiFlow ? failed.error : `the browser (${choice.source}, ${choice.path}) failed: ${failed.error}`) : `the browser (${choice.source}, ${choice.path}) failed: ${run.problem}`;
    const hint = failed?.uiFlow ? " (set browser.signUpPath / signInPath / selectors for this app)" : "";
    const outside = blocked.length ? `; blocked outside ${allowedOrigins.join(", ")}: ${[...new Set(blocked.map(describeBlocked))].join(", ")}` : "";
    return all((checkId) => finish({ checkId, endpoint, status: "error", reason: message + hint + outside }));
  }
  const { session } = run.result;
  const needed = blocked.filter(isNeededByFlow);
  if (needed.length > 0) {
    const reason = `the UI flow needed ${describeBlocked(needed[0]!)}${needed.length > 1 ? ` (and ${needed.length - 1} more)` : ""}, outside the configured origins (${allowedOrigins.join(", ")}); authproof blocked it, so the browser verdicts would not describe the real flow`;
    return all((checkId) => finish({ checkId, endpoint, status: "error", reason }));
  }

  const serverCookieNames = [...(session.signUp?.setCookies ?? []), ...session.signIn.setCookies].map((line) => line.split("=")[0]!.trim());
  const readable = session.snapshots.flatMap((s) => s.documentCookie.split(";").map((p) => p.split("=")[0]!.trim())).filter((n) => serverCookieNames.includes(n));
  const secure = secureExpectation(config.cookies.expectSecure, config.auth.baseUrl);
  const jarEndpoint = { ...endpoint, path: `${config.browser.signInPath} (browser cookie jar)` };
  const jarScene = { endpoint: jarEndpoint, rawLines: session.signIn.setCookies, jar: session.jar, readableByScripts: [...new Set(readable)], expectSecure: secure.expect, secureBasis: secure.basis };
  const storage = judgeTokenStorage(endpoint, session.snapshots, session.sessionTokens, serverCookieNames);
  const notes = [`browser: ${choice.source} (${choice.path}), driven by Playwright Test`, `signed ${signUp ? "up and in" : "in"} through ${session.signIn.formUrl}, landed on ${session.signIn.landedOn}`];
  return all((checkId) =>
    finish(checkId === "browser.token-storage" ? { ...storage, notes: [...notes, ...(storage.notes ?? [])] } : judgeJar(checkId, jarScene)),
  );
}
