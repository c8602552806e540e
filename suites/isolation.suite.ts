import { afterAll, describe, inject, test } from "vitest";
import { createAuditContext } from "../src/run/context.ts";
import { IsolationScenarios, pathUserCheck, userPathOperations } from "../src/checks/isolation/scenarios.ts";
import { MATRIX_KEY, record } from "../src/run/record.ts";

const model = inject("authproofModel");
const ctx = await createAuditContext(model);
afterAll(() => ctx.close());

for (const resource of model.resources.filter((r) => IsolationScenarios.applicable(ctx, r))) {
  describe(resource.collection, () => {
    const scenarios = new IsolationScenarios(ctx, resource);
    test.runIf(ctx.selected("isolation.read-foreign") && !!resource.read)("isolation.read-foreign", async (context) => {
      record(context, await scenarios.readForeign(), { [MATRIX_KEY]: scenarios.cells.splice(0) });
    });
    test.runIf(ctx.selected("isolation.list-foreign") && !!resource.list)("isolation.list-foreign", async (context) => {
      record(context, await scenarios.listForeign(), { [MATRIX_KEY]: scenarios.cells.splice(0) });
    });
    test.runIf(ctx.selected("isolation.enumeration") && !!resource.read)("isolation.enumeration", async (context) => {
      record(context, await scenarios.enumeration());
    });
    test.runIf(ctx.selected("isolation.mass-assignment") && !!resource.create)("isolation.mass-assignment POST", async (context) => {
      record(context, await scenarios.massAssignmentOnCreate());
    });
    for (const op of resource.update ?? []) {
      test.runIf(ctx.selected("isolation.mass-assignment"))(`isolation.mass-assignment ${op.method}`, async (context) => {
        record(context, await scenarios.massAssignmentOnUpdate(op));
      });
    }
    const writes = [...(resource.update ?? []), ...(resource.remove ? [resource.remove] : [])];
    for (const op of writes) {
      test.runIf(ctx.selected("isolation.write-foreign"))(`isolation.write-foreign ${op.method}`, async (context) => {
        record(context, await scenarios.writeForeign(op), { [MATRIX_KEY]: scenarios.cells.splice(0) });
      });
    }
  });
}

describe.runIf(ctx.selected("isolation.path-user"))("isolation.path-user", () => {
  for (const op of userPathOperations(model.operations, model.resources)) {
    test(`${op.method} ${op.path}`, async (context) => {
      record(context, await pathUserCheck(ctx, op, model.resources));
    });
  }
});
