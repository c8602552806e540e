import { readFileSync } from "node:fs";

const cache = new Map<string, readonly string[]>();

/** Lines of a bundled list under `data/`: `# ` starts a comment line, blank lines are skipped, duplicates dropped. */
function loadList(file: string): readonly string[] {
  const cached = cache.get(file);
  if (cached) return cached;
  const text = readFileSync(new URL(`./${file}`, import.meta.url), "utf8");
  const entries = [
    ...new Set(
      text
        .split("\n")
        .map((line) => line.replace(/\r$/, ""))
        .filter((line) => line !== "" && !line.startsWith("# ")),
    ),
  ];
  cache.set(file, entries);
  return entries;
}

/**
 * Literal bearer values that development shortcuts leave behind (`dev`, `test`, `null`, …).
 * @example magicValues().includes("dev") // true
 */
export function magicValues(): readonly string[] {
  return loadList("magic-values.txt");
}

/**
 * Common, default and tutorial JWT secrets (`secret`, `your-256-bit-secret`, …).
 * @example commonSecrets().includes("secret") // true
 */
export function commonSecrets(): readonly string[] {
  return loadList("common-secrets.txt");
}

/**
 * Words secrets are built of (tech vocabulary first, then common English), lower case.
 * @example commonWords().includes("secret") // true
 */
export function commonWords(): readonly string[] {
  return loadList("common-words.txt");
}
