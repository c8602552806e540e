import { getCheck, matchesSelector, type CheckId } from "../catalogue/checks.ts";
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
