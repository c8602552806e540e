// A realistic hand-built report for the report tests: failures with evidence (and hostile strings in it),
// an error, skips, passes, a property counterexample, an isolation matrix, and an older baseline run.
import type { Severity } from "../src/catalogue/types.ts";
import { SCHEMA_VERSION, type CheckEntry, type Report, type Result } from "../src/report/schema.ts";
import { withFindings } from "../src/report/findings.ts";

/** Stands in for the shared secret: it must never reach a written report. */
export const SECRET = "tutorial-secret-Q7v9-DO-NOT-LEAK-2f6c1d";
export const HOSTILE = `<script>alert("pwned")</script></pre><img src=x onerror=alert(1)>`;
const RAW_TOKEN =
  "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ1c3JfQSIsImlzcyI6Imh0dHA6Ly8xMjcuMC4wLjE6MzAwMCIsImV4cCI6OTk5OTk5OTk5OX0.";

/** The kind of redaction the engine applies upstream: secrets replaced, tokens shortened. */
export function redact(text: string): string {
  return text
    .split(SECRET)
    .join("[REDACTED]")
    .replace(/eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, (jwt) => `${jwt.slice(0, 12)}…(${jwt.length} chars)`);
}

const API = "http://127.0.0.1:8000";

const CHECKS: CheckEntry[] = [
  check("transport.missing-token", "Missing token is rejected", "transport", "high", ["RFC 6750 §3", "ASVS 8.3.1"]),
  check("token.alg-none", "alg none is rejected", "token", "critical", ["RFC 8725 §2.1", "RFC 8725 §3.1", "ASVS 9.1.2", "CWE-347"]),
  check("token.signature-stripped", "Stripped signature is rejected", "token", "critical", ["CVE-2020-28042", "CWE-347"]),
  check("token.malformed", "Malformed tokens are rejected without 5xx", "token", "medium", ["RFC 8725 §3.7", "ASVS 16.5.3"]),
  check("claims.exp-expired", "Expired tokens are rejected", "claims", "high", ["RFC 7519 §4.1.4", "ASVS 9.2.1", "CWE-613"]),
  check("claims.lifetime", "Token lifetime within policy", "claims", "info", ["ASVS 7.3.2"]),
  check("isolation.read-foreign", "Users cannot read each other's items", "isolation", "high", ["API1:2023", "ASVS 8.2.2", "CWE-639"]),
  check("isolation.write-foreign", "Users cannot change each other's items", "isolation", "critical", ["API1:2023", "ASVS 8.2.2", "CWE-639"]),
  check("cors.reflect-origin", "Foreign origins are not reflected", "cors", "high", ["ASVS 3.4.2", "CWE-942", "Fetch standard"]),
  check("cookie.samesite", "Session cookie has SameSite Lax or Strict", "cookie", "medium", ["ASVS 3.3.2", "ZAP 10054"]),
  check("hygiene.no-store", "Authenticated responses are not cached", "hygiene", "low", ["ASVS 14.3.2", "CWE-525"]),
  check("property.token-rejection", "Any untrusted token is rejected (P1)", "property", "critical", ["RFC 8725 §3.1", "CWE-347"]),
];

function check(id: string, title: string, category: CheckEntry["category"], severity: Severity, refs: string[]): CheckEntry {
  return {
    id,
    title,
    category,
    severity,
    sends: `requests probing ${id}`,
    expects: "401 with WWW-Authenticate: Bearer, a generic body, never 5xx",
    why: `If ${title.toLowerCase()} does not hold, an attacker can act as another user.`,
    fix: "Verify the signature with an explicit algorithm allow-list before reading any claim.",
    refs,
  };
}

function result(checkId: string, status: Result["status"], extra: Partial<Result> = {}): Result {
  const def = CHECKS.find((c) => c.id === checkId)!;
  const endpoint = extra.endpoint;
  return {
    id: endpoint ? `${checkId} ${endpoint.method} ${endpoint.path}` : checkId,
    checkId,
    title: def.title,
    category: def.category,
    severity: def.severity,
    status,
    refs: def.refs,
    durationMs: 12,
    ...extra,
  };
}

