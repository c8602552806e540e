import type { CheckOutcome } from "../../judge/types.ts";

/** claims.lifetime: exp - iat of the real tokens against the policy's maximum. */
export function judgeLifetime(tokens: Array<{ label: string; claims: Record<string, unknown> }>, maxLifetimeSec: number): CheckOutcome {
  const base = { checkId: "claims.lifetime" as const };
  const lifetimes = tokens.map(({ label, claims }) => ({ label, exp: claims.exp, iat: claims.iat }));
  const notes: string[] = [];
  for (const { label, exp, iat } of lifetimes) {
    if (typeof exp !== "number") return { ...base, status: "fail", reason: `user ${label}'s token has no numeric exp: it never expires` };
    if (typeof iat !== "number") {
      notes.push(`user ${label}'s token has no iat; lifetime unknown`);
      continue;
    }
    const lifetime = exp - iat;
    notes.push(`user ${label}: exp - iat = ${lifetime} s (${formatDuration(lifetime)})`);
    if (lifetime > maxLifetimeSec)
      return { ...base, status: "fail", reason: `tokens live ${formatDuration(lifetime)}, above the policy's ${formatDuration(maxLifetimeSec)}`, notes };
  }
  return { ...base, status: "pass", notes };
}

export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600} h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} min`;
  return `${seconds} s`;
}
