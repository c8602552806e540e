import { readFileSync } from "node:fs";
import { ReferenceAppError } from "./errors.ts";
import { flawsFile } from "./paths.ts";

export type ReferenceMode = "jwks" | "shared-secret" | "session";
export type FlawSide = "backend" | "frontend" | "launcher";

/** One seeded vulnerability of the reference app, as listed in reference-app/flaws.json. */
export interface Flaw {
  name: string;
  side: FlawSide;
  modes: ReferenceMode[];
  checks: string[];
  description: string;
}

let cache: Flaw[] | undefined;

/** Every seeded flaw of the reference app (reference-app/flaws.json). */
export function loadFlaws(): Flaw[] {
  cache ??= (JSON.parse(readFileSync(flawsFile, "utf8")) as { flaws: Flaw[] }).flaws;
  return cache;
}

/**
 * Checks flaw names against the registry and the mode. Throws UNKNOWN_FLAW (naming it and listing the
 * known names) or FLAW_NOT_APPLICABLE; returns the flaws, de-duplicated, in the order given.
 */
export function resolveFlaws(names: readonly string[], mode: ReferenceMode): Flaw[] {
  const known = loadFlaws();
  const result: Flaw[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!name || result.some((f) => f.name === name)) continue;
    const flaw = known.find((f) => f.name === name);
    if (!flaw) {
      throw new ReferenceAppError(
        "UNKNOWN_FLAW",
        `Unknown reference flaw "${name}". Known flaws: ${known.map((f) => f.name).join(", ")}`,
      );
    }
    if (!flaw.modes.includes(mode)) {
      throw new ReferenceAppError(
        "FLAW_NOT_APPLICABLE",
        `Reference flaw "${name}" does not apply in ${mode} mode (only in: ${flaw.modes.join(", ")})`,
      );
    }
    result.push(flaw);
  }
  return result;
}

/** Splits a comma-separated flaw list (e.g. the REFERENCE_FLAWS variable). */
export function parseFlawList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