function rawResults(): Result[] {
  return [
    result("token.alg-none", "fail", {
      endpoint: { method: "GET", path: "/api/tasks", url: `${API}/api/tasks` },
      reason: `4 of 38 alg:none variants were accepted with 200 and the task list of user A. Server said: ${HOSTILE}`,
      variants: { total: 38, failed: 4 },
      evidence: {
        exchanges: [
          {
            label: `alg "none", empty signature ${HOSTILE}`,
            request: { method: "GET", url: `${API}/api/tasks`, headers: { authorization: `Bearer ${RAW_TOKEN}`, "x-probe": HOSTILE } },
            response: {
              status: 200,
              headers: { "content-type": "application/json", "set-cookie": ["a=1; Path=/", "b=2; Path=/"] },
              body: `[{"id":1,"title":"${HOSTILE}","owner":"usr_A"}] verified with key ${SECRET}`,
            },
          },
          {
            label: "alg \"NoNe\", original signature",
            request: { method: "GET", url: `${API}/api/tasks`, headers: { authorization: `Bearer ${RAW_TOKEN}` } },
            response: { status: 200, headers: { "content-type": "application/json" }, body: "[]" },
          },
        ],
        failedVariants: ['alg "none", empty signature', 'alg "NoNe", original signature', 'alg "NONE", empty signature', 'alg "nOnE", empty signature'],
        notes: [`The backend decoded the header before checking it; secret ${SECRET} was used.`],
      },
      reproduce: `curl -sS -H 'Authorization: Bearer ${RAW_TOKEN}' '${API}/api/tasks'`,
    }),
    result("isolation.read-foreign", "fail", {
      endpoint: { method: "GET", path: "/api/tasks/{id}", url: `${API}/api/tasks/41` },
      reason: "User B read user A's task 41: 200 with A's title in the body (policy expects 404).",
      evidence: {
        exchanges: [
          {
            label: "B reads A's task",
            request: { method: "GET", url: `${API}/api/tasks/41`, headers: { authorization: "Bearer eyJhbGciOi…(B, 412 chars)" } },
            response: { status: 200, headers: { "content-type": "application/json" }, body: '{"id":41,"title":"A private plan","user_id":"usr_A"}' },
          },
        ],
      },
      reproduce: `curl -sS -H 'Authorization: Bearer <token of B>' '${API}/api/tasks/41'`,
    }),
    result("isolation.write-foreign", "fail", {
      endpoint: { method: "DELETE", path: "/api/tasks/{id}", url: `${API}/api/tasks/41` },
      reason: "User B deleted user A's task 41 (204); A's read-back returned 404.",
      evidence: {
        exchanges: [
          {
            label: "B deletes A's task",
            request: { method: "DELETE", url: `${API}/api/tasks/41`, headers: { authorization: "Bearer <B>" } },
            response: { status: 204, headers: {}, body: "" },
          },
          {
            label: "A reads it back",
            request: { method: "GET", url: `${API}/api/tasks/41`, headers: { authorization: "Bearer <A>" } },
            response: { status: 404, headers: { "content-type": "application/json" }, body: '{"detail":"Not found"}' },
          },
        ],
      },
      reproduce: `curl -sS -X DELETE -H 'Authorization: Bearer <token of B>' '${API}/api/tasks/41'`,
    }),
    result("hygiene.no-store", "fail", {
      endpoint: { method: "GET", path: "/api/me", url: `${API}/api/me` },
      reason: "Authenticated JSON response carries no Cache-Control: no-store.",
    }),
    result("claims.lifetime", "fail", {
      reason: "Real tokens live 7200 s (exp - iat); the policy allows 3600 s.",
    }),
    result("property.token-rejection", "fail", {
      endpoint: { method: "GET", path: "/api/me", url: `${API}/api/me` },
      reason: "P1 found a token that is not validly signed but was accepted (200).",
      counterexample: {
        seed: 1337,
        path: "25:1:0",
        header: { alg: "HS256", typ: "JWT", kid: HOSTILE },
        claims: { sub: "usr_A", exp: 9999999999 },
        authorization: "Bearer eyJhbGciOiJIUzI1…(187 chars)",
      },
      reproduce: `curl -sS -H 'Authorization: Bearer eyJhbGciOiJIUzI1…' '${API}/api/me'`,
    }),
    result("token.malformed", "error", {
      endpoint: { method: "GET", path: "/api/tasks", url: `${API}/api/tasks` },
      reason: "Timed out after 10 s on the 1 MB header variant; the check could not be decided.",
      evidence: {
        exchanges: [
          {
            label: "1 MB header",
            request: { method: "GET", url: `${API}/api/tasks`, headers: { authorization: "Bearer eyJ…(1048600 chars)" } },
            error: "timeout after 10000 ms",
          },
        ],
      },
    }),
    result("claims.exp-expired", "skip", { reason: "needs a signing key" }),
    result("cookie.samesite", "skip", { reason: "no session cookie was set on sign-in" }),
    result("transport.missing-token", "pass", { endpoint: { method: "GET", path: "/api/tasks" } }),
    result("transport.missing-token", "pass", { endpoint: { method: "GET", path: "/api/me" } }),
    result("token.signature-stripped", "pass", { endpoint: { method: "GET", path: "/api/tasks" } }),
    result("cors.reflect-origin", "pass"),
  ];
}

