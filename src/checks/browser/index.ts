import type { CheckOutcome } from "../../judge/types.ts";
import type { AuditContext } from "../../model/context.ts";
import { makeTestUser } from "../../target/identities.ts";
import { auditScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { auditInBrowser, type BrowserCheckId } from "./audit.ts";
import { withBetterAuth } from "../../model/endpoint.ts";

/** One UI sign-up and sign-in in Chromium per audit (started early by src/run/warm-up.ts), judged for every browser check. */
export function browserSession(ctx: AuditContext): Promise<Map<BrowserCheckId, CheckOutcome>> {
  return ctx.shared("browser session", () =>
    auditInBrowser(withBetterAuth(ctx.model), makeTestUser(ctx.model.seed, 7), { signal: ctx.driver.haltSignal, keepTrace: ctx.model.config.run.includeTokens }),
  );
}

/** The browser and cookie checks read their verdicts from the one browser session. */
export async function browserVerdict(ctx: AuditContext, checkId: BrowserCheckId): Promise<CheckOutcome> {
  const verdicts = await browserSession(ctx);
  const outcome = verdicts.get(checkId);
  if (!outcome) throw new Error(`no browser verdict for ${checkId}`);
  return outcome;
}

const tokenStorage = check({
  id: "browser.token-storage",
  needs: { betterAuth: true },
  scope: auditScope,
  run: (ctx) => browserVerdict(ctx, "browser.token-storage"),
});

/** What scripts in a real browser can read after sign-in. */
export const browser: Family = { name: "browser", checks: [tokenStorage] };
