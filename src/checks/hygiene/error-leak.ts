import type { AttackOutcome } from "../attack/judge.ts";
import { severityRank, type Severity } from "../../catalogue/types.ts";
import type { CheckOutcome } from "../../judge/types.ts";

type Endpoint = NonNullable<CheckOutcome["endpoint"]>;

/** What a body must not contain, and how much it matters: internals are medium, library wording low. */
const LEAK_PATTERNS: Array<[RegExp, string, Severity]> = [
  [/Traceback \(most recent call last\)/, "Python traceback", "medium"],
  [/File "[^"]+", line \d+/, "source file path and line", "medium"],
  [/\bat [\w.$<>]+ \([^)]*:\d+:\d+\)/, "JavaScript stack trace", "medium"],
  [/sqlite3?\.|psycopg|SQLSTATE|syntax error at or near/i, "database error text", "medium"],
  [/\bjwt\.exceptions\b|\bjose\.exceptions\b|\bPyJWTError\b|\bJWTError\b/, "JWT library exception name", "low"],
  [/(InvalidSignatureError|DecodeError|ExpiredSignatureError|InvalidAlgorithmError|ImmatureSignatureError|InvalidAudienceError|InvalidIssuerError|MissingRequiredClaimError)/, "JWT library error class", "low"],
  [/Signature verification failed|Not enough segments|Invalid header padding|Invalid crypto padding|The specified alg value is not allowed|Signature has expired|Invalid audience|Invalid issuer/i, "JWT library error text", "low"],
];

const MIN_ECHO_LENGTH = 8;

/**
 * hygiene.error-leak over every attack sent to one endpoint: no 5xx, no traceback or library error text,
 * no echo of the token or its header values, and one generic body for every kind of rejected token.
 */
export function judgeErrorLeak(endpoint: Endpoint, outcomes: AttackOutcome[]): CheckOutcome {
  const findings: Array<{ outcome: AttackOutcome; what: string; severity: Severity }> = [];
  for (const outcome of outcomes) {
    const response = outcome.exchange.response;
    if (!response) continue;
    if (response.status >= 500) findings.push({ outcome, what: `server error ${response.status}`, severity: "medium" });
    const pattern = LEAK_PATTERNS.find(([regex]) => regex.test(response.body));
    if (pattern) findings.push({ outcome, what: `body contains ${pattern[1]}`, severity: pattern[2] });
    const echoed = echoedValue(outcome, response.body);
    if (echoed) findings.push({ outcome, what: `body echoes ${echoed}`, severity: "low" });
  }
  // Saying "expired" for an expired token and "invalid" otherwise is what RFC 6750's error_description
  // allows: different rejection bodies are worth a note, and a finding only through what they reveal above.
  const rejectionBodies = new Map<string, AttackOutcome>();
  for (const outcome of outcomes) {
    const response = outcome.exchange.response;
    if (outcome.kind !== "rejected" || !response || response.status !== 401) continue;
    if (outcome.attack.authorization === null) continue;
    const shape = bodyShape(response.body);
    if (!rejectionBodies.has(shape)) rejectionBodies.set(shape, outcome);
  }
  const notes: string[] = [];
  if (rejectionBodies.size > 1) {
    const examples = [...rejectionBodies.values()].slice(0, 3);
    notes.push(`rejections use ${rejectionBodies.size} different bodies (info): ${examples.map((o) => JSON.stringify(o.exchange.response!.body.slice(0, 80))).join(", ")}`);
  }
  const base = { checkId: "hygiene.error-leak" as const, endpoint, variants: { total: outcomes.length, failed: findings.length } };
  if (outcomes.length === 0) return { ...base, status: "skip", reason: "no attacks were sent to this endpoint" };
  if (findings.length === 0) return { ...base, status: "pass", notes };
  const ranked = [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  const kinds = [...new Set(ranked.map((f) => f.what))];
  return {
    ...base,
    status: "fail",
    severity: ranked[0]!.severity,
    reason: `${findings.length} answers leak or fail: ${kinds.slice(0, 4).join("; ")}`,
    failedVariants: ranked.slice(0, 50).map((f) => `${f.outcome.attack.checkId} / ${f.outcome.attack.variant}: ${f.what} [${f.severity}]`),
    notes,
    exchanges: ranked.slice(0, 3).map((f) => ({ label: `${f.outcome.attack.variant} → ${f.what}`, exchange: f.outcome.exchange })),
  };
}

function echoedValue(outcome: AttackOutcome, body: string): string | undefined {
  const header = outcome.attack.token?.header;
  if (header && typeof header === "object") {
    for (const name of ["kid", "jku", "x5u"]) {
      const value = (header as Record<string, unknown>)[name];
      if (typeof value === "string" && value.length >= MIN_ECHO_LENGTH && body.includes(value)) return `the ${name} header value`;
    }
  }
  const authorization = outcome.attack.authorization;
  const values = Array.isArray(authorization) ? authorization : authorization ? [authorization] : [];
  for (const value of values) {
    const token = value.replace(/^\S+\s+/, "");
    for (const segment of token.split(".")) {
      if (segment.length >= 16 && body.includes(segment)) return "part of the token";
    }
  }
  return undefined;
}

function bodyShape(body: string): string {
  return body.trim();
}