function redactResult(r: Result): Result {
  return JSON.parse(redact(JSON.stringify(r))) as Result;
}

/** A fresh, valid, redacted report (deep copy on every call). */
export function buildReport(overrides: Partial<Report> = {}): Report {
  const results = overrides.results ?? rawResults().map(redactResult);
  const failOn: Severity = overrides.policy?.failOn ?? "high";
  return withFindings({
    schemaVersion: SCHEMA_VERSION,
    run: { state: "complete" },
    tool: { name: "authproof", version: "0.1.0" },
    runId: "20260501-101203-a1b2c3",
    target: { apiUrl: API, authUrl: "http://127.0.0.1:3000/api/auth", mode: "jwks", oracle: "none" },
    startedAt: "2026-05-01T10:12:03.456Z",
    durationMs: 41_230,
    seed: 1337,
    policy: { failOn, foreignStatus: "404", maxTokenLifetimeSec: 3600 },
    checks: structuredClone(CHECKS),
    results,
    matrix: {
      users: [
        { label: "A", id: "usr_A_8f2k1m" },
        { label: "B", id: "usr_B_3j9x0q" },
      ],
      cells: [
        { user: "A", method: "GET", route: "/api/tasks/{id}", objectOwner: "A", expected: "200", status: 200, verdict: "enforced" },
        { user: "B", method: "GET", route: "/api/tasks/{id}", objectOwner: "A", expected: "404", status: 200, verdict: "bypassed" },
        { user: "A", method: "PUT", route: "/api/tasks/{id}", objectOwner: "A", expected: "200", status: 200, verdict: "enforced" },
        { user: "B", method: "PUT", route: "/api/tasks/{id}", objectOwner: "A", expected: "404", status: 404, verdict: "enforced" },
        { user: "A", method: "DELETE", route: "/api/tasks/{id}", objectOwner: "A", expected: "204", status: null, verdict: "error" },
        { user: "B", method: "DELETE", route: "/api/tasks/{id}", objectOwner: "A", expected: "404", status: 204, verdict: "bypassed" },
      ],
    },
    ...overrides,
  });
}

