import fc from "fast-check";
import { RESERVED_HEADER } from "../acceptance-model.ts";
import type { Edit, Sym } from "../token-spec.ts";
import { jsonValueArb } from "./claims.ts";

const literal = (value: unknown): Sym => ({ kind: "literal", value });

/** Every JWS algorithm name a verifier might know, plus near-misses. */
const ALG_NAMES = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519", "none ", " none", "none\t"];

/**
 * Values for `alg`: `none` in every casing, other algorithm names, the empty string, non-strings, arbitrary text.
 */
export const algValueArb: fc.Arbitrary<Sym> = fc.oneof(
  fc.mixedCase(fc.constant("none")).map(literal),
  fc.constantFrom(...ALG_NAMES).map(literal),
  fc.constantFrom<unknown>("", null, 0, true, ["none"], { alg: "none" }).map(literal),
  fc.string({ unit: "binary", maxLength: 10 }).map(literal),
);

/** Values for `kid`: arbitrary text (paths, unicode), non-strings, very long strings. */
export const kidValueArb: fc.Arbitrary<Sym> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }).map(literal),
  fc.constantFrom<unknown>("../../../../dev/null", "/dev/null", "x' UNION SELECT '1';--", "0".repeat(300), null, 1, [], {}).map(literal),
  jsonValueArb.map(literal),
);

/** Names of extra header fields that no verifier should act on: arbitrary names, never a reserved parameter. */
export const extraHeaderNameArb: fc.Arbitrary<string> = fc
  .oneof(fc.constantFrom("x-request", "ver", "iss", "sub", "purpose", "kid2"), fc.string({ unit: "binary", minLength: 1, maxLength: 12 }))
  .filter((name) => !RESERVED_HEADER.has(name) && name !== "__proto__");

/** Arbitrary extra header fields (set edits), at most `max`. */
export function extraHeaderFieldsArb(max = 3): fc.Arbitrary<Edit[]> {
  return fc.array(fc.record({ op: fc.constant("set" as const), name: extraHeaderNameArb, value: jsonValueArb.map(literal) }), { maxLength: max });
}

/**
 * One edit of a JOSE header: `alg` replaced, removed or repeated; `kid` replaced or removed; `crit` or another
 * reserved parameter (jku, jwk, x5u, typ, b64, …) set to an arbitrary value; or an arbitrary extra field.
 */
export const headerEditArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: algValueArb.map((value): Edit => ({ op: "set", name: "alg", value })) },
  { weight: 1, arbitrary: fc.constant<Edit>({ op: "delete", name: "alg" }) },
  { weight: 1, arbitrary: algValueArb.map((value): Edit => ({ op: "duplicate", name: "alg", value })) },
  { weight: 1, arbitrary: kidValueArb.map((value): Edit => ({ op: "set", name: "kid", value })) },
  { weight: 1, arbitrary: fc.constant<Edit>({ op: "delete", name: "kid" }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...[...RESERVED_HEADER].filter((name) => name !== "alg" && name !== "kid")), jsonValueArb)
      .map(([name, value]): Edit => ({ op: "set", name, value: literal(value) })),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("set" as const), name: extraHeaderNameArb, value: jsonValueArb.map(literal) }) },
);

/** One to three header edits. */
export const headerEditsArb: fc.Arbitrary<Edit[]> = fc.array(headerEditArb, { minLength: 1, maxLength: 3 });
