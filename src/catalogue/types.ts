export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = [
  "transport",
  "token",
  "claims",
  "secret",
  "isolation",
  "authorization",
  "session",
  "cors",
  "cookie",
  "browser",
  "csrf",
  "hygiene",
  "property",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** A catalogue entry as written (its id is typed as the literal `CheckId` in checks.ts). */
export interface CatalogueEntry {
  /** Stable id; reports, CI filters and baselines key on it. Never rename. */
  readonly id: string;
  title: string;
  category: Category;
  severity: Severity;
  /** What the harness sends. */
  sends: string;
  /** What a correct target answers. */
  expects: string;
  /** Why a failure matters. */
  why: string;
  /** How to fix a failure. */
  fix: string;
  /** RFC 8725 §, RFC 6750 §, ASVS 5.0, CWE, OWASP API 2023, CVE. */
  refs: readonly string[];
}

/** Rank for comparing severities: higher is worse. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(severity);
}
