/** A seeded flaw as reference-app/flaws.json lists it (the fields the flaw matrix reads). */
export interface RegistryFlaw {
  name: string;
  modes: string[];
  checks: string[];
  /** Extra CLI flags the flaw needs (a destructive route): such a flaw is audited alone. */
  args?: string[];
  /** The worst severity a check reports for this flaw, where it is not the catalogue's. */
  severity?: Record<string, string>;
}

export interface FlawGroup {
  mode: string;
  flaws: RegistryFlaw[];
  /** The check families the group's flaws touch, in first-seen order: the audit runs these only. */
  families: string[];
}

const familiesOf = (flaw: RegistryFlaw) => [...new Set(flaw.checks.map((id) => id.split(".")[0]!))];

/**
 * Packs flaws into groups that can share one reference app and one audit: the same mode (each flaw's first),
 * and no two flaws touching the same check family, so every family's failures have one possible cause. A flaw
 * that needs extra flags is a group of its own. Greedy, in registry order: the same registry gives the same groups.
 */
export function flawGroups(flaws: RegistryFlaw[]): FlawGroup[] {
  const groups: FlawGroup[] = [];
  for (const flaw of flaws) {
    const mode = flaw.modes[0]!;
    const families = familiesOf(flaw);
    const shared = flaw.args
      ? undefined
      : groups.find((group) => group.mode === mode && !group.flaws[0]!.args && families.every((family) => !group.families.includes(family)));
    if (shared) {
      shared.flaws.push(flaw);
      shared.families.push(...families);
    } else groups.push({ mode, flaws: [flaw], families });
  }
  return groups;
}
