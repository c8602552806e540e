import { createPublicKey, type KeyObject } from "node:crypto";
import type { JWK } from "jose";
import { fromBase64url } from "./base64url.ts";
import { ForgeError } from "./errors.ts";

/** One byte encoding of a public key, as a confused verifier might use it for an HMAC secret. */
export interface KeyEncoding {
  label: string;
  bytes: Uint8Array;
}

const PRIVATE_MEMBERS = new Set(["d", "p", "q", "dp", "dq", "qi", "k", "oth"]);

/** The JWK without private members (what a JWKS endpoint serves). */
function publicOnly(jwk: JWK): JWK {
  return Object.fromEntries(Object.entries(jwk).filter(([key]) => !PRIVATE_MEMBERS.has(key))) as JWK;
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Python's `json.dumps` default separators (`", "`, `": "`), ASCII-only like its default. */
function pythonJsonDumps(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const members = Object.entries(value as Record<string, unknown>).map(
      ([key, member]) => `${JSON.stringify(key)}: ${pythonJsonDumps(member)}`,
    );
    return `{${members.join(", ")}}`;
  }
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function sshString(bytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, Buffer.from(bytes)]);
}

function sshMpint(unsigned: Uint8Array): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const trimmed = Buffer.from(unsigned.subarray(start));
  const needsZero = (trimmed[0] ?? 0) & 0x80;
  return sshString(needsZero ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function rawKeyBytes(jwk: JWK): Uint8Array {
  const member = (name: "x" | "y" | "n"): Uint8Array => {
    const value = jwk[name];
    if (typeof value !== "string") throw new ForgeError("FORGE_UNSUPPORTED_KEY", `JWK without ${name}`);
    return fromBase64url(value);
  };
  if (jwk.kty === "OKP") return member("x");
  if (jwk.kty === "EC") return new Uint8Array(Buffer.concat([Buffer.from([4]), member("x"), member("y")]));
  return member("n");
}

const SSH_CURVES: Record<string, string> = { "P-256": "nistp256", "P-384": "nistp384", "P-521": "nistp521" };

/** The single-line OpenSSH public key (`ssh-ed25519 AAAA…`), or undefined when SSH has no such key type. */
function openSshLine(jwk: JWK): string | undefined {
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
    const type = "ssh-ed25519";
    return `${type} ${Buffer.concat([sshString(utf8(type)), sshString(rawKeyBytes(jwk))]).toString("base64")}`;
  }
  if (jwk.kty === "EC" && typeof jwk.crv === "string" && SSH_CURVES[jwk.crv]) {
    const curve = SSH_CURVES[jwk.crv] as string;
    const type = `ecdsa-sha2-${curve}`;
    const blob = Buffer.concat([sshString(utf8(type)), sshString(utf8(curve)), sshString(rawKeyBytes(jwk))]);
    return `${type} ${blob.toString("base64")}`;
  }
  if (jwk.kty === "RSA" && typeof jwk.e === "string") {
    const type = "ssh-rsa";
    const blob = Buffer.concat([sshString(utf8(type)), sshMpint(fromBase64url(jwk.e)), sshMpint(rawKeyBytes(jwk))]);
    return `${type} ${blob.toString("base64")}`;
  }
  return undefined;
}

/**
 * Every encoding of a public key that a confused verifier could use as an HMAC secret: SPKI PEM (LF/CRLF,
 * with and without the trailing newline), PKCS#1 PEM (RSA), SPKI DER, raw key bytes, JWK JSON (compact,
 * 2-space pretty, Python `json.dumps`) and the OpenSSH line. Labels are unique.
 * @example publicKeyEncodings(jwks.keys[0]).map((e) => e.label)
 */
export function publicKeyEncodings(jwk: JWK): KeyEncoding[] {
  const publicJwk = publicOnly(jwk);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: publicJwk as never, format: "jwk" });
  } catch (cause) {
    throw new ForgeError("FORGE_UNSUPPORTED_KEY", `not a usable public JWK: ${(cause as Error).message}`);
  }
  const pemLf = key.export({ type: "spki", format: "pem" }).toString();
  const pemLfBare = pemLf.replace(/\n$/, "");
  const encodings: KeyEncoding[] = [
    { label: "spki-pem-lf", bytes: utf8(pemLf) },
    { label: "spki-pem-lf-no-trailing-newline", bytes: utf8(pemLfBare) },
    { label: "spki-pem-crlf", bytes: utf8(pemLf.replaceAll("\n", "\r\n")) },
    { label: "spki-pem-crlf-no-trailing-newline", bytes: utf8(pemLfBare.replaceAll("\n", "\r\n")) },
  ];
  if (jwk.kty === "RSA") {
    encodings.push({ label: "pkcs1-pem-lf", bytes: utf8(key.export({ type: "pkcs1", format: "pem" }).toString()) });
  }
  encodings.push(
    { label: "spki-der", bytes: new Uint8Array(key.export({ type: "spki", format: "der" })) },
    { label: "raw-key-bytes", bytes: rawKeyBytes(publicJwk) },
    { label: "jwk-json-compact", bytes: utf8(JSON.stringify(publicJwk)) },
    { label: "jwk-json-pretty", bytes: utf8(JSON.stringify(publicJwk, null, 2)) },
    { label: "jwk-json-python", bytes: utf8(pythonJsonDumps(publicJwk)) },
  );
  const ssh = openSshLine(publicJwk);
  if (ssh !== undefined) encodings.push({ label: "openssh", bytes: utf8(ssh) });
  return encodings;
}
