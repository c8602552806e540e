import { commonSecrets } from "../../data/dictionaries.ts";

/** The verdict on a shared secret. */
export interface SecretAssessment {
  ok: boolean;
  lengthBytes: number;
  entropyBitsEstimate: number;
  problems: string[];
}

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits). */
export const MIN_SECRET_BYTES = 32;
/** Below this estimate a secret is guessable in practice, whatever its length. */
export const MIN_ENTROPY_BITS = 128;

const PLACEHOLDERS: Array<[RegExp, string]> = [
  [/^your[-_ .]/i, 'starts with "your-" (a placeholder from a guide)'],
  [/chang(e|ing)[-_ .]?(me|this|it|in[-_ ]prod)/i, 'contains a "change me" placeholder'],
  [/replace[-_ .]?(me|this|with)/i, 'contains a "replace me" placeholder'],
  [/(placeholder|example|sample|dummy|todo|insecure|not[-_ .]?a[-_ .]?secret)/i, "contains a placeholder word"],
  [/min[-_ .]?\d+[-_ .]?char/i, 'describes its own length ("min-32-chars")'],
  [/(.)\1{5,}/, "has a character repeated 6 or more times in a row"],
  [/^(.{1,8}?)\1{3,}$/s, "is a short pattern repeated"],
  [/(0123456789|123456789|abcdefghij|qwertyuiop)/i, "contains a keyboard or counting sequence"],
];

/** Bits per character of the smallest usual alphabet that covers the string (hex, base64url, printable, …). */
function alphabetBits(secret: string): number {
  if (/^[0-9a-f]+$/.test(secret) || /^[0-9A-F]+$/.test(secret)) return 4;
  let pool = 0;
  if (/[a-z]/.test(secret)) pool += 26;
  if (/[A-Z]/.test(secret)) pool += 26;
  if (/[0-9]/.test(secret)) pool += 10;
  if (/[^A-Za-z0-9]/.test(secret)) pool += /[^\x20-\x7e]/.test(secret) ? 100 : 33;
  return pool > 1 ? Math.log2(pool) : 0;
}

/** Shannon entropy of the string's own character distribution, in bits per character. */
function shannonBitsPerChar(chars: string[]): number {
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * An offline estimate of a secret's entropy: length × bits per character of its alphabet, capped by the
 * Shannon entropy of the string itself (so repetitive secrets score low).
 * @example estimateEntropyBits("aaaaaaaa") // 0
 */
export function estimateEntropyBits(secret: string): number {
  const chars = [...secret];
  if (chars.length === 0) return 0;
  return chars.length * Math.min(alphabetBits(secret), shannonBitsPerChar(chars));
}

/**
 * Judge a shared JWT secret offline: at least 32 bytes, not a common/tutorial secret (case-insensitive,
 * trimmed), an entropy estimate of at least 128 bits, no placeholder pattern.
 * @example assessSecret("your-secret-key-min-32-chars").ok // false
 */
export function assessSecret(secret: string): SecretAssessment {
  const lengthBytes = Buffer.byteLength(secret, "utf8");
  const entropyBitsEstimate = Math.round(estimateEntropyBits(secret) * 10) / 10;
  const problems: string[] = [];
  if (lengthBytes < MIN_SECRET_BYTES) problems.push(`${lengthBytes} bytes long, shorter than ${MIN_SECRET_BYTES} bytes`);
  const normalized = secret.trim().toLowerCase();
  if (commonSecrets().some((common) => common.trim().toLowerCase() === normalized)) {
    problems.push("a well-known default, tutorial or common secret");
  }
  if (secret !== secret.trim()) problems.push("has leading or trailing whitespace (often lost between services)");
  if (entropyBitsEstimate < MIN_ENTROPY_BITS) {
    problems.push(`estimated entropy ${Math.round(entropyBitsEstimate)} bits, below ${MIN_ENTROPY_BITS} bits`);
  }
  for (const [pattern, problem] of PLACEHOLDERS) if (pattern.test(secret)) problems.push(problem);
  return { ok: problems.length === 0, lengthBytes, entropyBitsEstimate, problems };
}
