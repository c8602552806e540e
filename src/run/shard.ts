import { FAMILIES } from "../checks/registry.ts";
import type { CheckRecord, Scope } from "../checks/types.ts";
import type { TargetModel } from "../model/target.ts";
import { selectedIn } from "./selection.ts";

/** `--shard 2/4`: the second of four slices of an audit's work (1-based). */
export interface Shard {
  index: number;
  count: number;
}

/** `2/4` → { index: 2, count: 4 }; the config schema has already checked the shape. */
export function parseShard(text: string | undefined): Shard | undefined {
  const match = text ? /^(\d+)\/(\d+)$/.exec(text) : null;
  return match ? { index: Number(match[1]), count: Number(match[2]) } : undefined;
}

/** One test of the audit: a check on one unit (operation, resource, CORS target, or the audit) of a family. */
export interface WorkItem {
  family: string;
  unit: string;
  checkId: string;
  /** `METHOD /path` when the unit is a route: every test on one route goes to one shard. */
  route?: string;
}

/** The selected checks of a family grouped by scope, in registry order: how defineFamilySuite declares its tests. */
export function checksByScope(checks: readonly CheckRecord[]): Map<Scope<unknown>, CheckRecord[]> {
  const groups = new Map<Scope<unknown>, CheckRecord[]>();
  for (const check of checks) groups.set(check.scope, [...(groups.get(check.scope) ?? []), check]);
  return groups;
}

/** The work item of one test, as workItems lists it and defineFamilySuite asks about it. */
export function workItem(family: string, scope: Scope<unknown>, unit: unknown, checkId: string): WorkItem {
  const endpoint = scope.endpoint(unit);
  return { family, unit: scope.label(unit), checkId, ...(endpoint ? { route: `${endpoint.method} ${endpoint.path}` } : {}) };
}

/** Every test of the audit in declaration order: family × unit × check (depends on the model, never on timing). */
export function workItems(model: TargetModel): WorkItem[] {
  const selected = selectedIn(model);
  return FAMILIES.flatMap((family) =>
    [...checksByScope(family.checks.filter((check) => selected(check.id)))].flatMap(([scope, checks]) =>
      scope.units(model).flatMap((unit) => checks.map((check) => workItem(family.name, scope, unit, check.id))),
    ),
  );
}

const testKey = (item: WorkItem) => `${item.family}\u0000${item.unit}\u0000${item.checkId}`;

/**
 * What is dealt out: a route (every test of every family on it, so checks that judge what other families sent
 * to that route, such as hygiene.error-leak, see all of it), or else the single test (family × unit × check).
 */
const shareKey = (item: WorkItem) => item.route ?? testKey(item);

/**
 * Whether a test belongs to this run's shard: the distinct share keys, in the order of workItems, dealt
 * round-robin (key k, 0-based, to shard k mod n + 1). It depends on the model and the selection only, never on
 * timing; without --shard every test belongs.
 */
export function inShard(model: TargetModel): (item: WorkItem) => boolean {
  const shard = parseShard(model.config.run.shard);
  if (!shard) return () => true;
  const owner = new Map<string, number>();
  for (const item of workItems(model)) {
    const key = shareKey(item);
    if (!owner.has(key)) owner.set(key, (owner.size % shard.count) + 1);
  }
  return (item) => owner.get(shareKey(item)) === shard.index;
}
