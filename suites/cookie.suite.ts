import { afterAll, describe, inject, test } from "vitest";
import { createAuditContext } from "../src/run/context.ts";
import { record } from "../src/run/record.ts";
import { cookieSignInScene, cookieSignOut } from "../src/checks/cookie/scene.ts";
import {
  judgeClearedOnSignout,
  judgeCookieLifetime,
  judgeHttpOnly,
  judgePrefix,
  judgeSameSite,
  judgeSecure,
  type CookieScene,
} from "../src/checks/cookie/judge.ts";
import type { CheckOutcome } from "../src/judge/types.ts";

const model = inject("authproofModel");
const ctx = await createAuditContext(model);
afterAll(() => ctx.close());
let signedOut = false;

const JUDGES: Array<[string, (scene: CookieScene) => CheckOutcome]> = [
  ["cookie.httponly", judgeHttpOnly],
  ["cookie.secure", judgeSecure],
  ["cookie.samesite", judgeSameSite],
  ["cookie.prefix", judgePrefix],
  ["cookie.lifetime", judgeCookieLifetime],
];
const wanted = [...JUDGES.map(([id]) => id), "cookie.cleared-on-signout"].filter((id) => ctx.selected(id));

describe.runIf(wanted.length > 0)("cookies set by a Better Auth sign-in", () => {
  // One fresh sign-in of user A; every cookie check judges its raw Set-Cookie lines, then it is signed out.
  let started: ReturnType<typeof cookieSignInScene> | undefined;
  const scene = () => (started ??= cookieSignInScene(ctx));
  afterAll(async () => {
    const prepared = await started;
    if (prepared && !signedOut && "session" in prepared) await cookieSignOut(ctx, prepared.session);
  });
  for (const [checkId, judge] of JUDGES) {
    test.runIf(ctx.selected(checkId))(checkId, async (context) => {
      const prepared = await scene();
      record(context, "problem" in prepared ? prepared.problem(checkId) : judge(prepared.scene));
    });
  }
  test.runIf(ctx.selected("cookie.cleared-on-signout"))("cookie.cleared-on-signout", async (context) => {
    const prepared = await scene();
    if ("problem" in prepared) return record(context, prepared.problem("cookie.cleared-on-signout"));
    signedOut = true;
    record(context, judgeClearedOnSignout(prepared.scene, await cookieSignOut(ctx, prepared.session)));
  });
});
