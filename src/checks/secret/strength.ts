import { commonSecrets, commonWords } from "../../data/dictionaries.ts";
import type { Candidate } from "../../model/target.ts";

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
  [/^(?:dev|devel|development|test|testing|local|demo|sample)(?:[-_ .]|$)/i, "starts with the name of a development environment"],
  [/(?:^|[-_ .])(?:here|goes[-_ .]?here)$/i, 'ends in "here" (a placeholder from a guide)'],
  [/super[-_ .]?secret|my[-_ .]?secret|top[-_ .]?secret|secret[-_ .]?key[-_ .]?\d*$/i, 'contains "supersecret", "mysecret" or ends in "secret-key"'],
  [/generate[-_ .]?(?:a|one|your)|at[-_ .]?least[-_ .]?\d+|(?:^|[-_ .])\d+[-_ .]?(?:bit|byte|char)s?(?:[-_ .]|$)/i, "describes itself (its length, or how to generate one)"],
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

/** What a word split of a secret found: its estimated bits, and how many of its parts were words and years. */
export interface WordSplit {
  bits: number;
  words: number;
  years: number;
}

const YEAR = /^(?:19|20)\d\d/;
/** A separator between words: the attacker picks one of a handful (`-`, `_`, `.`, space, none, …) and repeats it. */
const SEPARATOR = /[-_ .:/+@#]/;
const SEPARATOR_BITS = 0.5;
const YEAR_BITS = Math.log2(200);
const MAX_WORD = 24;

let wordSet: Set<string> | undefined;

/**
 * Entropy estimated per part of a word split, not per character: the cheapest reading of the secret as dictionary
 * words (each worth log2 of the bundled list, about 12 bits, plus a bit for capitals), years (about 8 bits),
 * separators (2 bits) and any other character at the secret's alphabet rate. A 40-character secret of words,
 * `word-word-word-2024`, comes out far below what its length suggests.
 * @example estimateWordSplit("dev-secret-change-me-tasks-api-2024").words // 6
 */
export function estimateWordSplit(secret: string): WordSplit {
  wordSet ??= new Set(commonWords());
  const words = wordSet;
  const wordBits = Math.log2(words.size);
  const charBits = alphabetBits(secret);
  const n = secret.length;
  const best: Array<WordSplit | undefined> = [{ bits: 0, words: 0, years: 0 }];
  const relax = (to: number, from: WordSplit, bits: number, word = 0, year = 0) => {
    const candidate = { bits: from.bits + bits, words: from.words + word, years: from.years + year };
    const current = best[to];
    if (!current || candidate.bits < current.bits) best[to] = candidate;
  };
  for (let i = 0; i < n; i++) {
    const here = best[i];
    if (!here) continue;
    const char = secret[i]!;
    relax(i + 1, here, SEPARATOR.test(char) ? Math.min(SEPARATOR_BITS, charBits) : charBits);
    if (YEAR.test(secret.slice(i, i + 4))) relax(i + 4, here, YEAR_BITS, 0, 1);
    for (let length = 2; length <= MAX_WORD && i + length <= n; length++) {
      const part = secret.slice(i, i + length);
      const lower = part.toLowerCase();
      const plural = lower.endsWith("s") && words.has(lower.slice(0, -1));
      if (!words.has(lower) && !plural) continue;
      relax(i + length, here, wordBits + (plural && !words.has(lower) ? 1 : 0) + caseBits(part), 1);
    }
  }
  const end = best[n]!;
  return { ...end, bits: Math.round(end.bits * 10) / 10 };
}

/** Bits for a word's capitalisation: none for lower case, one for Capitalised or UPPER case, one a letter otherwise. */
function caseBits(word: string): number {
  if (word === word.toLowerCase()) return 0;
  if (word === word.toUpperCase() || word === word[0]!.toUpperCase() + word.slice(1).toLowerCase()) return 1;
  return word.length;
}

/**
 * Judge a shared JWT secret offline: at least 32 bytes, not a common/tutorial secret (case-insensitive,
 * trimmed) and not a value the target's own material holds (mined candidates: a committed `.env.example`, a
 * documented example), an entropy estimate of at least 128 bits both per character and per part of a word split,
 * no placeholder pattern.
 * @example assessSecret("your-secret-key-min-32-chars").ok // false
 */
export function assessSecret(secret: string, candidates: readonly Candidate[] = []): SecretAssessment {
  const lengthBytes = Buffer.byteLength(secret, "utf8");
  const perCharacter = Math.round(estimateEntropyBits(secret) * 10) / 10;
  const split = estimateWordSplit(secret);
  const entropyBitsEstimate = Math.min(perCharacter, split.bits);
  const problems: string[] = [];
  if (lengthBytes < MIN_SECRET_BYTES) problems.push(`${lengthBytes} bytes long, shorter than ${MIN_SECRET_BYTES} bytes`);
  const normalized = secret.trim().toLowerCase();
  if (commonSecrets().some((common) => common.trim().toLowerCase() === normalized)) {
    problems.push("a well-known default, tutorial or common secret");
  }
  const mined = candidates.filter((candidate) => candidate.value.trim() === secret.trim());
  if (mined.length > 0) problems.push(`a value the target's own material holds (${[...new Set(mined.map((c) => c.source))].slice(0, 3).join("; ")}): anyone who reads it has the key`);
  if (secret !== secret.trim()) problems.push("has leading or trailing whitespace (often lost between services)");
  if (perCharacter < MIN_ENTROPY_BITS) {
    problems.push(`estimated entropy ${Math.round(perCharacter)} bits, below ${MIN_ENTROPY_BITS} bits`);
  } else if (split.bits < MIN_ENTROPY_BITS) {
    const parts = [`${split.words} dictionary word${split.words === 1 ? "" : "s"}`, ...(split.years ? [`${split.years === 1 ? "a year" : `${split.years} years`}`] : [])].join(" and ");
    problems.push(`built of ${parts}: about ${Math.round(split.bits)} bits by a word split (${Math.round(perCharacter)} per character), below ${MIN_ENTROPY_BITS} bits`);
  }
  for (const [pattern, problem] of PLACEHOLDERS) if (pattern.test(secret)) problems.push(problem);
  return { ok: problems.length === 0, lengthBytes, entropyBitsEstimate, problems };
}