/** The same report as a 1.0.0 report.json held it: no findings, no skippedByReason, no finding counts. */
export function buildLegacyReport(): Record<string, unknown> {
  const { findings: _findings, summary, ...rest } = buildReport();
  const { skippedByReason: _skipped, findings: _counts, ...oldSummary } = summary;
  return JSON.parse(JSON.stringify({ ...rest, schemaVersion: "1.0.0", summary: oldSummary })) as Record<string, unknown>;
}

/**
 * An earlier run: alg-none and read-foreign already failed (→ unchanged); missing-token on /api/me and
 * cors.reflect-origin failed then (→ fixed, they pass now); token.jku-x5u failed and is not in the current run (→ absent).
 */
export function buildBaseline(): Report {
  const current = buildReport();
  const jku: CheckEntry = {
    ...check("token.alg-none", "jku / x5u are not fetched", "token", "critical", ["RFC 8725 §3.10", "CVE-2018-0114"]),
    id: "token.jku-x5u",
  };
  const keep = new Set(["token.alg-none GET /api/tasks", "isolation.read-foreign GET /api/tasks/{id}"]);
  const results: Result[] = current.results
    .filter((r) => keep.has(r.id))
    .concat([
      { ...current.results.find((r) => r.id === "transport.missing-token GET /api/me")!, status: "fail", reason: "200 without a token" },
      { ...current.results.find((r) => r.id === "cors.reflect-origin")!, status: "fail", reason: "https://evil.example reflected with credentials" },
      {
        id: "token.jku-x5u GET /api/tasks",
        checkId: "token.jku-x5u",
        title: jku.title,
        category: "token",
        severity: "critical",
        status: "fail",
        endpoint: { method: "GET", path: "/api/tasks" },
        reason: "The backend fetched the attacker's jku.",
        refs: jku.refs,
      },
      { ...current.results.find((r) => r.id === "hygiene.no-store GET /api/me")!, status: "pass", reason: undefined },
    ]);
  return withFindings({
    ...current,
    runId: "20260420-090000-old001",
    startedAt: "2026-04-20T09:00:00.000Z",
    checks: [...current.checks, jku],
    results,
    matrix: undefined,
  });
}

const READS = [
  { method: "GET", path: "/api/me" },
  { method: "GET", path: "/api/tasks" },
  { method: "GET", path: "/api/tasks/{task_id}" },
  { method: "GET", path: "/api/users/{user_id}/tasks" },
];
const WRITES = [
  { method: "POST", path: "/api/tasks" },
  { method: "PUT", path: "/api/tasks/{task_id}" },
  { method: "PATCH", path: "/api/tasks/{task_id}" },
  { method: "DELETE", path: "/api/tasks/{task_id}" },
];
/** The 32 alg:none variants a flawed verifier accepts (of 38 sent to read operations; writes get the first three). */
export const ALG_NONE_ACCEPTED = ["none", "None", "nOne", "noNe", "nonE", "NOne", "NoNe", "NonE", "nONe", "nOnE", "noNE", "NONe", "NOnE", "NoNE", "nONE", "NONE"].flatMap(
  (alg) => [`alg=${alg} signature=empty`, `alg=${alg} signature=original`],
);

/**
 * The report of one seeded `alg: none` flaw: token.alg-none fails on 8 routes (4 reads with 32 of 38 variants,
 * 4 writes sent only the first 3 variants, all accepted), P1 finds it again on GET /api/me, and the claims
 * checks are skipped for want of a key (black box).
 */
