import fc from "fast-check";

/** One generated Authorization header value and how strictly it is judged. */
export interface AuthorizationCase {
  value: string;
  /**
   * Exactly 401 expected. Values longer than `STRICT_MAX_BYTES` may be refused by the HTTP layer first
   * (400 / 413 / 431 or a closed connection): never 2xx, never 5xx still holds for them.
   */
  strict: boolean;
}

/** Values up to this many UTF-8 bytes must reach the verifier (every HTTP server takes 4 KB headers). */
export const STRICT_MAX_BYTES = 4000;

/** Characters that break naive parsers: separators, quotes, obs-text, C1 controls, unicode spaces, BOM, emoji. */
const ODD_CHARS = ["\t", " ", ",", ";", "=", "\"", "\\", ".", ":", "\u0080", "\u0085", "\u009f", "\u00a0", "\u00ff", "\u2028", "\u200b", "\ufeff", "\u{1F600}", "\u0130"];

const oddStringArb = fc.string({ unit: fc.oneof(fc.constantFrom(...ODD_CHARS), fc.string({ unit: "binary", minLength: 1, maxLength: 1 })), maxLength: 48 });

const schemeArb = fc.oneof(
  fc.mixedCase(fc.constantFrom("bearer", "basic", "token", "jwt", "digest", "negotiate", "dpop")),
  fc.string({ unit: "binary", maxLength: 10 }),
);

const separatorArb = fc.constantFrom("", " ", "  ", "\t", ":", "=", ", ");

/** Three base64url-looking segments joined by dots (a JWT shape with nothing valid inside). */
const jwtShapedArb = fc
  .array(fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/), { minLength: 1, maxLength: 5 })
  .map((segments) => segments.join("."));

const hugeArb = fc
  .tuple(fc.constantFrom("Bearer ", ""), fc.constantFrom("A", "\u00e9", "\u{1F600}", ".", " ", "a."), fc.integer({ min: 1_000, max: 24_000 }))
  .map(([prefix, unit, count]) => prefix + unit.repeat(Math.ceil(count / unit.length)));

/**
 * Arbitrary Authorization header values: unicode, separators, odd schemes, JWT-shaped garbage, C1 controls and
 * huge values. C0 control characters (other than tab) are left out: HTTP/1.1 cannot carry them.
 */
export const authorizationArb: fc.Arbitrary<AuthorizationCase> = fc
  .oneof(
    fc.string({ unit: "binary", maxLength: 64 }),
    oddStringArb,
    fc.tuple(schemeArb, separatorArb, fc.oneof(oddStringArb, jwtShapedArb)).map(([scheme, sep, credential]) => `${scheme}${sep}${credential}`),
    jwtShapedArb.map((token) => `Bearer ${token}`),
    hugeArb,
  )
  .map((raw) => {
    const value = sendable(raw);
    return { value, strict: Buffer.byteLength(value, "utf8") <= STRICT_MAX_BYTES };
  });

/** The value without the characters HTTP/1.1 cannot carry in a header (C0 controls but tab, DEL). */
export function sendable(value: string): string {
  return value.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, "");
}
