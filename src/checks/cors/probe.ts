import type { Exchange, HttpRequest } from "../../http/types.ts";
import type { CorsProbe, CorsRequestKind } from "./judge.ts";
import type { OriginClass } from "./origins.ts";

/** What the CORS probes need from an HTTP driver (src/http's HttpDriver fits). */
export interface CorsDriver {
  send(req: HttpRequest): Promise<Exchange>;
}

export interface CorsProbePlan {
  /** The URL every request goes to (an authenticated route, so the CORS answer is the one that matters). */
  url: string;
  classes: OriginClass[];
  /** Allowed origins that are cross-origin to the URL: each is sent too, as the positive control. */
  allowedOrigins: string[];
  /** Cookie header for the cookie-bearing simple request (a real session cookie where there is one). */
  cookie: string;
}

const KINDS: CorsRequestKind[] = ["simple", "simple+cookie", "preflight"];

/** The request for one origin and request kind. */
export function corsRequest(url: string, origin: string, kind: CorsRequestKind, cookie: string): HttpRequest {
  if (kind === "preflight")
    return {
      method: "OPTIONS",
      url,
      headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    };
  return { method: "GET", url, headers: kind === "simple+cookie" ? { origin, cookie } : { origin } };
}

/** Sends every origin of every class (and the allowed origins) in each request kind; never throws. */
export async function runCorsProbes(driver: CorsDriver, plan: CorsProbePlan): Promise<CorsProbe[]> {
  const jobs: Array<{ classId: string; origin: string; kind: CorsRequestKind }> = [];
  for (const origin of plan.allowedOrigins) for (const kind of KINDS) jobs.push({ classId: "allowed", origin, kind });
  for (const cls of plan.classes)
    for (const origin of cls.origins) for (const kind of KINDS) jobs.push({ classId: cls.classId, origin, kind });
  return Promise.all(
    jobs.map(async (job) => ({ ...job, exchange: await driver.send(corsRequest(plan.url, job.origin, job.kind, plan.cookie)) })),
  );
}

/** The origin classes with every origin that is itself on the allowed list removed (those are meant to pass). */
export function withoutAllowed(classes: OriginClass[], allowed: string[]): OriginClass[] {
  return classes.map((cls) => ({ ...cls, origins: cls.origins.filter((origin) => !allowed.includes(origin)) }));
}