export function buildAlgNoneReport(): Report {
  const checks = [
    check("token.alg-none", "Unsigned tokens (alg none) are refused", "token", "critical", ["RFC 8725 §2.1", "CWE-347"]),
    check("token.signature-stripped", "Stripped signature is rejected", "token", "critical", ["CVE-2020-28042", "CWE-347"]),
    check("claims.exp-expired", "Expired tokens are rejected", "claims", "high", ["RFC 7519 §4.1.4"]),
    check("claims.sub", "Tokens without a known subject are refused", "claims", "high", ["RFC 8725 §3.8"]),
    check("property.token-rejection", "Any untrusted token is rejected (P1)", "property", "critical", ["RFC 8725 §3.1", "CWE-347"]),
  ];
  const base = (checkId: string, endpoint: { method: string; path: string }, status: Result["status"], extra: Partial<Result> = {}): Result => {
    const def = checks.find((c) => c.id === checkId)!;
    return {
      id: `${checkId} ${endpoint.method} ${endpoint.path}`,
      checkId,
      title: def.title,
      category: def.category,
      severity: def.severity,
      status,
      endpoint: { ...endpoint, url: `${API}${endpoint.path.replace("{task_id}", "41").replace("{user_id}", "usr_A")}` },
      refs: def.refs,
      durationMs: 5,
      ...extra,
    };
  };
  const failing = (endpoint: (typeof READS)[number], accepted: string[], total: number, status: number) =>
    base("token.alg-none", endpoint, "fail", {
      reason: `${accepted.length} of ${total} variants were not handled as expected; first: ${accepted[0]} — accepted with ${status} (valid token gets ${status}, expected 401)`,
      variants: { total, failed: accepted.length },
      evidence: {
        exchanges: [
          {
            label: `${accepted[0]} → accepted with ${status}`,
            request: { method: endpoint.method, url: `${API}${endpoint.path}`, headers: { authorization: "Bearer eyJhbGciOi…(120 chars)" } },
            response: { status, headers: { "content-type": "application/json" }, body: "{}" },
          },
        ],
        failedVariants: accepted.map((v) => `${v}: accepted with ${status} (valid token gets ${status}, expected 401)`),
      },
      reproduce: `curl -sS -X ${endpoint.method} -H 'Authorization: Bearer eyJhbGciOi…' '${API}${endpoint.path}'`,
      impact: "forgery",
      exploitConfirmed: endpoint.path === "/api/me",
    });
  const results: Result[] = [
    ...READS.map((e) => failing(e, ALG_NONE_ACCEPTED, 38, 200)),
    ...WRITES.map((e) => failing(e, ALG_NONE_ACCEPTED.slice(0, 3), 3, 422)),
    ...[...READS, ...WRITES].map((e) => base("token.signature-stripped", e, "pass", { variants: { total: 1, failed: 0 } })),
    ...READS.map((e) => base("claims.exp-expired", e, "skip", { reason: "needs a signing key (shared secret or a private key the target trusts)" })),
    ...READS.map((e) => base("claims.sub", e, "skip", { reason: "needs a signing key (shared secret or a private key the target trusts)" })),
    base("property.token-rejection", READS[0]!, "fail", {
      reason: [
        'falsified after 6 run(s) and 4 shrink(s), seed 7, path "7:0:0": accepted with 200 (valid token gets 200, expected 401)',
        `counterexample: base: A's token; header: "alg"="none"; signature: trusted key`,
        'expected because: alg "none" is not an algorithm of a trusted key',
      ].join("\n  "),
      variants: { total: 6, failed: 1 },
      evidence: { exchanges: [], failedVariants: [`base: A's token; header: "alg"="none"; signature: trusted key → accepted with 200`] },
      counterexample: { seed: 7, path: "7:0:0", header: { alg: "none", kid: "k1" }, claims: { sub: "usr_A", exp: 9999999999 } },
    }),
  ];
  return withFindings({
    schemaVersion: SCHEMA_VERSION,
    run: { state: "complete" },
    tool: { name: "authproof", version: "0.1.0" },
    runId: "20261201-alg-none",
    target: { apiUrl: API, authUrl: "http://127.0.0.1:3000", mode: "jwks", oracle: "none" },
    startedAt: "2026-12-01T09:00:00.000Z",
    durationMs: 30_000,
    seed: 7,
    policy: { failOn: "low", foreignStatus: "404", maxTokenLifetimeSec: 3600 },
    checks,
    results,
  });
}
