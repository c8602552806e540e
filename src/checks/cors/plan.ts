import type { CorsTarget } from "./judge.ts";
import { deriveOriginClasses, type OriginClass } from "./origins.ts";
import { withoutAllowed, type CorsProbePlan } from "./probe.ts";

export interface CorsPlanInput {
  /** cors.allowedOrigins from the config (may be empty). */
  allowedOrigins: string[];
  /** The Better Auth origin: the frontend origin when nothing is configured (the API's own without Better Auth). */
  authOrigin: string;
  /** The URL probed on the API: an authenticated read route where there is one. */
  apiUrl: string;
  /** The URL probed on Better Auth: get-session (none when the audit runs without Better Auth). */
  authUrl?: string;
  cookie: string;
  attackerLabel?: string;
}

/** A target with its plan, ready for runCorsProbes and judgeCors. */
export interface CorsTargetPlan {
  target: CorsTarget;
  plan: CorsProbePlan;
}

/**
 * Plans the CORS probes for the API and for Better Auth: origin classes derived from every allowed origin
 * (the frontend's; the auth origin when none is configured), minus origins that are themselves allowed.
 */
export function planCors(input: CorsPlanInput): CorsTargetPlan[] {
  const configured = input.allowedOrigins.length > 0;
  const allowed = configured ? input.allowedOrigins : [input.authOrigin];
  const classes = withoutAllowed(mergeClasses(allowed.map((origin) => deriveOriginClasses(origin, input.attackerLabel))), allowed);
  const targets: Array<[string, string]> = [["the API", input.apiUrl], ...(input.authUrl ? [["Better Auth", input.authUrl] as [string, string]] : [])];
  return targets.map(([name, url]) => {
    const own = new URL(url).origin;
    const crossOriginAllowed = allowed.filter((origin) => origin !== own);
    const path = new URL(url).pathname;
    return {
      target: { name, endpoint: { method: "GET", path, url }, crossOriginAllowed, configured },
      plan: { url, classes, allowedOrigins: crossOriginAllowed, cookie: input.cookie },
    };
  });
}

/** Merges the classes derived from several allowed origins: origins joined, not applicable only if nowhere applicable. */
export function mergeClasses(sets: OriginClass[][]): OriginClass[] {
  const [first, ...rest] = sets;
  if (!first) return [];
  return first.map((cls) => {
    const same = [cls, ...rest.map((set) => set.find((c) => c.classId === cls.classId)).filter((c): c is OriginClass => c !== undefined)];
    const origins = [...new Set(same.flatMap((c) => c.origins))];
    const merged: OriginClass = { ...cls, origins };
    delete merged.notApplicable;
    if (origins.length === 0) merged.notApplicable = same.find((c) => c.notApplicable)?.notApplicable ?? "no origin of this class applies";
    return merged;
  });
}
