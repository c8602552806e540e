import { auditScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { runHeaderFuzz } from "./properties/header-fuzz.ts";
import { runIsolationModel } from "./properties/isolation-model.ts";
import { runTokenAcceptance } from "./properties/token-acceptance.ts";
import { runTokenRejection } from "./properties/token-rejection.ts";

// The token properties only send tokens to a read probe, so they run at once (each one's runs in order, as
// fast-check runs them); the isolation model creates, changes and deletes objects, so it runs alone, after them.
const checks: CheckRecord[] = [
  { id: "property.token-rejection", needs: { jwt: true }, scope: auditScope, run: runTokenRejection },
  { id: "property.token-acceptance", needs: { oracle: true, jwt: true }, scope: auditScope, run: runTokenAcceptance },
  { id: "property.header-fuzz", needs: { jwt: true }, scope: auditScope, run: runHeaderFuzz },
  { id: "property.isolation-model", scope: auditScope, run: runIsolationModel, exclusive: true },
];

/** The property suites (SPEC §3): fast-check generates what the scenario lists miss. */
export const property: Family = { name: "property", checks, concurrent: true };
