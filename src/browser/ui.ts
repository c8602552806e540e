import { AuthproofError } from "../errors.ts";
import type { BrowserContext, Page, Response } from "playwright-core";

/** CSS selectors of the sign-up / sign-in forms. */
export interface UiSelectors {
  name: string;
  email: string;
  password: string;
  signUpSubmit: string;
  signInSubmit: string;
}

/** The reference app's forms: inputs by name, buttons by data-testid. */
export const DEFAULT_SELECTORS: UiSelectors = {
  name: 'input[name="name"]',
  email: 'input[name="email"]',
  password: 'input[name="password"]',
  signUpSubmit: '[data-testid="sign-up-submit"]',
  signInSubmit: '[data-testid="sign-in-submit"]',
};

/** The selectors from the config (`browser.selectors`: name, email, password, submit for both forms) over the defaults. */
export function uiSelectors(configured: { name?: string; email?: string; password?: string; submit?: string } = {}): UiSelectors {
  return {
    name: configured.name ?? DEFAULT_SELECTORS.name,
    email: configured.email ?? DEFAULT_SELECTORS.email,
    password: configured.password ?? DEFAULT_SELECTORS.password,
    signUpSubmit: configured.submit ?? DEFAULT_SELECTORS.signUpSubmit,
    signInSubmit: configured.submit ?? DEFAULT_SELECTORS.signInSubmit,
  };
}

export interface UiFormRun {
  /** The page URL of the form. */
  formUrl: string;
  /** The auth request the form sent (POST under the Better Auth base path). */
  authUrl: string;
  status: number;
  /** Raw Set-Cookie lines of that answer, each kept separately. */
  setCookies: string[];
  /** The session token from the answer body (`token`) or the set-auth-token header, when present. */
  sessionToken?: string;
  /** Where the page ended up after submitting. */
  landedOn: string;
}

export interface UiFormOptions {
  origin: string;
  path: string;
  /** Better Auth's base path: the form's POST is the first one under it. */
  authBasePath: string;
  selectors: UiSelectors;
  user: { name: string; email: string; password: string };
  timeoutMs: number;
}

/** A UI step that could not be completed (selector missing, no auth request, error answer). */
export class UiFlowError extends AuthproofError<"UI_FLOW_FAILED"> {
  constructor(message: string) {
    super("UI_FLOW_FAILED", message);
  }
}

/** Fills and submits the sign-up form; returns the auth answer as the browser received it. */
export function uiSignUp(page: Page, opts: UiFormOptions): Promise<UiFormRun> {
  return submitForm(page, opts, "sign-up");
}

/** Fills and submits the sign-in form; returns the auth answer as the browser received it. */
export function uiSignIn(page: Page, opts: UiFormOptions): Promise<UiFormRun> {
  return submitForm(page, opts, "sign-in");
}

async function submitForm(page: Page, opts: UiFormOptions, kind: "sign-up" | "sign-in"): Promise<UiFormRun> {
  const formUrl = new URL(opts.path, opts.origin).href;
  const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      throw new UiFlowError(`${kind} through the UI at ${formUrl}: ${what} failed: ${message}`);
    }
  };
  await step("opening the page", () => page.goto(formUrl, { timeout: opts.timeoutMs }));
  if (kind === "sign-up") await step(`filling ${opts.selectors.name}`, () => page.fill(opts.selectors.name, opts.user.name, { timeout: opts.timeoutMs }));
  await step(`filling ${opts.selectors.email}`, () => page.fill(opts.selectors.email, opts.user.email, { timeout: opts.timeoutMs }));
  await step(`filling ${opts.selectors.password}`, () => page.fill(opts.selectors.password, opts.user.password, { timeout: opts.timeoutMs }));
  const basePath = "/" + opts.authBasePath.replace(/^\/+|\/+$/g, "");
  const isAuthPost = (response: Response) =>
    response.request().method() === "POST" && new URL(response.url()).pathname.startsWith(basePath);
  const submit = kind === "sign-up" ? opts.selectors.signUpSubmit : opts.selectors.signInSubmit;
  const [response] = await step(`submitting with ${submit} (waiting for a POST under ${basePath})`, () =>
    Promise.all([page.waitForResponse(isAuthPost, { timeout: opts.timeoutMs }), page.click(submit, { timeout: opts.timeoutMs })]),
  );
  const status = response.status();
  if (status < 200 || status >= 300) throw new UiFlowError(`${kind} through the UI: ${response.request().method()} ${response.url()} answered ${status}`);
  const setCookies = await response.headerValues("set-cookie");
  const headerToken = await response.headerValue("set-auth-token");
  const body = (await response.json().catch(() => undefined)) as { token?: unknown } | undefined;
  // Leave the form (the app navigates after a successful sign-in) and let the next page load its data.
  await page.waitForURL((url) => url.href !== formUrl, { timeout: opts.timeoutMs }).catch(() => undefined);
  await page.waitForLoadState("networkidle", { timeout: opts.timeoutMs }).catch(() => undefined);
  const sessionToken = typeof body?.token === "string" ? body.token : (headerToken ?? undefined);
  return { formUrl, authUrl: response.url(), status, setCookies, ...(sessionToken ? { sessionToken } : {}), landedOn: page.url() };
}

/** What scripts on a page can read: Web Storage and document.cookie. */
export interface StorageSnapshot {
  url: string;
  localStorage: Array<[string, string]>;
  sessionStorage: Array<[string, string]>;
  documentCookie: string;
}

/** Reads localStorage, sessionStorage and document.cookie as the page's own scripts see them. */
export async function readStorage(page: Page): Promise<StorageSnapshot> {
  const seen = await page.evaluate(() => {
    const entries = (storage: Storage): Array<[string, string]> => {
      const out: Array<[string, string]> = [];
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (key !== null) out.push([key, storage.getItem(key) ?? ""]);
      }
      return out;
    };
    return { localStorage: entries(window.localStorage), sessionStorage: entries(window.sessionStorage), documentCookie: document.cookie };
  });
  return { url: page.url(), ...seen };
}

/** A cookie as the browser stores it (Playwright's `context.cookies()`). */
export interface JarCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  expires: number;
  httpOnly: boolean;
  secure: boolean;
  sameSite: "Strict" | "Lax" | "None";
}

/** The browser's cookie jar for one origin. */
export async function readJar(context: BrowserContext, origin: string): Promise<JarCookie[]> {
  return (await context.cookies(origin)).map(({ name, value, domain, path, expires, httpOnly, secure, sameSite }) => ({
    name,
    value,
    domain,
    path,
    expires,
    httpOnly,
    secure,
    sameSite,
  }));
}
