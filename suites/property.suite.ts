import { afterAll, inject, test } from "vitest";
import { createAuditContext } from "../src/run/context.ts";
import { record } from "../src/run/record.ts";
import { PROPERTIES } from "../src/checks/property/index.ts";

const model = inject("authproofModel");
const ctx = await createAuditContext(model);
afterAll(() => ctx.close());

for (const [checkId, run] of PROPERTIES) {
  test.runIf(ctx.selected(checkId))(checkId, async (context) => {
    record(context, await run(ctx));
  });
}
