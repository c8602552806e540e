import type { CheckOutcome } from "../../judge/types.ts";
import type { AuditContext } from "../../model/context.ts";
import { endpointOf } from "../../model/endpoint.ts";
import type { Operation } from "../../target/openapi.ts";
import type { Resource } from "../../target/resources.ts";
import { check, type CheckRecord, type Family, type Scope } from "../types.ts";
import { IsolationScenarios, pathUserCheck, userPathOperations } from "./scenarios.ts";

/** Resources where user A owns an object the audit created: B attacks it. */
const resourceScope: Scope<Resource> = {
  name: "resource",
  units: (model) => model.resources.filter((r) => model.objects.some((o) => o.resource === r.collection && o.owner === "A")),
  label: (resource) => resource.collection,
  endpoint: (resource) => ({ method: "GET", path: resource.item }),
};

/** GET operations whose path names a user. */
const userPathScope: Scope<Operation> = {
  name: "user path",
  units: (model) => userPathOperations(model.operations, model.resources),
  label: (op) => `${op.method} ${op.path}`,
  endpoint: (op) => endpointOf(op),
};

/** The scenarios of one resource, shared by its checks (one matrix, one snapshot of A's object). */
function scenarios(ctx: AuditContext, resource: Resource): IsolationScenarios {
  return ctx.shared(`isolation ${resource.collection}`, () => new IsolationScenarios(ctx, resource));
}

/** The outcome with the matrix cells its requests produced. */
async function withCells(s: IsolationScenarios, outcome: Promise<CheckOutcome>): Promise<CheckOutcome> {
  const done = await outcome;
  const matrix = s.cells.splice(0);
  return matrix.length ? { ...done, matrix } : done;
}

async function sequentially(ops: Operation[], each: (op: Operation) => Promise<CheckOutcome>): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const op of ops) outcomes.push(await each(op));
  return outcomes;
}

const checks: CheckRecord[] = [
  {
    id: "isolation.read-foreign",
    scope: resourceScope,
    run: async (ctx, resource: Resource) => {
      const s = scenarios(ctx, resource);
      const reads = [...(resource.read ? [resource.read] : []), ...(resource.views ?? [])];
      return sequentially(reads, (op) => withCells(s, s.readForeign(op)));
    },
  },
  {
    id: "isolation.list-foreign",
    scope: resourceScope,
    run: async (ctx, resource: Resource) => (resource.list ? withCells(scenarios(ctx, resource), scenarios(ctx, resource).listForeign()) : []),
  },
  {
    id: "isolation.enumeration",
    scope: resourceScope,
    run: async (ctx, resource: Resource) => (resource.read ? scenarios(ctx, resource).enumeration() : []),
  },
  {
    id: "isolation.mass-assignment",
    scope: resourceScope,
    run: async (ctx, resource: Resource) => {
      const s = scenarios(ctx, resource);
      const onCreate = resource.create ? [await s.massAssignmentOnCreate()] : [];
      return [...onCreate, ...(await sequentially(resource.update ?? [], (op) => s.massAssignmentOnUpdate(op)))];
    },
  },
  {
    // Deletes last: a target that lets B delete A's object ends the object's part in the audit.
    id: "isolation.write-foreign",
    scope: resourceScope,
    run: async (ctx, resource: Resource) => {
      const s = scenarios(ctx, resource);
      const writes = [...(resource.update ?? []), ...(resource.actions ?? []), ...(resource.remove ? [resource.remove] : [])];
      return sequentially(writes, (op) => withCells(s, s.writeForeign(op)));
    },
  },
  {
    id: "isolation.path-user",
    scope: userPathScope,
    run: (ctx, op: Operation) => pathUserCheck(ctx, op, ctx.model.resources),
  },
];

/** Two real users against each other: reads, writes, lists, user paths, enumeration, owner fields. */
export const isolation: Family = { name: "isolation", checks };
