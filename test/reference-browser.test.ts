import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpUser } from "../src/reference/accounts.ts";
import { launchTestChromium as launchChromium } from "./helpers/browser.ts";
import { startReference, type ReferenceApp } from "../src/reference/launch.ts";
import { ensureReferenceSetup } from "../src/reference/setup.ts";
import { sharedReference } from "./helpers/shared-reference.ts";

async function signIn(page: Page, app: ReferenceApp, email: string, password: string): Promise<void> {
  await page.goto(`${app.webUrl}/sign-in`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('[data-testid="sign-in-submit"]');
  await page.waitForURL(`${app.webUrl}/tasks`);
}

describe.each(["jwks", "shared-secret"] as const)("reference UI in %s mode", (mode) => {
  let app: ReferenceApp;
  let browser: Browser;

  beforeAll(async () => {
    await ensureReferenceSetup();
    [app, browser] = await Promise.all([sharedReference(mode), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("signs up, signs in, creates, toggles and deletes a task, and signs out", async () => {
    const email = `ui-${randomBytes(5).toString("hex")}@example.com`;
    const password = `pw-${randomBytes(8).toString("hex")}`;

    const signUpContext = await browser.newContext();
    const signUpPage = await signUpContext.newPage();
    await signUpPage.goto(`${app.webUrl}/`);
    await signUpPage.waitForURL(`${app.webUrl}/sign-in`);
    await signUpPage.goto(`${app.webUrl}/sign-up`);
    await signUpPage.fill('input[name="name"]', "Ui User");
    await signUpPage.fill('input[name="email"]', email);
    await signUpPage.fill('input[name="password"]', password);
    await signUpPage.click('[data-testid="sign-up-submit"]');
    await signUpPage.waitForURL(`${app.webUrl}/tasks`);
    await signUpContext.close();

    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, app, email, password);
    await page.getByTestId("tasks-empty").waitFor();

    await page.fill('input[name="title"]', "Water the plants");
    await page.selectOption('select[name="priority"]', "high");
    await page.click('[data-testid="task-create"]');
    const row = page.getByTestId("task-row");
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain("Water the plants");
    expect(await row.textContent()).toContain("high");
    expect(await row.getAttribute("data-done")).toBe("false");

    // The task survives a reload: it lives in the backend, not in the page.
    await page.reload();
    await expect.poll(() => row.count()).toBe(1);

    await row.getByTestId("task-toggle").click();
    await expect.poll(() => row.getAttribute("data-done")).toBe("true");
    await page.reload();
    await expect.poll(() => row.getAttribute("data-done")).toBe("true");

    await row.getByTestId("task-delete").click();
    await page.getByTestId("tasks-empty").waitFor();
    await page.reload();
    await page.getByTestId("tasks-empty").waitFor();

    // Secure by default: the backend JWT lives in memory only.
    expect(await page.evaluate(() => Object.keys(localStorage).length + Object.keys(sessionStorage).length)).toBe(0);

    await page.click('[data-testid="sign-out"]');
    await page.waitForURL(`${app.webUrl}/sign-in`);
    await page.goto(`${app.webUrl}/tasks`);
    await page.waitForURL(`${app.webUrl}/sign-in`);
    await context.close();
  });
});

describe("reference UI API client on a 401", () => {
  // token-in-storage is the one way to hand the page a stale JWT from outside; the 401 handling is the same code.
  let app: ReferenceApp;
  let browser: Browser;

  beforeAll(async () => {
    await ensureReferenceSetup();
    [app, browser] = await Promise.all([startReference({ mode: "jwks", flaws: ["token-in-storage"] }), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("replaces a rejected JWT once and carries on", async () => {
    const user = await signUpUser(app);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, app, user.email, user.password);
    await page.getByTestId("tasks-empty").waitFor();

    const stale = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJub2JvZHkifQ.c3RhbGU";
    await page.evaluate((value) => localStorage.setItem("backend_token", value), stale);
    await page.reload();
    await page.getByTestId("tasks-empty").waitFor();
    await page.fill('input[name="title"]', "after refresh");
    await page.click('[data-testid="task-create"]');
    await expect.poll(() => page.getByTestId("task-row").count()).toBe(1);
    const stored = await page.evaluate(() => localStorage.getItem("backend_token"));
    expect(stored).not.toBe(stale);
    expect(stored).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await context.close();
  });

  it("signs out and goes to /sign-in when a fresh JWT is rejected too", async () => {
    const user = await signUpUser(app);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, app, user.email, user.password);
    await page.getByTestId("tasks-empty").waitFor();

    // The backend refuses tokens whose sub is no longer a user: remove the user behind the page's back.
    const db = new Database(app.authDatabasePath);
    try {
      db.prepare('DELETE FROM "session" WHERE "userId" = ?').run(user.id);
      db.prepare('DELETE FROM "account" WHERE "userId" = ?').run(user.id);
      expect(db.prepare('DELETE FROM "user" WHERE "id" = ?').run(user.id).changes).toBe(1);
    } finally {
      db.close();
    }

    await page.fill('input[name="title"]', "should not be created");
    await page.click('[data-testid="task-create"]');
    await page.waitForURL(`${app.webUrl}/sign-in`);
    expect(await page.evaluate(() => localStorage.getItem("backend_token"))).toBeNull();
    await context.close();
  });
});
