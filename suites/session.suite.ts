import { afterAll, inject, test } from "vitest";
import { createAuditContext } from "../src/run/context.ts";
import { record } from "../src/run/record.ts";
import { SessionScenario } from "../src/checks/session/scenario.ts";

const model = inject("authproofModel");
const ctx = await createAuditContext(model);
afterAll(() => ctx.close());
const session = new SessionScenario(ctx);

test.runIf(ctx.selected("session.jwt-refresh"))("session.jwt-refresh", async (context) => {
  record(context, await session.refresh());
});

test.runIf(ctx.selected("session.signout-revokes-session"))("session.signout-revokes-session", async (context) => {
  record(context, await session.signOutRevokes());
});

test.runIf(ctx.selected("session.jwt-after-signout"))("session.jwt-after-signout", async (context) => {
  record(context, await session.jwtAfterSignOut());
});
