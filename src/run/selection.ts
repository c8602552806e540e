import { getCheck, type CheckId } from "../catalogue/checks.ts";
import { matchesSelector, unknownSelectors } from "../catalogue/select.ts";
import { AuthproofError } from "../errors.ts";
import type { AuthproofConfig } from "../config/schema.ts";
import type { TargetModel } from "../model/target.ts";

/** A predicate telling whether --only / --skip select a check id for this run. */
export function selectedIn(model: Pick<TargetModel, "config">): (checkId: CheckId) => boolean {
  const { only, skip } = model.config.run;
  return (checkId) => {
    const check = getCheck(checkId);
    if (only.length > 0 && !only.some((selector) => matchesSelector(check, selector))) return false;
    return !skip.some((selector) => matchesSelector(check, selector));
  };
}

/** Refuses `--only` / `--skip` entries that select nothing (a typo must not turn into an empty, passing run). */
export function assertKnownSelectors(config: Pick<AuthproofConfig, "run">): void {
  for (const [flag, selectors] of [["--only", config.run.only], ["--skip", config.run.skip]] as const) {
    const [unknown] = unknownSelectors(selectors);
    if (!unknown) continue;
    const hint = unknown.suggestion ? ` (did you mean ${unknown.suggestion}?)` : "; `authproof checks` lists them";
    throw new AuthproofError("USAGE", `${flag}: no check or category is called "${unknown.selector}"${hint}`);
  }
}
