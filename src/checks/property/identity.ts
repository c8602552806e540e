import type { Probe, TargetModel } from "../../model/target.ts";
import { controlProblem } from "../../judge/controls.ts";

export type JsonPath = Array<string | number>;

/** A probe whose answer names the caller, and where in its JSON the caller's id is. */
export interface IdentityProbe {
  probe: Probe;
  path: JsonPath;
}

/**
 * The read operation without path parameters whose answer to user A's token carries A's id at the shallowest
 * JSON path (`GET /api/me` → `id`): the property checks send their tokens there and read the identity back.
 */
export function findIdentityProbe(model: TargetModel): IdentityProbe | undefined {
  const userA = model.users[0];
  if (!userA) return undefined;
  const candidates: Array<IdentityProbe & { size: number }> = [];
  for (const probe of model.probes) {
    if (probe.kind !== "read" || probe.op.pathParams.length > 0 || controlProblem(probe.controls)) continue;
    const response = probe.controls.positive.response;
    if (!response || response.status < 200 || response.status >= 300) continue;
    const path = findPath(response.json, userA.userId);
    if (path) candidates.push({ probe, path, size: response.body.length });
  }
  candidates.sort((a, b) => a.path.length - b.path.length || a.size - b.size);
  const best = candidates[0];
  return best ? { probe: best.probe, path: best.path } : undefined;
}

/**
 * A probe the token properties can use when none reveals the identity: a read probe with working controls,
 * else any probe with working controls, else the first probe (whose failed controls make the property `error`).
 */
export function findTokenProbe(model: TargetModel): Probe | undefined {
  return (
    findIdentityProbe(model)?.probe ??
    model.probes.find((p) => p.kind === "read" && !controlProblem(p.controls)) ??
    model.probes.find((p) => !controlProblem(p.controls)) ??
    model.probes[0]
  );
}

/** The first (breadth-first, shallowest) path at which `json` holds the string `value`. */
export function findPath(json: unknown, value: string): JsonPath | undefined {
  const queue: Array<{ node: unknown; path: JsonPath }> = [{ node: json, path: [] }];
  while (queue.length > 0) {
    const { node, path } = queue.shift()!;
    if (node === value) return path;
    if (Array.isArray(node)) node.forEach((child, i) => queue.push({ node: child, path: [...path, i] }));
    else if (node && typeof node === "object") for (const [key, child] of Object.entries(node)) queue.push({ node: child, path: [...path, key] });
  }
  return undefined;
}

/** The value at `path` in `json` (undefined when the path does not exist). */
export function valueAt(json: unknown, path: JsonPath): unknown {
  let node = json;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
