import { describe, expect, it } from "vitest";
import { commonSecrets } from "../src/data/dictionaries.ts";
import { assessSecret, estimateEntropyBits, estimateWordSplit, MIN_ENTROPY_BITS } from "../src/checks/secret/strength.ts";
import { judgeSecretStrength } from "../src/checks/secret/judge.ts";
import type { Candidate } from "../src/model/target.ts";

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

  it("flags secrets built of words by a word split, whatever their length (they passed per character)", () => {
    // The standalone fixture's committed fallback: 35 characters, 137 bits per character.
    const committed = assessSecret("dev-secret-change-me-tasks-api-2024");
    expect(estimateEntropyBits("dev-secret-change-me-tasks-api-2024")).toBeGreaterThan(MIN_ENTROPY_BITS);
    expect(committed.ok).toBe(false);
    expect(committed.entropyBitsEstimate).toBeLessThan(100);
    expect(committed.problems.join("\n")).toMatch(/built of 5 dictionary words and a year: about \d+ bits by a word split/);
    for (const secret of ["purple-monkey-dishwasher-horse-river-2024", "correct-horse-battery-staple-lorem-ipsum", "Secret-Key-For-Production-Use-Only-2024!", "orange_elephant_quickly_fence_summer_rocket"]) {
      const result = assessSecret(secret);
      expect(secret.length, secret).toBeGreaterThanOrEqual(40);
      expect(estimateEntropyBits(secret), secret).toBeGreaterThanOrEqual(MIN_ENTROPY_BITS);
      expect(result.ok, secret).toBe(false);
      expect(result.problems.join("\n"), secret).toMatch(/by a word split/);
    }
    // The reason never spells out the words (the secret is redacted, its parts would not be).
    expect(committed.problems.join("\n")).not.toMatch(/tasks|change-me|2024/);
  });

  it("a word split of a random secret costs about what its characters do", () => {
    expect(estimateWordSplit("2adc70444e7e150a2e17bfc3da35efe0b7fb837f12a35913e390ee95e939042f").bits).toBeGreaterThanOrEqual(240);
    expect(estimateWordSplit("AklXSmJ3LrLsjsRc-4UCD0ihvMARksK1vgFwfHMua8QAPT64cntJM2-zddSDKwyt").bits).toBeGreaterThan(300);
    expect(estimateWordSplit("word-word-word-2024")).toMatchObject({ words: 3, years: 1 });
    expect(estimateWordSplit("Thisismysecretkey").words).toBeGreaterThanOrEqual(3);
  });

  it("flags known example values: tutorial placeholders and values the target's own material holds", () => {
    for (const secret of ["dev-4f9c2a1be07d43c6a8e5f1b2c3d4e5f6a7b8c9d0", "put-your-secret-key-here-0123456789abcdef", "a-string-secret-at-least-256-bits-long-xyz", "my-supersecret-token-signing-value-please"]) {
      expect(assessSecret(secret).ok, secret).toBe(false);
    }
    const random = "r+6+5Mb5H02+r/0YqWpImPl21J5nqH6F06FLaCCVW0g=";
    const committed: Candidate = { value: random, kind: "secret", source: "file: backend/.env.example:4" };
    const result = assessSecret(random, [committed]);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(["a value the target's own material holds (file: backend/.env.example:4): anyone who reads it has the key"]);
    const outcome = judgeSecretStrength(random, [committed]);
    expect(outcome.status).toBe("fail");
    expect(JSON.stringify(outcome)).not.toContain(random);
    expect(judgeSecretStrength(random, [{ ...committed, value: "something-else" }]).status).toBe("pass");
  });
});
