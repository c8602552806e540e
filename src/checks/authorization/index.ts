import { check, type CheckRecord, type Family } from "../types.ts";
import { functionLevel, roleAssignment, roleClaim } from "./scenarios.ts";
import { adminScope, roleTargetScope } from "./units.ts";

// Registry order is run order: B's own calls first, then the raised claims, and the role bodies last (a target
// that honours one makes B an admin until the role is restored).
const checks: CheckRecord[] = [
  check({ id: "authorization.function-level", scope: adminScope, run: functionLevel }),
  check({ id: "authorization.role-claim", needs: { oracle: true, jwt: true }, scope: adminScope, run: roleClaim }),
  check({ id: "authorization.role-assignment", scope: roleTargetScope, run: roleAssignment }),
];

/** Roles: a normal user against admin operations, raised role claims, and role fields in its own updates. */
export const authorization: Family = { name: "authorization", checks };
