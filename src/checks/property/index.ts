import type { AuditContext } from "../../run/context.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import { runHeaderFuzz } from "./properties/header-fuzz.ts";
import { runIsolationModel } from "./properties/isolation-model.ts";
import { runTokenAcceptance } from "./properties/token-acceptance.ts";
import { runTokenRejection } from "./properties/token-rejection.ts";

/** The property checks (SPEC §3), in the order the property suite runs them. */
export const PROPERTIES: ReadonlyArray<readonly [checkId: string, run: (ctx: AuditContext) => Promise<CheckOutcome>]> = [
  ["property.token-rejection", runTokenRejection],
  ["property.token-acceptance", runTokenAcceptance],
  ["property.isolation-model", runIsolationModel],
  ["property.header-fuzz", runHeaderFuzz],
];
