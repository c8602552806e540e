import { ForgeError } from "./errors.ts";

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Encode bytes (or a UTF-8 string) as unpadded base64url. */
export function toBase64url(input: Uint8Array | string): string {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input);
  return bytes.toString("base64url");
}

/**
 * Strictly decode unpadded base64url: rejects padding, foreign characters, impossible lengths and
 * non-zero unused trailing bits (so a non-canonical encoding never decodes silently).
 */
export function fromBase64url(segment: string): Uint8Array {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) {
    throw new ForgeError("FORGE_MALFORMED_TOKEN", "segment is not valid base64url");
  }
  const bytes = Buffer.from(segment, "base64url");
  if (bytes.toString("base64url") !== segment) {
    throw new ForgeError("FORGE_MALFORMED_TOKEN", "segment is not canonical base64url");
  }
  return new Uint8Array(bytes);
}
