import type { CheckDef } from "../catalogue/types.ts";
import type { CheckEntry, Result } from "./schema.ts";

/**
 * The catalogue entry as a report lists it (drops fields that only steer the run, like `needsOracle`).
 *
 * @example checks: used.map(toCheckEntry)
 */
export function toCheckEntry(def: CheckDef): CheckEntry {
  const { id, title, category, severity, sends, expects, why, fix, refs } = def;
  return { id, title, category, severity, sends, expects, why, fix, refs: [...refs] };
}

/**
 * The unique, run-stable id of a result: `checkId METHOD path` (use the route template, e.g. `/api/tasks/{id}`,
 * not a concrete id, so baselines and SARIF fingerprints match across runs), or the check id alone.
 *
 * @example resultId("token.alg-none", { method: "get", path: "/api/tasks" }) // "token.alg-none GET /api/tasks"
 */
export function resultId(checkId: string, endpoint?: Pick<NonNullable<Result["endpoint"]>, "method" | "path">): string {
  return endpoint ? `${checkId} ${endpoint.method.toUpperCase()} ${endpoint.path}` : checkId;
}
