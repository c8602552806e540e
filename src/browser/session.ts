import type { Browser } from "playwright-core";
import type { NetworkGuard } from "./network-guard.ts";
import { readJar, readStorage, uiSignIn, uiSignUp, type JarCookie, type StorageSnapshot, type UiFormRun, type UiSelectors } from "./ui.ts";

export interface BrowserSessionOptions {
  /** The site's origin (Better Auth's, where the UI pages are served). */
  origin: string;
  authBasePath: string;
  signUpPath: string;
  signInPath: string;
  selectors: UiSelectors;
  user: { name: string; email: string; password: string };
  /** Sign up through the UI first (a fresh user); false signs in an existing account only. */
  signUp: boolean;
  timeoutMs: number;
  /** Opens every context: requests outside the configured origins are aborted and recorded there. */
  guard: NetworkGuard;
}

/** What a real browser saw: the UI sign-up / sign-in answers, what scripts could read, and the cookie jar after sign-in. */
export interface BrowserSession {
  signUp?: UiFormRun;
  signIn: UiFormRun;
  snapshots: StorageSnapshot[];
  jar: JarCookie[];
  /** Session tokens returned by the forms' auth answers (to recognise them in storage). */
  sessionTokens: string[];
}

/**
 * Signs up (optional) and signs in through the target's own pages, each in a fresh guarded browser context, and
 * reads Web Storage and document.cookie after each, plus the jar after sign-in. Throws UiFlowError when a
 * step cannot be done.
 */
export async function runBrowserSession(browser: Browser, opts: BrowserSessionOptions): Promise<BrowserSession> {
  const form = { origin: opts.origin, authBasePath: opts.authBasePath, selectors: opts.selectors, user: opts.user, timeoutMs: opts.timeoutMs };
  const snapshots: StorageSnapshot[] = [];
  const sessionTokens: string[] = [];
  let signUp: UiFormRun | undefined;
  if (opts.signUp) {
    const context = await opts.guard.newContext(browser);
    try {
      const page = await context.newPage();
      signUp = await uiSignUp(page, { ...form, path: opts.signUpPath });
      if (signUp.sessionToken) sessionTokens.push(signUp.sessionToken);
      snapshots.push(await readStorage(page));
    } finally {
      await context.close();
    }
  }
  const context = await opts.guard.newContext(browser);
  try {
    const page = await context.newPage();
    const signIn = await uiSignIn(page, { ...form, path: opts.signInPath });
    if (signIn.sessionToken) sessionTokens.push(signIn.sessionToken);
    snapshots.push(await readStorage(page));
    const jar = await readJar(context, opts.origin);
    sessionTokens.push(...jar.filter((c) => /session/i.test(c.name)).map((c) => safeDecode(c.value)));
    return { ...(signUp ? { signUp } : {}), signIn, snapshots, jar, sessionTokens };
  } finally {
    await context.close();
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
