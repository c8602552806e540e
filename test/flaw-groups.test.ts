import { describe, expect, test } from "vitest";
import flawRegistry from "../reference-app/flaws.json" with { type: "json" };
import { flawGroups, type RegistryFlaw } from "./helpers/flaw-groups.ts";

// The flaw matrix shares one app between flaws only when no family's failures could come from two of them.

const flaws = flawRegistry.flaws as RegistryFlaw[];
const families = (flaw: RegistryFlaw) => new Set(flaw.checks.map((id) => id.split(".")[0]!));

describe("flawGroups", () => {
  test("every flaw is in exactly one group", () => {
    expect(flawGroups(flaws).flatMap((group) => group.flaws.map((flaw) => flaw.name)).sort()).toEqual(flaws.map((flaw) => flaw.name).sort());
  });

  test("a group's flaws share a mode and no check family; a flaw needing extra flags is alone", () => {
    for (const group of flawGroups(flaws)) {
      const seen = new Set<string>();
      for (const flaw of group.flaws) {
        expect(flaw.modes[0], flaw.name).toBe(group.mode);
        for (const family of families(flaw)) {
          expect(seen.has(family), `${flaw.name}: ${family} is already in the group`).toBe(false);
          seen.add(family);
        }
      }
      expect([...seen].sort()).toEqual([...group.families].sort());
      if (group.flaws.some((flaw) => flaw.args)) expect(group.flaws).toHaveLength(1);
    }
  });

  test("flaws of one family go to different groups, a flaw of another mode to its own, a flaw with extra flags alone", () => {
    const flaw = (name: string, mode: string, checks: string[], args?: string[]): RegistryFlaw => ({ name, modes: [mode], checks, ...(args ? { args } : {}) });
    const groups = flawGroups([
      flaw("a", "jwks", ["token.alg-none"]),
      flaw("b", "jwks", ["token.kid-injection"]),
      flaw("c", "jwks", ["claims.iss"]),
      flaw("d", "session", ["session.cookie-signature"]),
      flaw("e", "jwks", ["isolation.read-foreign"], ["--allow-destructive"]),
    ]);
    expect(groups.map((group) => group.flaws.map((f) => f.name))).toEqual([["a", "c"], ["b"], ["d"], ["e"]]);
  });
});
