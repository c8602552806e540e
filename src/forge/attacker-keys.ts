import { readFileSync } from "node:fs";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importPKCS8, type JWK } from "jose";
import { signerFromPrivateJwk, type Signer } from "./index.ts";

/** One attacker key pair with its signer. */
export interface AttackerKeyPair {
  alg: string;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  signer: Signer;
}

/** Key material the harness attacks with; none of it is trusted by a correctly configured target. */
export interface AttackerKeys {
  rsa: AttackerKeyPair; // RS256, 2048 bits
  ec: AttackerKeyPair; // ES256, P-256
  ecP384: AttackerKeyPair; // ES384
  ecP521: AttackerKeyPair; // ES512
  okp: AttackerKeyPair; // EdDSA, Ed25519
  /** The key of the committed self-signed certificate (RS256), served at the x5u URL. */
  x5u: AttackerKeyPair & { certPem: string; certDerBase64: string };
  /** The public JWKS served at the jku URL (rsa, ec, okp). */
  jwks: { keys: JWK[] };
}

const DATA = new URL("../data/", import.meta.url);

async function pairFromPrivateJwk(label: string, alg: string, jwk: JWK): Promise<AttackerKeyPair> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = jwk;
  const kid = `authproof-attacker-${label}-${(await calculateJwkThumbprint(publicMembers)).slice(0, 8)}`;
  const privateJwk: JWK = { ...jwk, alg, kid };
  const publicJwk: JWK = { ...publicMembers, alg, kid, use: "sig" };
  return { alg, kid, privateJwk, publicJwk, signer: await signerFromPrivateJwk(privateJwk) };
}

async function generatePair(label: string, alg: string, options: { crv?: string } = {}): Promise<AttackerKeyPair> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return pairFromPrivateJwk(label, alg, await exportJWK(privateKey));
}

/** The committed self-signed certificate (`CN=authproof attacker`) and its private key. */
export function loadX5uMaterial(): { certPem: string; keyPem: string } {
  return {
    certPem: readFileSync(new URL("attacker-x5u.crt.pem", DATA), "utf8"),
    keyPem: readFileSync(new URL("attacker-x5u.key.pem", DATA), "utf8"),
  };
}

/**
 * Fresh attacker key pairs (RSA-2048, P-256, P-384, P-521, Ed25519) plus the committed x5u certificate key.
 * @example const keys = await createAttackerKeys(); keys.jwks.keys.length // 3
 */
export async function createAttackerKeys(): Promise<AttackerKeys> {
  const [rsa, ec, ecP384, ecP521, okp] = await Promise.all([
    generatePair("rsa", "RS256", {}),
    generatePair("ec", "ES256"),
    generatePair("ec384", "ES384"),
    generatePair("ec521", "ES512"),
    generatePair("okp", "EdDSA"),
  ]);
  const { certPem, keyPem } = loadX5uMaterial();
  const x5uKey = await importPKCS8(keyPem, "RS256", { extractable: true });
  const x5uPair = await pairFromPrivateJwk("x5u", "RS256", await exportJWK(x5uKey));
  const certDerBase64 = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");
  return {
    rsa,
    ec,
    ecP384,
    ecP521,
    okp,
    x5u: { ...x5uPair, certPem, certDerBase64 },
    jwks: { keys: [rsa.publicJwk, ec.publicJwk, okp.publicJwk] },
  };
}
