import { createHmac, createPrivateKey } from "node:crypto";
import { CompactSign, importJWK, type JWK } from "jose";
import { fromBase64url, toBase64url } from "./base64url.ts";
import { ecdsaSignDeterministic, hashForAlg, pssSignDeterministic } from "./deterministic.ts";
import { ForgeError } from "./errors.ts";
import { encodeSegment } from "./token.ts";

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

export const HMAC_ALGS = ["HS256", "HS384", "HS512"] as const;
export type HmacAlg = (typeof HMAC_ALGS)[number];
const HMAC_HASH: Record<HmacAlg, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };

/** Every JWS algorithm the forge can sign with. */
export const ASYMMETRIC_ALGS = ["EdDSA", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"] as const;

function isHmacAlg(alg: string): alg is HmacAlg {
  return (HMAC_ALGS as readonly string[]).includes(alg);
}

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

function claimsBytes(claims: Record<string, unknown>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(claims));
}

/**
 * Sign `payload` under `header` (which must carry `alg`) with jose; every `crit` entry of the header is
 * declared as understood so that tokens with unknown critical parameters can be produced.
 * @example await signCompact({ alg: "HS256" }, new TextEncoder().encode("{}"), secretBytes)
 */
export async function signCompact(
  header: Record<string, unknown>,
  payload: Uint8Array,
  key: CryptoKey | Uint8Array,
): Promise<string> {
  const crit = Array.isArray(header.crit)
    ? Object.fromEntries(header.crit.filter((c): c is string => typeof c === "string").map((c) => [c, true]))
    : undefined;
  return new CompactSign(payload).setProtectedHeader(header as never).sign(key, crit ? { crit } : undefined);
}

/**
 * The HMAC signature segment of `signingInput`; works with any key length, including an empty key.
 * @example hmacSignature("HS256", new Uint8Array(), "e30.e30")
 */
export function hmacSignature(alg: string, keyBytes: Uint8Array, signingInput: string): string {
  if (!isHmacAlg(alg)) throw new ForgeError("FORGE_UNSUPPORTED_ALG", `not an HMAC algorithm: ${alg}`);
  return toBase64url(createHmac(HMAC_HASH[alg], keyBytes).update(signingInput, "ascii").digest());
}

/**
 * HMAC-sign claims under a header (alg set to `alg`); accepts an empty key, which jose refuses.
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
  if (keyBytes.length > 0) return signCompact(full, claimsBytes(claims), keyBytes);
  const signingInput = `${encodeSegment(full)}.${encodeSegment(claims)}`;
  return `${signingInput}.${hmacSignature(alg, keyBytes, signingInput)}`;
}

/**
 * A signer for a shared secret (UTF-8 bytes of `secret`).
 * @example await signerFromSecret(process.env.BETTER_AUTH_SECRET!).sign({ typ: "JWT" }, { sub: "u1" })
 */
export function signerFromSecret(secret: string, alg: string = "HS256"): Signer {
  if (!isHmacAlg(alg)) throw new ForgeError("FORGE_UNSUPPORTED_ALG", `a shared secret signs HS256/384/512, not ${alg}`);
  const keyBytes = new TextEncoder().encode(secret);
  return {
    alg,
    sign: async (header, claims) => hmacSign(alg, keyBytes, completeHeader(alg, undefined, header), claims),
    withAlg: (other) => (isHmacAlg(other) ? signerFromSecret(secret, other) : undefined),
  };
}

/** The JWS algorithm a key implies when its JWK has no `alg`. */
export function defaultAlgForJwk(jwk: JWK): string {
  if (typeof jwk.alg === "string" && jwk.alg !== "") return jwk.alg;
  switch (jwk.kty) {
    case "OKP":
      if (jwk.crv === "Ed25519") return "EdDSA";
      break;
    case "EC":
      if (jwk.crv === "P-256") return "ES256";
      if (jwk.crv === "P-384") return "ES384";
      if (jwk.crv === "P-521") return "ES512";
      break;
    case "RSA":
      return "RS256";
    case "oct":
      return "HS256";
  }
  throw new ForgeError("FORGE_UNSUPPORTED_KEY", `no JWS algorithm for kty=${String(jwk.kty)} crv=${String(jwk.crv)}`);
}

/**
 * A signer for a private JWK (Ed25519, P-256/384/521, RSA, or oct). `alg` comes from `jwk.alg` or the key
 * type; `kid` from `jwk.kid`.
 * @example const signer = await signerFromPrivateJwk(privateJwk); await signer.sign({}, { sub: "u1" })
 */
export async function signerFromPrivateJwk(jwk: JWK): Promise<Signer> {
  const alg = defaultAlgForJwk(jwk);
  const kid = typeof jwk.kid === "string" ? jwk.kid : undefined;
  if (jwk.kty === "oct") {
    if (typeof jwk.k !== "string") throw new ForgeError("FORGE_UNSUPPORTED_KEY", "oct JWK without k");
    const keyBytes = fromBase64url(jwk.k);
    return {
      alg,
      kid,
      sign: async (header, claims) => hmacSign(alg, keyBytes, completeHeader(alg, kid, header), claims),
    };
  }
  if (jwk.d === undefined) throw new ForgeError("FORGE_UNSUPPORTED_KEY", "the JWK has no private part (d)");
  if (/^(ES|PS)(256|384|512)$/.test(alg)) return deterministicSigner(jwk, alg, kid);
  let key: CryptoKey;
  try {
    key = (await importJWK(jwk, alg)) as CryptoKey;
  } catch (cause) {
    throw new ForgeError("FORGE_UNSUPPORTED_KEY", `cannot use this JWK for ${alg}: ${(cause as Error).message}`);
  }
  return {
    alg,
    kid,
    sign: async (header, claims) => signCompact(completeHeader(alg, kid, header), claimsBytes(claims), key),
  };
}

const CURVE_OF_ALG: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

/**
 * ES* and PS* signers with deterministic signatures (RFC 6979 nonces, derived PSS salt), which jose cannot
 * produce: the same header and claims always give the same token.
 */
function deterministicSigner(jwk: JWK, alg: string, kid: string | undefined): Signer {
  const hash = hashForAlg(alg);
  let sign: (data: Uint8Array) => Uint8Array;
  if (alg.startsWith("ES")) {
    if (jwk.kty !== "EC" || jwk.crv !== CURVE_OF_ALG[alg] || typeof jwk.d !== "string") {
      throw new ForgeError("FORGE_UNSUPPORTED_KEY", `${alg} needs an EC ${CURVE_OF_ALG[alg]} private key`);
    }
    const scalar = fromBase64url(jwk.d);
    sign = (data) => ecdsaSignDeterministic(jwk.crv as string, hash, scalar, data);
  } else {
    let key;
    try {
      key = createPrivateKey({ key: jwk as never, format: "jwk" });
    } catch (cause) {
      throw new ForgeError("FORGE_UNSUPPORTED_KEY", `cannot use this JWK for ${alg}: ${(cause as Error).message}`);
    }
    if (key.asymmetricKeyType !== "rsa") throw new ForgeError("FORGE_UNSUPPORTED_KEY", `${alg} needs an RSA private key`);
    sign = (data) => pssSignDeterministic(key, hash, data);
  }
  return {
    alg,
    kid,
    sign: async (header, claims) => {
      const signingInput = `${encodeSegment(completeHeader(alg, kid, header))}.${encodeSegment(claims)}`;
      return `${signingInput}.${toBase64url(sign(new TextEncoder().encode(signingInput)))}`;
    },
  };
}
