import { decodeJwt, jwtVerify } from "jose";
import type { Browser } from "playwright-core";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backendTokenFor, signUpUser, type ReferenceUser } from "../src/reference/accounts.ts";
import { launchTestChromium as launchChromium } from "./helpers/browser.ts";
import { ReferenceAppError } from "../src/reference/errors.ts";
import { startReference, WEAK_SECRET, type ReferenceApp, type StartReferenceOptions } from "../src/reference/launch.ts";
import { ensureReferenceSetup } from "../src/reference/setup.ts";

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** Signs in with JSON (no cookie, no Origin) and returns the raw Set-Cookie lines. */
async function signInCookies(app: ReferenceApp, user: ReferenceUser): Promise<string[]> {
  const response = await request(`${app.webUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  await response.body.dump();
  expect(response.statusCode).toBe(200);
  const raw = response.headers["set-cookie"];
  return Array.isArray(raw) ? raw : raw ? [raw] : [];
}

function sessionCookie(lines: string[]): string {
  const line = lines.find((l) => /^(__Secure-)?better-auth\.session_token=/.test(l));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(lines)}`);
  return line;
}

function attributes(cookieLine: string): string[] {
  return cookieLine.split(";").slice(1).map((a) => a.trim().toLowerCase());
}

/** POST /api/auth/sign-out with the session cookie and the given Origin; returns the status. */
async function signOutFrom(app: ReferenceApp, cookieLine: string, origin: string): Promise<number> {
  const response = await request(`${app.webUrl}/api/auth/sign-out`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: cookieLine.split(";")[0]!, origin },
    body: "{}",
  });
  await response.body.dump();
  return response.statusCode;
}

async function tokenLifetime(app: ReferenceApp): Promise<number> {
  const token = await backendTokenFor(app, await signUpUser(app));
  const { exp, iat } = decodeJwt(token);
  return exp! - iat!;
}

