import fc from "fast-check";
import type { Edit, SignatureSpec, TokenSpec, Who } from "../token-spec.ts";
import { claimEditsArb, extraClaimsArb, type ClaimsArbOptions } from "./claims.ts";
import { extraHeaderFieldsArb, headerEditsArb } from "./header.ts";
import { byteMutationsArb, type ByteMutation } from "./mutation.ts";

export interface TokenArbOptions extends ClaimsArbOptions {
  /** Whether the harness holds a key the target trusts (otherwise "oracle" signatures are never generated). */
  hasOracle: boolean;
}

const whoArb = fc.constantFrom<Who>("A", "B");

/** Signatures no trusted key made: none, arbitrary bytes, an attacker's HMAC secret or Ed25519 key, a real token's signature over other bytes. */
export const untrustedSignatureArb: fc.Arbitrary<SignatureSpec> = fc.oneof(
  fc.constant<SignatureSpec>({ kind: "empty" }),
  fc.constant<SignatureSpec>({ kind: "original" }),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 96 }).map((bytes): SignatureSpec => ({ kind: "bytes", bytes })),
  fc
    .tuple(fc.constantFrom("HS256" as const, "HS384" as const, "HS512" as const), fc.string({ maxLength: 16 }))
    .map(([alg, key]): SignatureSpec => ({ kind: "hmac", alg, key })),
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 32, maxLength: 32 }).map((seed): SignatureSpec => ({ kind: "ed25519", seed })),
);

/** A trusted signature when there is an oracle, else any. */
function signatureArb(opts: TokenArbOptions): fc.Arbitrary<SignatureSpec> {
  if (!opts.hasOracle) return untrustedSignatureArb;
  return fc.oneof({ weight: 3, arbitrary: fc.constant<SignatureSpec>({ kind: "oracle" }) }, { weight: 2, arbitrary: untrustedSignatureArb });
}

/**
 * Tokens built to break the acceptance model for many reasons at once or one at a time: header edits (alg,
 * kid, crit, reserved parameters), claim edits (types, ranges, unicode, nesting, duplicates; signed by the
 * oracle when there is one), untrusted signatures, and byte mutations of a validly signed token. Generic:
 * nothing here targets one flaw; the acceptance model decides which of them must be rejected.
 */
export function rejectionSpecArb(opts: TokenArbOptions): fc.Arbitrary<TokenSpec> {
  const trusted = fc.constant<SignatureSpec>(opts.hasOracle ? { kind: "oracle" } : { kind: "original" });
  const header = fc.record({
    base: whoArb,
    header: headerEditsArb,
    claims: extraClaimsArb(opts, 2),
    signature: signatureArb(opts),
    mutations: fc.constant<ByteMutation[]>([]),
  });
  const claims = fc.record({
    base: whoArb,
    header: fc.constant<Edit[]>([]),
    claims: claimEditsArb(opts),
    signature: opts.hasOracle ? trusted : signatureArb(opts),
    mutations: fc.constant<ByteMutation[]>([]),
  });
  const signature = fc.record({
    base: whoArb,
    header: fc.constant<Edit[]>([]),
    claims: extraClaimsArb(opts, 2),
    signature: untrustedSignatureArb,
    mutations: fc.constant<ByteMutation[]>([]),
  });
  const bytes = fc.record({ base: whoArb, header: fc.constant<Edit[]>([]), claims: fc.constant<Edit[]>([]), signature: trusted, mutations: byteMutationsArb });
  // Claims carry the most causes when there is an oracle; without one every claim edit is also a bad signature.
  return fc.oneof(
    { weight: 2, arbitrary: header },
    { weight: opts.hasOracle ? 3 : 1, arbitrary: claims },
    { weight: 1, arbitrary: signature },
    { weight: 1, arbitrary: bytes },
  );
}

/** Tokens the target must accept: a user's real header and claims, fresh times, arbitrary extra claims and header fields, the trusted key. */
export function acceptanceSpecArb(opts: TokenArbOptions): fc.Arbitrary<TokenSpec> {
  return fc.record({
    base: whoArb,
    header: extraHeaderFieldsArb(3),
    claims: extraClaimsArb(opts, 5),
    signature: fc.constant<SignatureSpec>({ kind: "oracle" }),
    mutations: fc.constant<ByteMutation[]>([]),
  });
}
