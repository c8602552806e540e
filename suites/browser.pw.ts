import { test } from "@playwright/test";
import { recordBrowserSuite } from "../src/browser/suite-record.ts";
import { readSuitePlan } from "../src/browser/suite-plan.ts";

const plan = readSuitePlan();
test.skip(!plan, "run by `authproof audit`, which writes the plan (target, browser, lock-down) this test needs");

test("UI sign-up and sign-in: what scripts can read, the cookie jar", async ({ browser }) => {
  await recordBrowserSuite(browser, plan!);
});
