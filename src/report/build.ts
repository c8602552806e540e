import { traceReportPath } from "./artifacts.ts";
import { CHECKS, getCheck } from "../catalogue/checks.ts";
import { toCurlWithVariables } from "../http/curl.ts";
import type { Exchange as HttpExchange } from "../http/types.ts";
import type { CheckOutcome } from "../judge/types.ts";
import { SCHEMA_VERSION, type Report, type Result, type RunState } from "./schema.ts";
import { summaryOf } from "./summary.ts";
import { groupFindings } from "./findings.ts";
import { severityRank } from "../catalogue/types.ts";
import type { AuditUser, TargetModel } from "../model/target.ts";
import type { HttpRequest } from "../http/types.ts";
import { maskExchange } from "../http/mask.ts";
import { DEFAULT_SOURCE_FILE } from "./format.ts";
import type { WriteEntry } from "../http/writes.ts";

/** One outcome as the suites recorded it. */
export interface RecordedOutcome {
  outcome: CheckOutcome;
  suiteFile: string;
  durationMs: number;
}

/** Checks whose evidence carries session cookies and session tokens: their exchanges are masked. */
const SESSION_CATEGORIES = new Set(["cookie", "csrf", "cors", "browser"]);

const BODY_EXCERPT = 2000;

export interface BuildReportOptions {
  runId: string;
  toolVersion: string;
  durationMs: number;
  /** Applied to every string of the report: secrets out, tokens shortened. */
  redact: (text: string) => string;
  /** Whether the run finished (default complete). */
  run?: RunState;
  /** Every state-changing request the audit sent, grouped. */
  writes?: WriteEntry[];
  /** What the audit sent and how fast. */
  requests?: Report["requests"];
  /** --shard i/n: the slice of the work this report holds. */
  shard?: Report["shard"];
}

/**
 * Turns the recorded outcomes into the report model (catalogue data joined in, evidence redacted), with the
 * failed results grouped into findings (after redaction, so finding text matches the results').
 */
export function buildReport(model: TargetModel, recorded: RecordedOutcome[], options: BuildReportOptions): Report {
  const results = redactDeep(dedupe(recorded.map(({ outcome, durationMs }) => toResult(outcome, durationMs, model.users))), options.redact);
  const findings = groupFindings(results);
  const usedChecks = new Set(results.map((r) => r.checkId));
  const cells = recorded.flatMap(({ outcome }) => outcome.matrix ?? []);
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "authproof", version: options.toolVersion },
    runId: options.runId,
    target: { apiUrl: model.config.api.baseUrl, authUrl: model.config.auth.baseUrl, mode: model.config.mode, oracle: model.oracle },
    startedAt: model.startedAt,
    durationMs: options.durationMs,
    run: options.run ?? { state: "complete" },
    ...(options.writes ? { writes: options.writes } : {}),
    ...(options.requests ? { requests: options.requests } : {}),
    seed: model.seed,
    ...(options.shard ? { shard: options.shard } : {}),
    policy: {
      failOn: model.config.policy.failOn,
      foreignStatus: model.config.policy.foreignStatus,
      maxTokenLifetimeSec: model.config.policy.maxTokenLifetimeSec,
    },
    summary: summaryOf(results, findings, model.config.policy.failOn),
    checks: CHECKS.filter((check) => usedChecks.has(check.id)).map((check) => ({ ...check, refs: [...check.refs] })),
    results,
    findings,
    replayBasis: {
      users: model.users.map((u) => ({ label: u.label, userId: u.userId, header: u.header, claims: u.claims })),
      publicJwks: model.publicJwks as Array<Record<string, unknown>>,
      expected: model.expected,
    },
    source: { file: model.config.report.sourceFile ?? DEFAULT_SOURCE_FILE, routes: normalisedRoutes(model.config.report.sourceFiles) },
    ...(cells.length ? { matrix: { users: model.users.map((u) => ({ label: u.label, id: u.userId })), cells } } : {}),
  };
  return redactDeep(report, options.redact);
}

/** `report.sourceFiles` keys as results name routes: `"get /api/x"` → `"GET /api/x"`. */
function normalisedRoutes(files: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([route, file]) => {
    const [method, ...path] = route.trim().split(" ");
    return [`${method!.toUpperCase()} ${path.join(" ").trim()}`, file];
  }));
}

/**
 * No answer, no verdict: a pass or fail whose evidence holds an exchange without a response (refused, reset,
 * timed out, never sent) becomes an error naming it. A safety net under the judges, who should already say so.
 */
export function withoutUnansweredVerdicts(outcome: CheckOutcome): CheckOutcome {
  if (outcome.status !== "pass" && outcome.status !== "fail") return outcome;
  const unanswered = outcome.exchanges?.find(({ exchange }) => !exchange.response);
  if (!unanswered) return outcome;
  const why = unanswered.exchange.error ? `${unanswered.exchange.error.kind}: ${unanswered.exchange.error.message}` : "no response";
  const was = `it would have been ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ""}`;
  return { ...outcome, status: "error", reason: `no answer to "${unanswered.label}" (${why}); ${was}` };
}

