import fc from "fast-check";
import type { AuditContext } from "../../../model/context.ts";
import type { CheckOutcome } from "../../../judge/types.ts";
import { MAX_COMMANDS, propertySettings, RequestBudget } from "../budget.ts";
import { cleanupRun, commandArbs, isolationResource, ModelInconclusive, ModelViolation, type IsolationModel, type IsolationReal } from "../isolation.ts";
import { propertyOutcome, type PropertyFailure } from "../outcome.ts";

export const CHECK_ID = "property.isolation-model" as const;

/**
 * P3: random interleavings of create / read / update / delete by users A and B on the first CRUD resource;
 * after every command each user's list view equals the model (their own objects, as they wrote them).
 */
export async function runIsolationModel(ctx: AuditContext): Promise<CheckOutcome> {
  const resource = isolationResource(ctx.model.resources);
  if (!resource) return { checkId: CHECK_ID, status: "skip", reason: "no resource with create and list operations (and no parent ids) was found" };
  const endpoint = { method: "GET", path: resource.collection };
  const settings = propertySettings(ctx.model, CHECK_ID);
  const budget = new RequestBudget(settings.budget);
  let failure: PropertyFailure | undefined;
  let inconclusive: string | undefined;

  const property = fc.asyncProperty(fc.commands(commandArbs(resource), { maxCommands: MAX_COMMANDS }), async (commands) => {
    if (budget.used >= budget.limit) {
      budget.take();
      return;
    }
    const real: IsolationReal = { ctx, resource, budget, created: new Map() };
    try {
      await fc.asyncModelRun(() => ({ model: { objects: [] } as IsolationModel, real }), commands);
    } catch (error) {
      if (error instanceof ModelInconclusive) {
        inconclusive ??= error.message;
        return;
      }
      if (error instanceof ModelViolation && real.lastFailure) {
        failure = {
          detail: real.lastFailure.detail,
          exchange: real.lastFailure.exchange,
          description: `commands: ${String(commands)}`,
          counterexample: {},
        };
      }
      throw error;
    } finally {
      await cleanupRun(real);
    }
  });

  const details = await fc.check(property, { seed: settings.seed, numRuns: settings.numRuns });
  const outcome = propertyOutcome({ checkId: CHECK_ID, endpoint, settings, details, failure, budget });
  if (outcome.status !== "pass" || !inconclusive) return outcome;
  return { ...outcome, status: "error", reason: `inconclusive: a user's own request failed, so isolation could not be judged (${inconclusive})` };
}