/** Signs a fresh user up and in through the UI, lets the tasks page fetch its JWT, returns the storage contents. */
async function storageAfterUiSignIn(browser: Browser, app: ReferenceApp) {
  const user = await signUpUser(app, "Storage User");
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${app.webUrl}/sign-in`);
    await page.fill('input[name="email"]', user.email);
    await page.fill('input[name="password"]', user.password);
    await page.click('[data-testid="sign-in-submit"]');
    await page.waitForURL(`${app.webUrl}/tasks`);
    await page.getByTestId("tasks-empty").waitFor(); // the task list loaded, so a backend JWT was fetched
    const values = await page.evaluate(() => [...Object.values(localStorage), ...Object.values(sessionStorage)]);
    return { user, values };
  } finally {
    await context.close();
  }
}

describe("reference app frontend and launcher flaws", () => {
  const apps: Record<"secureJwks" | "secureShared" | "flawedJwks" | "flawedShared", StartReferenceOptions> = {
    secureJwks: { mode: "jwks" },
    secureShared: { mode: "shared-secret" },
    flawedJwks: { mode: "jwks", flaws: ["cookie-no-httponly", "trust-any-origin", "long-lived-token", "token-in-storage"] },
    flawedShared: { mode: "shared-secret", flaws: ["cookie-samesite-none", "long-lived-token", "weak-secret"] },
  };
  const running: Partial<Record<keyof typeof apps, ReferenceApp>> = {};
  const app = (name: keyof typeof apps): ReferenceApp => running[name]!;
  let browser: Browser;

  beforeAll(async () => {
    await ensureReferenceSetup();
    const started = await Promise.allSettled(
      Object.entries(apps).map(async ([name, options]) => {
        running[name as keyof typeof apps] = await startReference(options);
      }),
    );
    browser = await launchChromium();
    const failure = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(Object.values(running).map((a) => a.stop()));
  });

  it("reports the flaws it switched on", () => {
    expect(app("flawedJwks").flaws).toEqual(apps.flawedJwks.flaws);
    expect(app("flawedShared").flaws).toEqual(apps.flawedShared.flaws);
    expect(app("secureJwks").flaws).toEqual([]);
  });

  it("cookie-no-httponly: the session cookie loses HttpOnly only when on", async () => {
    const secure = attributes(sessionCookie(await signInCookies(app("secureJwks"), await signUpUser(app("secureJwks")))));
    const flawed = attributes(sessionCookie(await signInCookies(app("flawedJwks"), await signUpUser(app("flawedJwks")))));
    expect(secure).toContain("httponly");
    expect(flawed).not.toContain("httponly");
  });

  it("cookie-samesite-none: the session cookie gets SameSite=None only when on", async () => {
    const secure = attributes(sessionCookie(await signInCookies(app("secureShared"), await signUpUser(app("secureShared")))));
    const flawed = attributes(sessionCookie(await signInCookies(app("flawedShared"), await signUpUser(app("flawedShared")))));
    expect(secure).toContain("samesite=lax");
    expect(flawed).toContain("samesite=none");
    expect(flawed).not.toContain("samesite=lax");
  });

  it("trust-any-origin: a cookie-bearing sign-out from https://evil.example is refused only when off", async () => {
    const secureApp = app("secureJwks");
    const secureCookie = sessionCookie(await signInCookies(secureApp, await signUpUser(secureApp)));
    expect(await signOutFrom(secureApp, secureCookie, "https://evil.example")).toBe(403);
    expect(await signOutFrom(secureApp, secureCookie, secureApp.webUrl)).toBe(200);

    const flawedApp = app("flawedJwks");
    const flawedCookie = sessionCookie(await signInCookies(flawedApp, await signUpUser(flawedApp)));
    expect(await signOutFrom(flawedApp, flawedCookie, "https://evil.example")).toBe(200);
  });

  it("long-lived-token: backend JWTs live 24 h when on, 15 min when off (both modes)", async () => {
    expect(await tokenLifetime(app("secureJwks"))).toBe(15 * 60);
    expect(await tokenLifetime(app("secureShared"))).toBe(15 * 60);
    expect(await tokenLifetime(app("flawedJwks"))).toBe(24 * 3600);
    expect(await tokenLifetime(app("flawedShared"))).toBe(24 * 3600);
  });

  it("token-in-storage: the UI leaves the backend JWT in localStorage only when on", async () => {
    const flawed = await storageAfterUiSignIn(browser, app("flawedJwks"));
    const stored = flawed.values.filter((v) => JWT_SHAPE.test(v));
    expect(stored).toHaveLength(1);
    expect(decodeJwt(stored[0]!).sub).toBe(flawed.user.id);

    const secure = await storageAfterUiSignIn(browser, app("secureJwks"));
    expect(secure.values.filter((v) => JWT_SHAPE.test(v))).toEqual([]);
  });

  it("weak-secret: the guide's placeholder secret signs the backend tokens only when on", async () => {
    const flawedApp = app("flawedShared");
    expect(flawedApp.secret).toBe(WEAK_SECRET);
    const token = await backendTokenFor(flawedApp, await signUpUser(flawedApp));
    await expect(jwtVerify(token, new TextEncoder().encode(WEAK_SECRET))).resolves.toBeTruthy();

    const secureApp = app("secureShared");
    expect(secureApp.secret).not.toBe(WEAK_SECRET);
    const secureToken = await backendTokenFor(secureApp, await signUpUser(secureApp));
    await expect(jwtVerify(secureToken, new TextEncoder().encode(WEAK_SECRET))).rejects.toThrow();
  });

  it("rejects unknown flaw names and flaws that do not apply to the mode", async () => {
    const unknown = await startReference({ flaws: ["no-such-flaw"] }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ReferenceAppError);
    expect((unknown as ReferenceAppError).code).toBe("UNKNOWN_FLAW");
    expect((unknown as Error).message).toContain("no-such-flaw");
    expect((unknown as Error).message).toContain("trust-any-origin");

    const misplaced = await startReference({ mode: "jwks", flaws: ["weak-secret"] }).catch((e: unknown) => e);
    expect((misplaced as ReferenceAppError).code).toBe("FLAW_NOT_APPLICABLE");
  });
});
