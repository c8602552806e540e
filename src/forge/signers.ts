import type { JWK } from "jose";
import { ForgeError } from "./errors.ts";
import { isHmacAlg } from "./hmac.ts";
import { rawSignerFromJwk, rawSignerFromSecret, type RawSigner } from "./raw.ts";
import { encodeSegment } from "./token.ts";

export { HMAC_ALGS, hmacSignature, type HmacAlg } from "./hmac.ts";
export { defaultAlgForJwk } from "./raw.ts";

/** Something that can sign a JWT: a shared secret or a private key. */
export interface Signer {
  readonly alg: string;
  readonly kid?: string;
  /**
   * Sign `claims` under `header`. `alg` is filled in from the signer (a different `alg` in `header`
   * is an error); `kid` is filled in unless `header` has its own `kid` member (set it to `undefined` to omit it).
   */
  sign(header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string>;
  /** The same key material under another algorithm of its family (HMAC secrets only), if possible. */
  withAlg?(alg: string): Signer | undefined;
}

/** Every asymmetric JWS algorithm the forge can sign with. */
export const ASYMMETRIC_ALGS = ["EdDSA", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] as const;

/** Put `alg` first and fill `kid` unless the header decides it; rejects a conflicting `alg`. */
function completeHeader(alg: string, kid: string | undefined, header: Record<string, unknown>): Record<string, unknown> {
  if ("alg" in header && header.alg !== alg) {
    throw new ForgeError("FORGE_ALG_MISMATCH", `header alg ${String(header.alg)} differs from the signer's ${alg}`);
  }
  const full: Record<string, unknown> = { alg };
  if (kid !== undefined && !("kid" in header)) full.kid = kid;
  Object.assign(full, header);
  full.alg = alg;
  return full;
}

/** A compact JWS of `header` (complete, with its alg) and `claims`, signed by `raw`. */
function compact(raw: RawSigner, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const signingInput = `${encodeSegment(header)}.${encodeSegment(claims)}`;
  return `${signingInput}.${raw.sign(signingInput)}`;
}

/** The Signer over a raw signer: fills the header, signs the compact serialization. */
export function signerOf(raw: RawSigner, more: Pick<Signer, "withAlg"> = {}): Signer {
  return {
    alg: raw.alg,
    ...(raw.kid !== undefined ? { kid: raw.kid } : {}),
    sign: async (header, claims) => compact(raw, completeHeader(raw.alg, raw.kid, header), claims),
    ...more,
  };
}

/**
 * HMAC-sign claims under a header (alg set to `alg`); accepts any key, an empty one included.
 * @example await hmacSign("HS256", new Uint8Array(), { typ: "JWT" }, { sub: "u1" })
 */
export async function hmacSign(
  alg: string,
  keyBytes: Uint8Array,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): Promise<string> {
  if (!isHmacAlg(alg)) throw new ForgeError("FORGE_UNSUPPORTED_ALG", `not an HMAC algorithm: ${alg}`);
  const full: Record<string, unknown> = { alg, ...header };
  full.alg = alg;
  return compact(rawSignerFromSecret(keyBytes, alg), full, claims);
}

/**
 * A signer for a shared secret (UTF-8 bytes of `secret`).
 * @example await signerFromSecret(process.env.BETTER_AUTH_SECRET!).sign({ typ: "JWT" }, { sub: "u1" })
 */
export function signerFromSecret(secret: string, alg: string = "HS256"): Signer {
  return signerOf(rawSignerFromSecret(secret, alg), { withAlg: (other) => (isHmacAlg(other) ? signerFromSecret(secret, other) : undefined) });
}

/**
 * A signer for a private JWK (Ed25519, P-256/384/521, RSA, or oct). `alg` comes from `jwk.alg` or the key
 * type; `kid` from `jwk.kid`. Signatures are deterministic (RFC 6979 for ES*, a derived salt for PS*).
 * @example const signer = await signerFromPrivateJwk(privateJwk); await signer.sign({}, { sub: "u1" })
 */
export async function signerFromPrivateJwk(jwk: JWK): Promise<Signer> {
  return signerOf(rawSignerFromJwk(jwk));
}
