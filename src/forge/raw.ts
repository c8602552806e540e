import { createPrivateKey, sign as cryptoSign, type KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { fromBase64url, toBase64url } from "./base64url.ts";
import { ecdsaSignDeterministic, hashForAlg, pssSignDeterministic } from "./deterministic.ts";
import { ForgeError } from "./errors.ts";
import { hmacSignature, isHmacAlg } from "./hmac.ts";

/**
 * A key that signs any signing input (`<header segment>.<payload segment>`, whatever the segments hold:
 * duplicate members, odd encodings) synchronously and deterministically: the same input always gives the same
 * signature, so a seed reproduces a token exactly. Every token the forge makes is signed through one of these.
 */
export interface RawSigner {
  readonly alg: string;
  readonly kid?: string;
  /** The base64url signature segment of `signingInput`. */
  sign(signingInput: string): string;
}

/**
 * The raw signer of a shared secret (its UTF-8 bytes; any length, empty included).
 * @example rawSignerFromSecret("s3cret").sign("eyJhbGciOiJIUzI1NiJ9.e30")
 */
export function rawSignerFromSecret(secret: string | Uint8Array, alg = "HS256"): RawSigner {
  if (!isHmacAlg(alg)) throw new ForgeError("FORGE_UNSUPPORTED_ALG", `a shared secret signs HS256/384/512, not ${alg}`);
  const key = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  return { alg, sign: (input) => hmacSignature(alg, key, input) };
}

const CURVE_OF_ALG: Record<string, string> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" };

/**
 * The raw signer of a private JWK (OKP Ed25519, EC P-256/384/521, RSA for RS and PS, oct). `alg` comes from
 * `jwk.alg` or the key type, `kid` from `jwk.kid`. ES* use RFC 6979 nonces and PS* a derived salt.
 * @example rawSignerFromJwk(privateJwk).sign(signingInput)
 */
export function rawSignerFromJwk(jwk: JWK): RawSigner {
  const alg = defaultAlgForJwk(jwk);
  const kid = typeof jwk.kid === "string" ? jwk.kid : undefined;
  const withKid = (signer: RawSigner): RawSigner => (kid === undefined ? signer : { ...signer, kid });
  if (jwk.kty === "oct") {
    if (typeof jwk.k !== "string") throw new ForgeError("FORGE_UNSUPPORTED_KEY", "oct JWK without k");
    return withKid(rawSignerFromSecret(fromBase64url(jwk.k), alg));
  }
  if (jwk.d === undefined) throw new ForgeError("FORGE_UNSUPPORTED_KEY", "the JWK has no private part (d)");
  const bytes = (input: string) => Buffer.from(input, "utf8");
  if (/^ES(256|384|512)$/.test(alg)) {
    if (jwk.kty !== "EC" || jwk.crv !== CURVE_OF_ALG[alg] || typeof jwk.d !== "string")
      throw new ForgeError("FORGE_UNSUPPORTED_KEY", `${alg} needs an EC ${CURVE_OF_ALG[alg]} private key`);
    const scalar = fromBase64url(jwk.d);
    const hash = hashForAlg(alg);
    return withKid({ alg, sign: (input) => toBase64url(ecdsaSignDeterministic(jwk.crv as string, hash, scalar, bytes(input))) });
  }
  const key = privateKeyOf(jwk, alg);
  if (alg === "EdDSA" || alg === "Ed25519") {
    if (key.asymmetricKeyType !== "ed25519") throw new ForgeError("FORGE_UNSUPPORTED_KEY", `${alg} needs an Ed25519 private key`);
    return withKid({ alg, sign: (input) => toBase64url(cryptoSign(null, bytes(input), key)) });
  }
  if (/^(RS|PS)(256|384|512)$/.test(alg)) {
    if (key.asymmetricKeyType !== "rsa") throw new ForgeError("FORGE_UNSUPPORTED_KEY", `${alg} needs an RSA private key`);
    const hash = hashForAlg(alg);
    if (alg.startsWith("PS")) return withKid({ alg, sign: (input) => toBase64url(pssSignDeterministic(key, hash, bytes(input))) });
    return withKid({ alg, sign: (input) => toBase64url(cryptoSign(hash, bytes(input), key)) });
  }
  throw new ForgeError("FORGE_UNSUPPORTED_ALG", `cannot sign ${alg}`);
}

function privateKeyOf(jwk: JWK, alg: string): KeyObject {
  try {
    return createPrivateKey({ key: jwk as never, format: "jwk" });
  } catch (cause) {
    throw new ForgeError("FORGE_UNSUPPORTED_KEY", `cannot use this JWK for ${alg}: ${(cause as Error).message}`);
  }
}

const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * An Ed25519 raw signer whose key is derived from 32 seed bytes (an attacker key: same seed, same signatures).
 * @example rawSignerFromEd25519Seed(new Uint8Array(32)).sign("e30.e30")
 */
export function rawSignerFromEd25519Seed(seed: Uint8Array): RawSigner {
  const bytes = new Uint8Array(32);
  bytes.set(seed.slice(0, 32));
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes]), format: "der", type: "pkcs8" });
  return { alg: "EdDSA", sign: (input) => toBase64url(cryptoSign(null, Buffer.from(input, "utf8"), key)) };
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
