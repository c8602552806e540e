import type { Probe } from "../../model/target.ts";
import { probeScope } from "../scopes.ts";
import type { CheckRecord } from "../types.ts";
import { runAttackCheck } from "./runner.ts";
import type { AttackCheckSpec } from "./types.ts";

/** An attack check's record: its variants sent to every probed operation, judged against the operation's controls. */
export type AttackCheck = CheckRecord<Probe> & { readonly spec: AttackCheckSpec };

/** Makes the record of an attack check. */
export function attackCheck(spec: AttackCheckSpec): AttackCheck {
  const category = spec.id.split(".")[0];
  const impact = spec.impact ?? (category === "token" ? "forgery" : category === "claims" ? "claims" : undefined);
  if (impact) spec = { ...spec, impact };
  return {
    id: spec.id,
    ...(spec.needs ? { needs: spec.needs } : {}),
    scope: probeScope,
    spec,
    run: async (ctx, probe) => (await runAttackCheck(ctx, spec, probe)).outcome,
  };
}
