import type { Signer } from "../../forge/index.ts";
import type { AttackerKeys } from "../../forge/attacker-keys.ts";
import type { CheckId } from "../../catalogue/checks.ts";
import type { Severity } from "../../catalogue/types.ts";
import type { Impact, Needs } from "../types.ts";
import type { Candidate } from "../../model/target.ts";

export type { AttackerKeys } from "../../forge/attacker-keys.ts";

/** One request to send and what a correct target answers. */
export interface Attack {
  checkId: CheckId; // catalogue id, e.g. "token.alg-none"
  variant: string; // short label, unique within the check, e.g. "alg=nOnE signature=empty"
  authorization: string | string[] | null; // header value(s); null = no Authorization header; array = that many headers
  query?: Record<string, string>;
  url?: string; // another URL than the probe's (the victim's own path, say)
  headers?: Record<string, string>; // extra headers (e.g. X-User-Id)
  // accept: must get 2xx as `identity`; as-victim: must get what the victim's own token gets on that request
  expect: "reject" | "accept" | "as-victim";
  identity?: string; // expected identity when expect = accept
  token?: { header: unknown; claims: unknown }; // decoded, for evidence
  impact?: Impact; // what acceptance of this variant means; the check's default when absent
  severity?: Severity; // for a claims variant: its severity when accepted (default: the check's catalogue severity)
  /**
   * The value has the invalid control's shape (an opaque bearer string, not a JWT): a 403 where that control gets
   * 401 means it got past the token check and the route refused the identity it stands for (a backdoor user who
   * does not own the path), so it counts as accepted.
   */
  likeInvalidControl?: boolean;
  note?: string;
}

/** What the generators know about the target and the harness. */
export interface AttackContext {
  realToken: string; // valid token of the test user, issued by the target
  realClaims: Record<string, unknown>; // decoded claims of realToken
  victim?: { id: string; token: string }; // a second real user (tampering target / identity override)
  publicJwks: JsonWebKey[]; // target's public keys (jwks mode; [] otherwise)
  signer?: Signer; // signing oracle; undefined = black box
  expected: { issuer?: string; audience?: string; identityClaim: string; leewaySec: number; requireKnownSubject?: boolean };
  listener?: { jkuUrl: string; x5uUrl: string }; // attacker listener
  attackerKeys: AttackerKeys;
  nowSec: number; // injected clock (deterministic tests)
  /** Backdoor tokens and secrets mined from the target's material (token.magic-value, token.guessable-secret). */
  candidates?: readonly Candidate[];
}

/** The operation an attack check runs on, as far as a generator needs it: the victim's own URL for it. */
export interface ProbeView {
  /** The probe's request URL with the victim's (user B's) user id and own object in its path, when it has a user path parameter. */
  victimUrl?: string;
}

export type AttackGenerator = (ctx: AttackContext, probe?: ProbeView) => Promise<Attack[]>;

/** How an attack check is sent and judged; everything the runner needs to know about it. */
export interface AttackCheckSpec {
  id: CheckId;
  needs?: Needs;
  /**
   * `dictionary`: hundreds of variants whose acceptance does not depend on the route; the whole list goes to
   * the first read operation and its head (the most common values) to every other operation.
   */
  budget?: "dictionary";
  /** A 5xx fails this check itself (its expectation says "never 5xx"); otherwise hygiene.error-leak reports it. */
  crashIsFailure?: boolean;
  /** What acceptance of a variant means unless the variant says otherwise (forgery for token checks, claims for claims checks). */
  impact?: Impact;
  generate: AttackGenerator;
}

