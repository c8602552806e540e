import { describe, inject, test } from "vitest";
import { auditInBrowser, BROWSER_CHECKS } from "../src/checks/browser/audit.ts";
import { record } from "../src/run/record.ts";
import { selectedIn } from "../src/run/selection.ts";
import { makeTestUser } from "../src/target/identities.ts";

const model = inject("authproofModel");
const selected = selectedIn(model);
const checks = BROWSER_CHECKS.filter((id) => selected(id));

describe.runIf(checks.length > 0)("in a real browser (UI sign-up and sign-in)", () => {
  let run: ReturnType<typeof auditInBrowser> | undefined;
  const outcomes = () => (run ??= auditInBrowser(model, makeTestUser(model.seed, 7)));
  for (const checkId of checks) {
    test(checkId, async (context) => {
      const outcome = (await outcomes()).get(checkId);
      if (!outcome) throw new Error(`no browser verdict for ${checkId}`);
      record(context, outcome);
    });
  }
});
