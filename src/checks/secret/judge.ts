import { assessSecret } from "./strength.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import type { Candidate } from "../../model/target.ts";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

/** secret.strength: the configured shared secret, judged offline. */
export function judgeSecretStrength(secret: string | undefined, candidates: readonly Candidate[] = []): CheckOutcome {
  const base = { checkId: "secret.strength" as const };
  if (!secret) return { ...base, status: "skip", reason: "needs a signing key: no shared secret is configured" };
  const assessment = assessSecret(secret, candidates);
  const summary = `${assessment.lengthBytes} bytes, about ${Math.round(assessment.entropyBitsEstimate)} bits of entropy`;
  if (assessment.ok) return { ...base, status: "pass", notes: [summary] };
  return { ...base, status: "fail", reason: `weak shared secret: ${assessment.problems.join("; ")}`, notes: [summary] };
}

/** secret.jwks-private: the JWKS must carry public members only. */
export function judgeJwksPrivate(jwksDocument: unknown, url: string): CheckOutcome {
  const base = { checkId: "secret.jwks-private" as const, endpoint: { method: "GET", path: new URL(url).pathname, url } };
  if (jwksDocument === undefined) return { ...base, status: "skip", reason: "the target has no JWKS in this mode" };
  const keys = (jwksDocument as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) return { ...base, status: "error", reason: "the JWKS has no keys array" };
  const leaks = keys.flatMap((key, index) =>
    PRIVATE_MEMBERS.filter((member) => key && typeof key === "object" && member in key).map((member) => `key ${index} (kid ${String((key as { kid?: unknown }).kid)}) has "${member}"`),
  );
  if (leaks.length === 0) return { ...base, status: "pass", notes: [`${keys.length} public key(s)`] };
  return { ...base, status: "fail", reason: `the JWKS publishes private key material: ${leaks.join(", ")}` };
}
