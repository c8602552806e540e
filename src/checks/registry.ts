import type { CheckId } from "../catalogue/checks.ts";
import { authorization } from "./authorization/index.ts";
import { browser } from "./browser/index.ts";
import { claims } from "./claims/index.ts";
import { cookie } from "./cookie/index.ts";
import { cors } from "./cors/index.ts";
import { csrf } from "./csrf/index.ts";
import { hygiene } from "./hygiene/index.ts";
import { isolation } from "./isolation/index.ts";
import { property } from "./property/index.ts";
import { secret } from "./secret/index.ts";
import { session } from "./session/index.ts";
import { token } from "./token/index.ts";
import { transport } from "./transport/index.ts";
import type { CheckRecord, Family } from "./types.ts";

/**
 * The check families in the order their suites run: read-only families first, hygiene after every family
 * that sends attacks (it judges them all), then the families that change the target's state (isolation,
 * authorization, session), cors, csrf and the properties; the two that read the browser session last, so its
 * Playwright Test run (started when the audit begins, src/run/warm-up.ts) has the others' time to finish.
 */
export const FAMILIES: readonly Family[] = [transport, token, claims, hygiene, secret, isolation, authorization, session, cors, csrf, property, cookie, browser];

/** Every check implementation, keyed by catalogue id (a test asserts one per catalogue entry). */
export const RECORDS: ReadonlyMap<CheckId, CheckRecord> = new Map(FAMILIES.flatMap((family) => family.checks.map((check) => [check.id, check] as const)));

/** The family a check belongs to. */
export function familyOf(checkId: CheckId): Family | undefined {
  return FAMILIES.find((family) => family.checks.some((check) => check.id === checkId));
}
