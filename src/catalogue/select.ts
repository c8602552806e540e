import { CATEGORIES } from "./types.ts";
import { CHECKS, type CheckDef } from "./checks.ts";

/** Whether a check id, a category name or an id prefix (`token.alg`) selects the check. */
export function matchesSelector(check: CheckDef, selector: string): boolean {
  return check.id === selector || check.category === selector || check.id.startsWith(`${selector}.`);
}

/**
 * The selectors of `--only` / `--skip` that select no check, each with the closest id or category to suggest.
 * @example unknownSelectors(["token.nonexistent"]) // [{ selector: "token.nonexistent", suggestion: "token.serialization" }]
 */
export function unknownSelectors(selectors: readonly string[]): Array<{ selector: string; suggestion?: string }> {
  return selectors
    .filter((selector) => !CHECKS.some((check) => matchesSelector(check, selector)))
    .map((selector) => {
      // Within a known category every id is a fair suggestion; elsewhere only a near miss is.
      const category = CATEGORIES.find((c) => selector.startsWith(`${c}.`));
      const suggestion = category
        ? closest(selector, CHECKS.filter((c) => c.category === category).map((c) => c.id), Number.POSITIVE_INFINITY)
        : closest(selector, [...CHECKS.map((c) => c.id), ...CATEGORIES]);
      return suggestion ? { selector, suggestion } : { selector };
    });
}

/** The candidate nearest to `word` by edit distance, if it is near enough to be a plausible typo. */
export function closest(word: string, candidates: readonly string[], maxDistance = Math.max(2, Math.floor(word.length / 2))): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= maxDistance ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
