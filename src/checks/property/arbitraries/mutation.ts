import fc from "fast-check";

/*
 * Byte-level mutations of a compact token. Positions are drawn as plain numbers and taken modulo the
 * token's length when applied, so a mutation means the same thing whatever the token's exact length.
 */

export type ByteMutation =
  | { op: "flip-bit"; at: number; bit: number }
  | { op: "delete"; at: number; count: number }
  | { op: "insert"; at: number; text: string }
  | { op: "replace"; at: number; char: string }
  | { op: "truncate"; keep: number }
  | { op: "swap-segments"; first: number; second: number }
  | { op: "repeat-segment"; segment: number };

/** Characters worth inserting: base64url letters, separators, padding, whitespace, JSON and non-ASCII. */
const INTERESTING_CHARS = ["A", "a", "0", "-", "_", ".", "=", "+", "/", " ", "\t", "%", "\"", "{", "\u00e9", "\u{1F600}"];

/** One byte-level mutation. */
export const byteMutationArb: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ op: fc.constant("flip-bit" as const), at: fc.nat(4096), bit: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(4096), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    op: fc.constant("insert" as const),
    at: fc.nat(4096),
    text: fc.oneof(fc.constantFrom(...INTERESTING_CHARS), fc.string({ unit: "binary", minLength: 1, maxLength: 4 })),
  }),
  fc.record({ op: fc.constant("replace" as const), at: fc.nat(4096), char: fc.constantFrom(...INTERESTING_CHARS) }),
  fc.record({ op: fc.constant("truncate" as const), keep: fc.nat(4096) }),
  fc.record({ op: fc.constant("swap-segments" as const), first: fc.nat(2), second: fc.nat(2) }),
  fc.record({ op: fc.constant("repeat-segment" as const), segment: fc.nat(2) }),
);

/** One to three mutations, applied in order. */
export const byteMutationsArb: fc.Arbitrary<ByteMutation[]> = fc.array(byteMutationArb, { minLength: 1, maxLength: 3 });

/** Applies mutations in order; control characters are never produced (HTTP/1.1 cannot carry them in a header). */
export function applyMutations(token: string, mutations: ByteMutation[]): string {
  let out = token;
  for (const mutation of mutations) out = applyMutation(out, mutation);
  return out;
}

function applyMutation(token: string, m: ByteMutation): string {
  const chars = [...token];
  const at = (n: number) => (chars.length === 0 ? 0 : n % chars.length);
  switch (m.op) {
    case "flip-bit": {
      if (chars.length === 0) return token;
      const i = at(m.at);
      const code = (chars[i]!.codePointAt(0)! ^ (1 << m.bit)) || 0x41;
      chars[i] = code < 0x20 || code === 0x7f ? "A" : String.fromCodePoint(code);
      return chars.join("");
    }
    case "delete": {
      const i = at(m.at);
      chars.splice(i, m.count);
      return chars.join("");
    }
    case "insert": {
      const i = chars.length === 0 ? 0 : m.at % (chars.length + 1);
      chars.splice(i, 0, ...[...stripControls(m.text)]);
      return chars.join("");
    }
    case "replace": {
      if (chars.length === 0) return token;
      chars[at(m.at)] = stripControls(m.char) || "A";
      return chars.join("");
    }
    case "truncate":
      return chars.slice(0, chars.length === 0 ? 0 : m.keep % chars.length).join("");
    case "swap-segments": {
      const parts = token.split(".");
      if (m.first >= parts.length || m.second >= parts.length) return token;
      [parts[m.first], parts[m.second]] = [parts[m.second]!, parts[m.first]!];
      return parts.join(".");
    }
    case "repeat-segment": {
      const parts = token.split(".");
      if (m.segment >= parts.length) return token;
      parts.splice(m.segment, 0, parts[m.segment]!);
      return parts.join(".");
    }
  }
}

function stripControls(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, "");
}

/** A mutation as text, e.g. `flip bit 2 at 57`. */
export function describeMutation(m: ByteMutation): string {
  switch (m.op) {
    case "flip-bit":
      return `flip bit ${m.bit} at ${m.at}`;
    case "delete":
      return `delete ${m.count} at ${m.at}`;
    case "insert":
      return `insert ${JSON.stringify(m.text)} at ${m.at}`;
    case "replace":
      return `replace at ${m.at} with ${JSON.stringify(m.char)}`;
    case "truncate":
      return `truncate to ${m.keep}`;
    case "swap-segments":
      return `swap segments ${m.first} and ${m.second}`;
    case "repeat-segment":
      return `repeat segment ${m.segment}`;
  }
}
