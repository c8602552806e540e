import { CHECKS } from "../catalogue/checks.ts";
import { CATEGORIES } from "../catalogue/types.ts";
import { closest } from "../catalogue/select.ts";
import { RECORDS } from "../checks/registry.ts";
import type { Needs } from "../checks/types.ts";
import { UsageError } from "./errors.ts";

const NEED_LABELS: Record<keyof Needs, string> = {
  oracle: "signing key",
  publicKeys: "public keys (JWKS)",
  listener: "loopback listener",
  betterAuth: "Better Auth",
  jwt: "a JWT backend (not session mode)",
};

/** What a check needs before it can run, from its implementation record (src/checks/registry.ts). */
export function needsOf(id: string): string[] {
  const needs = RECORDS.get(id as never)?.needs ?? {};
  return (Object.keys(NEED_LABELS) as Array<keyof Needs>).filter((k) => needs[k]).map((k) => NEED_LABELS[k]);
}

/** `authproof checks`: the catalogue as a table (or JSON): id, severity, needs, references. */
export function listChecks(options: { json?: boolean; category?: string }): number {
  if (options.category && !CATEGORIES.includes(options.category as never)) {
    const hint = closest(options.category, CATEGORIES);
    throw new UsageError(`--category: no category "${options.category}"${hint ? ` (did you mean ${hint}?)` : ""}; categories: ${CATEGORIES.join(", ")}`);
  }
  const checks = CHECKS.filter((c) => !options.category || c.category === options.category);
  if (options.json) {
    console.log(JSON.stringify(checks.map((c) => ({ id: c.id, title: c.title, category: c.category, severity: c.severity, needs: needsOf(c.id), refs: c.refs })), null, 2));
    return 0;
  }
  const rows = checks.map((c) => [c.id, c.severity, needsOf(c.id).join(", ") || "-", c.refs.join(", ")]);
  const head = ["id", "severity", "needs", "references"];
  const widths = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ");
  console.log(line(head));
  for (const row of rows) console.log(line(row));
  console.log(`\n${checks.length} checks. Select with --only / --skip (ids, categories or id prefixes such as token.alg).`);
  return 0;
}
