import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { CHECKS } from "../src/catalogue/checks.ts";
import { FAMILIES, RECORDS } from "../src/checks/registry.ts";
import { suiteFileOf } from "../src/run/run-suites.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

describe("the check registry", () => {
  const implemented = FAMILIES.flatMap((family) => family.checks.map((check) => check.id));

  test("every catalogue id has exactly one implementation", () => {
    for (const { id } of CHECKS) expect(implemented.filter((i) => i === id), id).toHaveLength(1);
  });

  test("every implementation is a catalogue entry", () => {
    const catalogue = new Set<string>(CHECKS.map((check) => check.id));
    expect(implemented.filter((id) => !catalogue.has(id))).toEqual([]);
    expect(RECORDS.size).toBe(CHECKS.length);
  });

  test("each family lives in its own folder, named by its checks' category, and has its suite file", () => {
    for (const family of FAMILIES) {
      expect(existsSync(path.join(REPO_ROOT, "src", "checks", family.name, "index.ts")), family.name).toBe(true);
      expect(existsSync(path.join(REPO_ROOT, suiteFileOf(family.name))), family.name).toBe(true);
      const categories = new Set(family.checks.map((check) => CHECKS.find((c) => c.id === check.id)!.category));
      // The cookie family also records the browser's view of cookies; every other family is one category.
      expect([...categories], family.name).toEqual([family.name]);
    }
  });
});
