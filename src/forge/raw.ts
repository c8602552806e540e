import { constants, createHmac, createPrivateKey, sign, type KeyObject } from "node:crypto";
import type { JWK } from "jose";
import type { AuthproofConfig } from "../config/schema.ts";
import { fromBase64url, toBase64url } from "./base64url.ts";
import { defaultAlgForJwk } from "./signers.ts";

/**
 * Signs an arbitrary signing input (any header text, duplicate members included) with the trusted key,
 * synchronously, so arbitraries can render tokens while fast-check generates and shrinks them.
 */
export interface RawSigner {
  readonly alg: string;
  readonly kid?: string;
  /** The base64url signature of `signingInput` (`<header segment>.<payload segment>`). */
  sign(signingInput: string): string;
}

const HMAC_HASH: Record<string, string> = { HS256: "sha256", HS384: "sha384", HS512: "sha512" };
const DIGEST: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/**
 * The signing oracle of the configuration: the shared secret (shared-secret mode) or the private JWK the
 * target trusts; `undefined` for a black box.
 * @example rawSignerFromConfig(model.config, model.oracle)?.sign("eyJ...e30")
 */
export function rawSignerFromConfig(config: AuthproofConfig, oracle: "secret" | "private-key" | "none"): RawSigner | undefined {
  const { keys } = config;
  if (oracle === "private-key" && keys.privateJwk) {
    const jwk = (typeof keys.privateJwk === "string" ? JSON.parse(keys.privateJwk) : keys.privateJwk) as JWK;
    return rawSignerFromJwk(jwk);
  }
  if (oracle === "secret" && keys.secret) return hmacRawSigner("HS256", new TextEncoder().encode(keys.secret));
  return undefined;
}

/**
 * A raw signer for a private JWK (OKP Ed25519, EC P-256/384/521, RSA for RS and PS, oct).
 * @example rawSignerFromJwk(privateJwk).sign(signingInput)
 */
export function rawSignerFromJwk(jwk: JWK): RawSigner {
  const alg = defaultAlgForJwk(jwk);
  const kid = typeof jwk.kid === "string" ? jwk.kid : undefined;
  if (jwk.kty === "oct") return { ...hmacRawSigner(alg, fromBase64url(jwk.k ?? "")), kid };
  const key = createPrivateKey({ key: jwk as never, format: "jwk" });
  return { alg, kid, sign: (input) => asymmetricSignature(alg, key, input) };
}

function hmacRawSigner(alg: string, key: Uint8Array): RawSigner {
  return { alg, sign: (input) => toBase64url(createHmac(HMAC_HASH[alg] ?? "sha256", key).update(input, "utf8").digest()) };
}

function asymmetricSignature(alg: string, key: KeyObject, input: string): string {
  const data = Buffer.from(input, "utf8");
  if (alg === "EdDSA" || alg === "Ed25519") return toBase64url(sign(null, data, key));
  const digest = DIGEST[alg.slice(2)] ?? "sha256";
  if (alg.startsWith("ES")) return toBase64url(sign(digest, data, { key, dsaEncoding: "ieee-p1363" }));
  if (alg.startsWith("PS"))
    return toBase64url(sign(digest, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }));
  return toBase64url(sign(digest, data, key));
}

/** An HMAC signature with a key the target does not trust. */
export function attackerHmacSignature(alg: string, key: string, signingInput: string): string {
  return toBase64url(createHmac(HMAC_HASH[alg] ?? "sha256", key).update(signingInput, "utf8").digest());
}

const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/** An Ed25519 signature with an attacker key derived from 32 seed bytes (deterministic: same seed, same signature). */
export function attackerEd25519Signature(seed: Uint8Array, signingInput: string): string {
  const bytes = new Uint8Array(32);
  bytes.set(seed.slice(0, 32));
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes]), format: "der", type: "pkcs8" });
  return toBase64url(sign(null, Buffer.from(signingInput, "utf8"), key));
}
