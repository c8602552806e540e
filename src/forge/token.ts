import { fromBase64url, toBase64url } from "./base64url.ts";
import { ForgeError } from "./errors.ts";

/** A compact JWS split into its parts; header and claims are the parsed JSON values. */
export interface DecodedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** The signature segment exactly as it appeared (base64url text). */
  signature: string;
  /** `<header segment>.<payload segment>`, the bytes a signature covers. */
  signingInput: string;
  /** The three raw segments. */
  segments: { header: string; payload: string; signature: string };
}

function parseJsonObject(segment: string, label: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64url(segment)));
  } catch {
    throw new ForgeError("FORGE_MALFORMED_TOKEN", `the ${label} is not base64url-encoded JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ForgeError("FORGE_MALFORMED_TOKEN", `the ${label} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/**
 * Decode a compact JWS without verifying it.
 * @example decodeToken("eyJhbGciOiJIUzI1NiJ9.e30.sig").header.alg // "HS256"
 */
export function decodeToken(raw: string): DecodedToken {
  const parts = raw.split(".");
  if (parts.length !== 3) {
    throw new ForgeError("FORGE_MALFORMED_TOKEN", `a compact JWS has 3 segments, got ${parts.length}`);
  }
  const [header, payload, signature] = parts as [string, string, string];
  return {
    header: parseJsonObject(header, "header"),
    claims: parseJsonObject(payload, "payload"),
    signature,
    signingInput: `${header}.${payload}`,
    segments: { header, payload, signature },
  };
}

/**
 * Encode one JWS segment: bytes as they are, anything else as its JSON text.
 * @example encodeSegment({ alg: "none" }) // "eyJhbGciOiJub25lIn0"
 */
export function encodeSegment(value: unknown): string {
  if (value instanceof Uint8Array) return toBase64url(value);
  return toBase64url(JSON.stringify(value));
}

/**
 * Put a compact JWS together from a header, claims and an already encoded signature segment.
 * @example assemble({ alg: "none" }, { sub: "u1" }, "") // "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1MSJ9."
 */
export function assemble(header: unknown, claims: unknown, signature: string): string {
  return `${encodeSegment(header)}.${encodeSegment(claims)}.${signature}`;
}
