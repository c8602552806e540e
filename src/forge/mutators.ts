import { toBase64url } from "./base64url.ts";
import { ForgeError } from "./errors.ts";
import { decodeToken, encodeSegment } from "./token.ts";

/*
 * Mutators take a compact JWS and change exactly one property of it; every other byte stays as it was
 * (the payload segment is never re-encoded unless the mutator is about the claims).
 */

const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function signatureBytes(token: string): { prefix: string; bytes: Uint8Array } {
  const { signingInput, signature } = decodeToken(token);
  const bytes = new Uint8Array(Buffer.from(signature, "base64url"));
  if (bytes.length === 0) throw new ForgeError("FORGE_NO_SIGNATURE", "the token has no signature to mutate");
  return { prefix: signingInput, bytes };
}

/**
 * Flip one bit of the signature bytes (default: the lowest bit of the first byte; negative indexes count from the end).
 * @example flipSignatureBit(token, -1)
 */
export function flipSignatureBit(token: string, byteIndex = 0, bit = 0): string {
  const { prefix, bytes } = signatureBytes(token);
  const index = byteIndex < 0 ? bytes.length + byteIndex : byteIndex;
  if (index < 0 || index >= bytes.length) throw new ForgeError("FORGE_NO_SIGNATURE", "byte index outside the signature");
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ (1 << bit);
  return `${prefix}.${toBase64url(copy)}`;
}

/**
 * Drop the last `bytes` bytes of the signature (re-encoded canonically).
 * @example truncateSignature(token, 1)
 */
export function truncateSignature(token: string, bytes = 1): string {
  const { prefix, bytes: sig } = signatureBytes(token);
  return `${prefix}.${toBase64url(sig.slice(0, Math.max(0, sig.length - bytes)))}`;
}

/**
 * Drop the last `chars` characters of the signature text (jwt_tool's `sig[:-4]`).
 * @example truncateSignatureText(token, 4)
 */
export function truncateSignatureText(token: string, chars = 4): string {
  const { signingInput, signature } = decodeToken(token);
  return `${signingInput}.${signature.slice(0, Math.max(0, signature.length - chars))}`;
}

/**
 * Append bytes to the signature (verifiers that parse a prefix of the signature accept this).
 * @example appendSignatureBytes(token, new Uint8Array([0]))
 */
export function appendSignatureBytes(token: string, extra: Uint8Array): string {
  const { prefix, bytes } = signatureBytes(token);
  const joined = new Uint8Array(bytes.length + extra.length);
  joined.set(bytes);
  joined.set(extra, bytes.length);
  return `${prefix}.${toBase64url(joined)}`;
}

/**
 * Replace the signature with as many zero bytes.
 * @example zeroSignature(token)
 */
export function zeroSignature(token: string): string {
  const { prefix, bytes } = signatureBytes(token);
  return `${prefix}.${toBase64url(new Uint8Array(bytes.length))}`;
}

/**
 * The same signature bytes with the unused trailing bits of the last character set: a non-canonical
 * base64url text that lenient decoders map to the very same bytes. `undefined` when the signature length
 * is a multiple of 3 bytes (no unused bits).
 * @example nonCanonicalSignature(eddsaToken) // last char "g" becomes "h"
 */
export function nonCanonicalSignature(token: string): string | undefined {
  const { signingInput, signature } = decodeToken(token);
  const unusedBits = (signature.length * 6) % 8;
  if (unusedBits === 0 || signature.length === 0) return undefined;
  const last = BASE64URL_ALPHABET.indexOf(signature.at(-1) as string);
  const mutated = BASE64URL_ALPHABET[last | ((1 << unusedBits) - 1)] as string;
  if (mutated === signature.at(-1)) return undefined;
  return `${signingInput}.${signature.slice(0, -1)}${mutated}`;
}

/**
 * The same signature bytes with `=` padding added (padding is not allowed in JWS). `undefined` when
 * the signature needs no padding.
 * @example paddedSignature(eddsaToken) // "...==" appended
 */
export function paddedSignature(token: string): string | undefined {
  const { signingInput, signature } = decodeToken(token);
  const pad = (4 - (signature.length % 4)) % 4;
  if (pad === 0) return undefined;
  return `${signingInput}.${signature}${"=".repeat(pad)}`;
}

/**
 * The same signature bytes in the standard base64 alphabet (`+` `/` instead of `-` `_`). `undefined`
 * when the signature contains neither character.
 * @example standardAlphabetSignature(token)
 */
export function standardAlphabetSignature(token: string): string | undefined {
  const { signingInput, signature } = decodeToken(token);
  if (!/[-_]/.test(signature)) return undefined;
  return `${signingInput}.${signature.replaceAll("-", "+").replaceAll("_", "/")}`;
}

/**
 * Remove the signature, keeping the trailing dot: `header.payload.`.
 * @example stripSignature(token)
 */
export function stripSignature(token: string): string {
  return `${decodeToken(token).signingInput}.`;
}

/**
 * Replace the signature segment text verbatim (e.g. with a placeholder such as `null`).
 * @example replaceSignature(token, "null")
 */
export function replaceSignature(token: string, signature: string): string {
  return `${decodeToken(token).signingInput}.${signature}`;
}

/**
 * Change the header (same key order, `alg` replaced; `undefined` removes the member), keeping the payload
 * segment and the signature.
 * @example relabelAlg(token, "ES256")
 */
export function relabelAlg(token: string, alg: unknown): string {
  return editHeader(token, { alg });
}

/**
 * Merge `changes` into the header (`undefined` values remove the member), keeping payload and signature.
 * @example editHeader(token, { kid: "../../dev/null" })
 */
export function editHeader(token: string, changes: Record<string, unknown>): string {
  const { header, segments } = decodeToken(token);
  return `${encodeSegment(mergeObject(header, changes))}.${segments.payload}.${segments.signature}`;
}

/**
 * Merge `changes` into the claims (`undefined` values remove the claim), keeping header and signature.
 * @example editClaims(token, { sub: "victim" })
 */
export function editClaims(token: string, changes: Record<string, unknown>): string {
  const { claims, segments } = decodeToken(token);
  return `${segments.header}.${encodeSegment(mergeObject(claims, changes))}.${segments.signature}`;
}

/**
 * A copy of `base` with `changes` applied; keys mapped to `undefined` are removed.
 * @example mergeObject({ a: 1, b: 2 }, { b: undefined }) // { a: 1 }
 */
export function mergeObject(base: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}