function toResult(recorded: CheckOutcome, durationMs: number, users: ReadonlyArray<AuditUser>): Result {
  const outcome = withoutUnansweredVerdicts(recorded);
  const check = getCheck(outcome.checkId);
  const endpoint = outcome.endpoint;
  const masked = SESSION_CATEGORIES.has(check.category);
  const exchanges = (outcome.exchanges ?? []).map(({ label, exchange }) => ({ label, exchange: masked ? maskExchange(exchange) : exchange }));
  const firstFailing = exchanges[0]?.exchange;
  return {
    id: endpoint ? `${check.id} ${endpoint.method} ${endpoint.path}` : check.id,
    checkId: check.id,
    title: check.title,
    category: check.category,
    severity: outcome.status === "fail" ? (outcome.severity ?? check.severity) : check.severity,
    status: outcome.status,
    ...(outcome.status === "fail" && outcome.impact ? { impact: outcome.impact } : {}),
    ...(outcome.exploitConfirmed ? { exploitConfirmed: true } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(exchanges.length || outcome.failedVariants || outcome.notes || outcome.traces?.length
      ? {
          evidence: {
            exchanges: exchanges.map(({ label, exchange }) => toEvidence(label, exchange)),
            ...(outcome.failedVariants ? { failedVariants: outcome.failedVariants } : {}),
            ...(outcome.notes?.length ? { notes: outcome.notes } : {}),
            ...(outcome.traces?.length ? { traces: outcome.traces.map((t) => ({ path: traceReportPath(t.file), title: t.title })) } : {}),
          },
        }
      : {}),
    ...(firstFailing && outcome.status !== "pass" ? reproduction(firstFailing.request, exchanges[0]!.label, users) : {}),
    refs: [...check.refs],
    ...(outcome.variants ? { variants: outcome.variants } : {}),
    ...(outcome.counterexample ? { counterexample: outcome.counterexample } : {}),
    durationMs,
  };
}

type Placeholder = NonNullable<Result["replay"]>["placeholders"][string];

/**
 * The reproduce line of a result: its first exchange as a complete curl command, every token and session in
 * it a `$AUTHPROOF_…` variable (the forged token, user A's or B's real token or session), and what `authproof
 * replay` needs to fill them in again (the attack variant, what each variable stands for).
 */
function reproduction(request: HttpRequest, label: string, users: ReadonlyArray<AuditUser>): Pick<Result, "reproduce" | "replay"> {
  const variables: Record<string, string> = {};
  const placeholders: Record<string, Placeholder> = {};
  const add = (name: string, value: string, what: Placeholder) => {
    if (value.length < 8 || Object.values(variables).includes(value)) return;
    variables[name] = value;
    placeholders[name] = what;
  };
  for (const user of users) {
    add(`AUTHPROOF_TOKEN_${user.label}`, user.token, `user ${user.label}`);
    add(`AUTHPROOF_SESSION_${user.label}`, user.sessionToken, `session ${user.label}`);
  }
  const authorization = Object.entries(request.headers ?? {}).filter(([name]) => name.toLowerCase() === "authorization").flatMap(([, v]) => (Array.isArray(v) ? v : [v]));
  authorization.forEach((value, i) => {
    const credential = /^\S+\s+(\S.*)$/.exec(value)?.[1] ?? value;
    add(i === 0 ? "AUTHPROOF_TOKEN" : `AUTHPROOF_TOKEN_${i + 1}`, credential, "forged");
  });
  const used = Object.fromEntries(Object.entries(variables).filter(([, value]) => JSON.stringify(request).includes(JSON.stringify(value).slice(1, -1))));
  const variant = label.includes(" → ") ? label.slice(0, label.indexOf(" → ")) : undefined;
  return {
    reproduce: toCurlWithVariables(request, used),
    replay: { ...(variant ? { variant } : {}), placeholders: Object.fromEntries(Object.keys(used).map((name) => [name, placeholders[name]!])) },
  };
}

function toEvidence(label: string, exchange: HttpExchange): NonNullable<Result["evidence"]>["exchanges"][number] {
  const { request, response, error } = exchange;
  const body = typeof request.body === "string" ? request.body : request.json !== undefined ? JSON.stringify(request.json) : undefined;
  return {
    label,
    request: { method: request.method, url: request.url, headers: request.headers ?? {}, ...(body !== undefined ? { body: excerpt(body) } : {}) },
    ...(response ? { response: { status: response.status, headers: response.headers, body: excerpt(response.body) } } : {}),
    ...(error ? { error: `${error.kind}: ${error.message}` } : {}),
  };
}

function excerpt(text: string): string {
  return text.length > BODY_EXCERPT ? `${text.slice(0, BODY_EXCERPT)}… (${text.length} characters)` : text;
}

const STATUS_WEIGHT = { fail: 3, error: 2, pass: 1, skip: 0 } as const;

/** One result per id (the report's contract): if a check was recorded twice for an endpoint, the worse verdict stands. */
function dedupe(results: Result[]): Result[] {
  const byId = new Map<string, Result>();
  for (const result of results) {
    const seen = byId.get(result.id);
    if (!seen || STATUS_WEIGHT[result.status] > STATUS_WEIGHT[seen.status] || (result.status === seen.status && severityRank(result.severity) > severityRank(seen.severity)))
      byId.set(result.id, result);
  }
  return [...byId.values()];
}

/** Applies the redactor to every string in a JSON value (keys included). */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  const walk = (node: unknown): unknown => {
    if (typeof node === "string") return redact(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object")
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [redact(key), walk(child)]));
    return node;
  };
  return walk(value) as T;
}
