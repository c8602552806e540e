import { afterAll, describe, test } from "@vitest/runner";
import type { CheckRecord, Family, Needs, Scope } from "../checks/types.ts";
import type { CheckOutcome } from "../judge/types.ts";
import type { AuditContext } from "../model/context.ts";
import { createAuditContext, type LiveAuditContext } from "./context.ts";
import { record, recordRunState } from "./record.ts";
import { warmUp } from "./warm-up.ts";
import { selectedIn } from "./selection.ts";
import { checksByScope, inShard, workItem } from "./shard.ts";
import { suiteInputs } from "./suite-protocol.ts";

/**
 * The audit context is shared by every suite file of an audit (the suite worker runs them one after another in
 * one thread): one driver and one pace, one set of attacker keys, one listener, and values
 * one family builds for another (the attacks hygiene judges, the browser session the cookie checks read).
 */
let live: { key: string; context: Promise<LiveAuditContext>; finished: number } | undefined;

function auditContext(): Promise<LiveAuditContext> {
  const { model, deadlineAt } = suiteInputs();
  const key = `${model.startedAt} ${model.seed}`;
  if (live?.key !== key) {
    const context = createAuditContext(model, deadlineAt || undefined);
    void context.then(warmUp, () => undefined);
    live = { key, context, finished: 0 };
  }
  return live.context;
}

async function suiteFinished(): Promise<void> {
  if (!live) return;
  live.finished += 1;
  if (live.finished >= suiteInputs().files.length) await closeAuditContext();
}

/** Closes the shared context (driver, listener, browser) if it is still open: a cancelled run skips the last files' hooks. */
export async function closeAuditContext(): Promise<void> {
  if (!live) return;
  const { context } = live;
  live = undefined;
  await (await context).close();
}

/**
 * Declares the tests of one check family: for each scope its checks use, one `describe` per unit (operation,
 * resource, CORS target, or the audit), and in it one test per selected check, in registry order.
 */
export function defineFamilySuite(family: Family): void {
  const { model } = suiteInputs();
  const selected = selectedIn(model);
  const checks = family.checks.filter((check) => selected(check.id));
  const mine = inShard(model);
  afterAll(suiteFinished);
  // A concurrent family's units (describe.concurrent) and their checks run at once.
  const unitSuite = family.concurrent ? describe.concurrent : describe;
  for (const [scope, records] of checksByScope(checks)) {
    for (const unit of scope.units(model)) {
      const label = scope.label(unit);
      // --shard i/n: only this shard's tests are declared (a unit with none gets no describe).
      const here = records.filter((check) => mine(workItem(family.name, scope, unit, check.id)));
      if (here.length === 0) continue;
      unitSuite(label, () => {
        for (const check of here) {
          (check.exclusive ? test.sequential : test)(check.id, async (context) => {
            const ctx = await auditContext();
            haltWhenCancelled(context.signal, ctx);
            try {
              record(context, await runCheck(ctx, check, scope, unit));
            } finally {
              recordRunState(context, ctx.driver);
            }
          });
        }
      });
    }
  }
}

/** When the CLI cancels the run (interrupted, deadline, target stopped), the shared driver stops sending at once. */
function haltWhenCancelled(signal: AbortSignal, ctx: AuditContext): void {
  const halt = () => {
    if ((signal.reason as Error | undefined)?.name === "TestRunAbortError") ctx.driver.halt("the audit is ending");
  };
  if (signal.aborted) halt();
  else signal.addEventListener("abort", halt, { once: true });
}

async function runCheck(ctx: AuditContext, check: CheckRecord, scope: Scope<unknown>, unit: unknown): Promise<CheckOutcome[]> {
  const unmet = unmetNeed(check.needs, ctx, unit);
  if (unmet) {
    const endpoint = scope.endpoint(unit);
    return [{ checkId: check.id, ...(endpoint ? { endpoint } : {}), status: "skip", reason: unmet }];
  }
  const outcome = await check.run(ctx, unit);
  return Array.isArray(outcome) ? outcome : [outcome];
}

/** Why a check cannot run here, or undefined when everything it needs is there. */
export function unmetNeed(needs: Needs | undefined, ctx: Pick<AuditContext, "signer" | "model">, unit: unknown): string | undefined {
  if (!needs) return undefined;
  if (needs.jwt && ctx.model.config.mode === "session") return "session mode: the backend takes Better Auth session tokens, not JWTs";
  if (needs.oracle && !ctx.signer) return "needs a signing key (shared secret or a private key the target trusts)";
  if (needs.publicKeys && ctx.model.publicJwks.length === 0) return "needs the target's public keys; it publishes none (shared-secret mode)";
  if (needs.betterAuth && ctx.model.identities !== "better-auth") return "needs Better Auth (the identities are minted: no auth.baseUrl is configured)";
  return undefined;
}
