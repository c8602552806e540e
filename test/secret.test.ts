import { describe, expect, it } from "vitest";
import { commonSecrets } from "../src/data/dictionaries.ts";
import { assessSecret, estimateEntropyBits, MIN_ENTROPY_BITS } from "../src/checks/secret/strength.ts";

describe("assessSecret", () => {
  it.each([
    // Generated once with node:crypto randomBytes and fixed here, so the test is deterministic.
    ["openssl rand -hex 32", "2adc70444e7e150a2e17bfc3da35efe0b7fb837f12a35913e390ee95e939042f"],
    ["openssl rand -base64 32", "r+6+5Mb5H02+r/0YqWpImPl21J5nqH6F06FLaCCVW0g="],
    ["48 random base64url bytes", "AklXSmJ3LrLsjsRc-4UCD0ihvMARksK1vgFwfHMua8QAPT64cntJM2-zddSDKwyt"],
  ])("accepts a generated secret (%s)", (_label, secret) => {
    const result = assessSecret(secret);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.entropyBitsEstimate).toBeGreaterThanOrEqual(MIN_ENTROPY_BITS);
  });

  it("rejects the integration guide's placeholder for length, placeholder words and the common list", () => {
    const result = assessSecret("your-secret-key-min-32-chars");
    expect(result.ok).toBe(false);
    expect(result.lengthBytes).toBe(28);
    expect(result.problems.join("\n")).toMatch(/shorter than 32 bytes/);
    expect(result.problems.join("\n")).toMatch(/well-known/);
    expect(result.problems.join("\n")).toMatch(/your-/);
    expect(result.problems.join("\n")).toMatch(/min-32-chars/);
  });

  it("finds common secrets case-insensitively and trimmed", () => {
    expect(assessSecret("  SuperSecret ").problems.join("\n")).toMatch(/well-known/);
    expect(assessSecret("BETTER-AUTH-SECRET-12345678901234567890").problems.join("\n")).toMatch(/well-known/);
    expect(assessSecret("  SuperSecret ").problems.join("\n")).toMatch(/whitespace/);
  });

  it("flags long but low-entropy secrets", () => {
    const repeated = assessSecret("a".repeat(64));
    expect(repeated.ok).toBe(false);
    expect(repeated.entropyBitsEstimate).toBe(0);
    expect(repeated.problems.join("\n")).toMatch(/repeated/);
    const pattern = assessSecret("abcdabcdabcdabcdabcdabcdabcdabcdabcd");
    expect(pattern.ok).toBe(false);
    expect(pattern.problems.join("\n")).toMatch(/pattern repeated|entropy/);
    const words = assessSecret("change-this-secret-in-production-please");
    expect(words.ok).toBe(false);
    expect(words.problems.join("\n")).toMatch(/change me/);
  });

  it("counts bytes, not characters", () => {
    expect(assessSecret("é".repeat(16)).lengthBytes).toBe(32);
  });

  it("estimates entropy as length × alphabet bits capped by the string's own Shannon entropy", () => {
    expect(estimateEntropyBits("")).toBe(0);
    expect(estimateEntropyBits("ab")).toBeCloseTo(2); // Shannon: 1 bit/char
    expect(estimateEntropyBits("0123456789abcdef")).toBeCloseTo(64); // hex: 4 bits/char, Shannon also 4
    const random = "AklXSmJ3LrLsjsRc-4UCD0ihvMARksK1vgFwfHMua8QAPT64cntJM2-zddSDKwyt";
    expect(estimateEntropyBits(random)).toBeLessThanOrEqual(random.length * 6);
  });

  it("rejects every entry of the bundled common-secrets list", () => {
    for (const secret of commonSecrets()) expect(assessSecret(secret).ok, secret).toBe(false);
  });
});
