import { createHmac } from "node:crypto";
import { toBase64url } from "./base64url.ts";
import { ForgeError } from "./errors.ts";

export const HMAC_ALGS = ["HS256", "HS384", "HS512"] as const;
export type HmacAlg = (typeof HMAC_ALGS)[number];
const HMAC_HASH: Record<HmacAlg, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };

export function isHmacAlg(alg: string): alg is HmacAlg {
  return (HMAC_ALGS as readonly string[]).includes(alg);
}

/**
 * The HMAC signature segment of `signingInput`; works with any key length, including an empty key.
 * @example hmacSignature("HS256", new Uint8Array(), "e30.e30")
 */
export function hmacSignature(alg: string, keyBytes: Uint8Array, signingInput: string): string {
  if (!isHmacAlg(alg)) throw new ForgeError("FORGE_UNSUPPORTED_ALG", `not an HMAC algorithm: ${alg}`);
  return toBase64url(createHmac(HMAC_HASH[alg], keyBytes).update(signingInput, "utf8").digest());
}
