import { auditScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { runHeaderFuzz } from "./properties/header-fuzz.ts";
import { runIsolationModel } from "./properties/isolation-model.ts";
import { runTokenAcceptance } from "./properties/token-acceptance.ts";
import { runTokenRejection } from "./properties/token-rejection.ts";

const checks: CheckRecord[] = [
  { id: "property.token-rejection", needs: { jwt: true }, scope: auditScope, run: runTokenRejection },
  { id: "property.token-acceptance", needs: { oracle: true, jwt: true }, scope: auditScope, run: runTokenAcceptance },
  { id: "property.isolation-model", scope: auditScope, run: runIsolationModel },
  { id: "property.header-fuzz", needs: { jwt: true }, scope: auditScope, run: runHeaderFuzz },
];

/** The property suites (SPEC §3): fast-check generates what the scenario lists miss. */
export const property: Family = { name: "property", checks };
