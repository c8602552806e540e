import fc from "fast-check";
import { REGISTERED_CLAIMS } from "../acceptance-model.ts";
import type { Edit, StringEdit, Sym, Who } from "../token-spec.ts";

/** What the claim arbitraries need to know about the target. */
export interface ClaimsArbOptions {
  identityClaim: string;
  leewaySec: number;
  /** Distance from the validity boundary that generated times keep (the model's margin). */
  marginSec: number;
}

const TEN_YEARS = 10 * 365 * 86_400;
const STRING_EDITS: StringEdit[] = ["prefix", "superstring", "upper", "padded", "in-array"];

/** Names an app might wrongly read an identity or a privilege from. */
const CONFUSABLE_NAMES = ["user_id", "userId", "uid", "id", "role", "roles", "admin", "scope", "email", "tenant", "impersonate", "act"];

const literal = (value: unknown): Sym => ({ kind: "literal", value });

/** Any JSON value: every type, unicode strings (no lone surrogates), nesting up to 3 levels. */
export const jsonValueArb: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3, depthSize: "small", stringUnit: "binary" });

/** Numbers at the edges of what parsers handle: huge, negative, fractional, beyond 2^53. */
export const edgeNumberArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, 1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e300, -1e300, Number.MIN_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A NumericDate offset from now, well outside the validity window: in the past (expired) or in the future (not yet valid). */
export function timeOutsideArb(opts: ClaimsArbOptions, side: "past" | "future"): fc.Arbitrary<Sym> {
  const edge = opts.leewaySec + opts.marginSec + 1;
  return fc.integer({ min: 0, max: TEN_YEARS }).map((k): Sym => ({ kind: "time", offset: side === "past" ? -(edge + k) : edge + k }));
}

/** A value of the wrong type or shape for a claim (strings, numbers, null, arrays, objects, unicode). */
export const wrongValueArb: fc.Arbitrary<Sym> = fc.oneof(
  fc.constantFrom<unknown>(null, "", " ", "null", "undefined", "0", "never", true, false, [], {}).map(literal),
  edgeNumberArb.map(literal),
  jsonValueArb.map(literal),
);

/** A value derived from the target's own strings, bent (prefix, superstring, case, padding, array). */
function bentArb(kind: "issuer" | "audience" | "user", who?: fc.Arbitrary<Who>): fc.Arbitrary<Sym> {
  const edit = fc.constantFrom(...STRING_EDITS);
  if (kind === "user") return fc.tuple(who ?? fc.constantFrom<Who>("A", "B"), edit).map(([w, e]): Sym => ({ kind: "user", who: w, edit: e }));
  return edit.map((e): Sym => ({ kind, edit: e }));
}

/** Candidate values for one registered claim, most of them invalid for it (generically: wrong time side, type, string). */
export function registeredValueArb(name: string, opts: ClaimsArbOptions): fc.Arbitrary<Sym> {
  const strings = fc.oneof(fc.constantFrom("https://attacker.invalid", "*", "null").map(literal), fc.string({ unit: "binary", maxLength: 24 }).map(literal));
  if (name === "exp" || name === "nbf" || name === "iat") {
    const outside = timeOutsideArb(opts, name === "exp" ? "past" : "future");
    return fc.oneof({ weight: 3, arbitrary: outside }, { weight: 1, arbitrary: wrongValueArb });
  }
  if (name === "iss") return fc.oneof(bentArb("issuer"), bentArb("audience"), strings, wrongValueArb);
  if (name === "aud") return fc.oneof(bentArb("audience"), bentArb("issuer"), strings, wrongValueArb);
  if (name === opts.identityClaim) return fc.oneof(bentArb("user"), strings, wrongValueArb);
  return fc.oneof(strings, wrongValueArb);
}

/** Names of extra claims: arbitrary unicode names and confusable ones; never a registered claim or the identity claim. */
export function extraClaimNameArb(opts: ClaimsArbOptions): fc.Arbitrary<string> {
  return fc
    .oneof(fc.constantFrom(...CONFUSABLE_NAMES), fc.string({ unit: "binary", minLength: 1, maxLength: 12 }))
    .filter((name) => !REGISTERED_CLAIMS.has(name) && name !== opts.identityClaim && name !== "__proto__");
}

/** Values of extra claims: any JSON, or another user's id (an identity a confused app might pick up). */
export const extraValueArb: fc.Arbitrary<Sym> = fc.oneof(
  { weight: 3, arbitrary: jsonValueArb.map(literal) },
  { weight: 1, arbitrary: fc.constantFrom<Who>("A", "B").map((who): Sym => ({ kind: "user", who })) },
);

/** Arbitrary extra claims (set edits), at most `max`. */
export function extraClaimsArb(opts: ClaimsArbOptions, max = 4): fc.Arbitrary<Edit[]> {
  return fc.array(
    fc.record({ op: fc.constant("set" as const), name: extraClaimNameArb(opts), value: extraValueArb }),
    { maxLength: max },
  );
}

/** The registered claims a verifier must check (iat is left out: RFC 7519 makes no rule a verifier must enforce on it). */
function checkedClaims(opts: ClaimsArbOptions): string[] {
  return [...new Set(["exp", opts.identityClaim, "iss", "aud", "nbf"])];
}

/** One edit of a registered claim: set to a generated value, removed, or repeated with another value (a duplicate member). */
export function claimViolationArb(opts: ClaimsArbOptions): fc.Arbitrary<Edit> {
  return fc.constantFrom(...checkedClaims(opts)).chain((name) =>
    fc.oneof(
      { weight: 2, arbitrary: registeredValueArb(name, opts).map((value): Edit => ({ op: "set", name, value })) },
      { weight: 2, arbitrary: fc.constant<Edit>({ op: "delete", name }) },
      { weight: 1, arbitrary: registeredValueArb(name, opts).map((value): Edit => ({ op: "duplicate", name, value })) },
    ),
  );
}

/** One edit of a claim set: a registered claim changed (see claimViolationArb) or an extra claim. */
export function claimEditArb(opts: ClaimsArbOptions): fc.Arbitrary<Edit> {
  return fc.oneof(
    { weight: 4, arbitrary: claimViolationArb(opts) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("set" as const), name: extraClaimNameArb(opts), value: extraValueArb }) },
  );
}

/** Claim edits: mostly one registered claim changed among a few extra claims (one cause at a time), sometimes several changes. */
export function claimEditsArb(opts: ClaimsArbOptions): fc.Arbitrary<Edit[]> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(claimViolationArb(opts), extraClaimsArb(opts, 2)).map(([violation, extra]) => [violation, ...extra]) },
    { weight: 1, arbitrary: fc.array(claimEditArb(opts), { minLength: 1, maxLength: 4 }) },
  );
}
