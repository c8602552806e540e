/**
 * Seeded vulnerabilities (see ../../flaws.json, side "frontend"). Read from REFERENCE_FLAWS at
 * runtime on the server; every flaw is off unless named there. Never set this in a real deployment.
 */
export type FrontendFlaw =
  | "cookie-no-httponly"
  | "cookie-samesite-none"
  | "trust-any-origin"
  | "long-lived-token"
  | "token-in-storage"
  | "role-mass-assignment"
  | "guide-cookie-cache";

/** True when the named flaw is switched on in REFERENCE_FLAWS (comma-separated). */
export function flawEnabled(name: FrontendFlaw): boolean {
  const list = (process.env.REFERENCE_FLAWS ?? "").split(",").map((s) => s.trim());
  return list.includes(name);
}

/** Lifetime of the backend JWTs: 15 minutes, or 24 hours with the long-lived-token flaw. */
export function backendTokenLifetime(): { jose: string; seconds: number } {
  return flawEnabled("long-lived-token") ? { jose: "24h", seconds: 24 * 3600 } : { jose: "15m", seconds: 15 * 60 };
}
