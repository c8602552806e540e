import { isLoopbackHost } from "./loopback.ts";

/** How fast an audit may send: what the driver is built with, and the line the report shows. */
export interface PacePlan {
  /** Requests per second across the audit; 0 = no rate limit. */
  rps: number;
  /** Requests in flight at once (the ceiling when adaptive). */
  concurrency: number;
  /** Concurrency follows the target's latency and refusals (`--rps auto`). */
  adaptive: boolean;
  /** e.g. "loopback default: no rate limit, up to 32 in flight". */
  label: string;
}

/** Loopback targets go as fast as they answer, up to this many requests in flight. */
export const LOOPBACK_CONCURRENCY = 32;
/** Ceiling of `--rps auto`. */
export const AUTO_MAX_CONCURRENCY = 32;
/** In flight under a fixed `--rps N` unless `--concurrency` says otherwise. */
export const FIXED_RATE_CONCURRENCY = 8;

/**
 * The pace of an audit. `--rps N` is a hard ceiling (staging); `--rps auto` adapts; without either, a target
 * whose every origin is on loopback is driven unthrottled (up to 32 in flight), and any other target adapts.
 */
export function planPace(rate: { rps?: number | "auto"; concurrency?: number }, origins: readonly string[]): PacePlan {
  if (typeof rate.rps === "number") {
    const concurrency = rate.concurrency ?? FIXED_RATE_CONCURRENCY;
    return { rps: rate.rps, concurrency, adaptive: false, label: `${rate.rps === 0 ? "no rate limit" : `at most ${rate.rps} requests/s`}, up to ${concurrency} in flight` };
  }
  const loopback = origins.length > 0 && origins.every((origin) => isLoopbackHost(new URL(origin).hostname));
  if (rate.rps === undefined && loopback) {
    const concurrency = rate.concurrency ?? LOOPBACK_CONCURRENCY;
    return { rps: 0, concurrency, adaptive: false, label: `loopback default: no rate limit, up to ${concurrency} in flight` };
  }
  const concurrency = rate.concurrency ?? AUTO_MAX_CONCURRENCY;
  return { rps: 0, concurrency, adaptive: true, label: `auto: in flight grown while latency stays flat, halved on 429, 5xx spikes or slowdowns (up to ${concurrency})` };
}

/** The driver options of a plan. */
export function pacedBy(plan: PacePlan): { rps: number; concurrency: number; adaptive: boolean } {
  return { rps: plan.rps, concurrency: plan.concurrency, adaptive: plan.adaptive };
}
