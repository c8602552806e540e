import { BROWSER_CHECKS } from "../checks/browser/audit.ts";
import type { AuditContext } from "../model/context.ts";

/**
 * Starts slow set-up that depends on nothing the checks do as soon as the audit context exists, so it overlaps
 * the families before the first one that needs it: the browser session (a Playwright Test run of several
 * seconds), when a check that reads it is selected and Better Auth is there to sign up with. Not under --shard,
 * where this slice may hold none of those checks. Its outcome is read, as before, by the checks themselves.
 */
export function warmUp(ctx: AuditContext): void {
  if (ctx.model.config.run.shard || ctx.model.identities !== "better-auth") return;
  if (!BROWSER_CHECKS.some((id) => ctx.selected(id))) return;
  void import("../checks/browser/index.ts").then(({ browserSession }) => browserSession(ctx)).catch(() => undefined);
}
