import { createHash } from "node:crypto";
import { severityRank } from "../catalogue/types.ts";
import type { Finding, Report, Result } from "./schema.ts";
import { summaryOf } from "./summary.ts";

/** At most this many variant names are listed on a finding (`failedVariantsTotal` gives the full count). */
export const FINDING_VARIANT_CAP = 50;

/**
 * The variant a failed-variant line names, without what happened on that route: the judges write
 * `variant: detail`, `description → detail` or `thing — why`, and only the detail differs between routes.
 *
 * @example variantName("alg=none signature=empty: accepted with 422 (valid token gets 422, expected 401)") // "alg=none signature=empty"
 */
export function variantName(line: string): string {
  const cuts = [" → ", " — "].map((sep) => line.indexOf(sep)).filter((i) => i > 0);
  const cut = cuts.length ? Math.min(...cuts) : line.indexOf(": ");
  return (cut > 0 ? line.slice(0, cut) : line).trim();
}

/**
 * Groups the failed results into findings: one per check and verifier. Two failed results of a check share a
 * finding when they failed the same variants (the same verification code path judged both), or when one was
 * sent only some of the variants (write operations and dictionary samples get fewer), failed every one it
 * was sent, and the other failed those too. Property failures whose counterexample is a kind of token a
 * failed scenario check covers point at that finding (`relatedFinding`) instead of counting again.
 * Deterministic; ids are `<checkId>#<hash of the variant names>`, stable across runs.
 *
 * @example groupFindings(report.results).map((f) => `${f.id}: ${f.routes.length} routes`)
 */
export function groupFindings(results: readonly Result[]): Finding[] {
  const byCheck = new Map<string, Result[]>();
  for (const result of results) {
    if (result.status !== "fail") continue;
    byCheck.set(result.checkId, [...(byCheck.get(result.checkId) ?? []), result]);
  }
  const findings: Finding[] = [];
  for (const [checkId, failed] of byCheck) {
    const groups: Array<{ names: Set<string>; total: number; results: Result[] }> = [];
    for (const result of [...failed].sort(broadestFirst)) {
      const names = new Set(namesOf(result));
      const group = groups.find(
        (g) => sameSet(g.names, names) || (names.size > 0 && testedAllFailed(result) && (result.variants?.total ?? 0) < g.total && isSubset(names, g.names)),
      );
      if (group) group.results.push(result);
      else groups.push({ names, total: result.variants?.total ?? 0, results: [result] });
    }
    for (const group of groups) findings.push(toFinding(checkId, group.names, group.results));
  }
  return linkProperties(findings, results);
}

/**
 * The report with `findings` and `summary` derived again from its results (migrating a 1.0.0 report,
 * hand-built reports in tests). Pure.
 *
 * @example const report = withFindings({ ...old, schemaVersion: SCHEMA_VERSION });
 */
export function withFindings(report: Omit<Report, "findings" | "summary"> & Partial<Pick<Report, "findings" | "summary">>): Report {
  const findings = groupFindings(report.results);
  return { ...report, summary: summaryOf(report.results, findings, report.policy.failOn), findings };
}

function toFinding(checkId: string, names: Set<string>, results: Result[]): Finding {
  const worst = [...results].sort((a, b) => severityRank(b.severity) - severityRank(a.severity))[0]!;
  const variants = unique(results.flatMap(namesOf));
  const confirmed = results.map((r) => r.exploitConfirmed).filter((v): v is boolean => v !== undefined);
  return {
    id: `${checkId}#${signatureHash(checkId, [...names])}`,
    checkId,
    title: worst.title,
    category: worst.category,
    severity: worst.severity,
    routes: results.flatMap((r) => (r.endpoint ? [{ ...r.endpoint }] : [])),
    resultIds: results.map((r) => r.id),
    failedVariants: variants.slice(0, FINDING_VARIANT_CAP),
    ...(variants.length > FINDING_VARIANT_CAP ? { failedVariantsTotal: variants.length } : {}),
    ...(worst.reason ? { reason: worst.reason } : {}),
    ...(confirmed.length ? { exploitConfirmed: confirmed.some(Boolean) } : {}),
  };
}

function linkProperties(findings: Finding[], results: readonly Result[]): Finding[] {
  const byId = new Map(results.map((r) => [r.id, r]));
  const scenario = findings.filter((f) => !f.checkId.startsWith("property."));
  return findings.map((finding) => {
    if (!finding.checkId.startsWith("property.")) return finding;
    const result = byId.get(finding.resultIds[0]!)!;
    const routes = new Set(finding.routes.map(routeKey));
    for (const checkId of relatedCheckIds(result)) {
      const matches = scenario.filter((f) => f.checkId === checkId);
      const target = matches.find((f) => f.routes.some((r) => routes.has(routeKey(r)))) ?? matches[0];
      if (target) return { ...finding, relatedFinding: target.id };
    }
    return finding;
  });
}

const NONE_ALG = /^\s*none\s*$/i;

/**
 * The scenario checks whose kind of token a property failure's counterexample is, most specific first:
 * an `alg` none-ish header → token.alg-none, an empty signature → token.signature-stripped, the real
 * signature over changed claims → token.signature-tampered, expired / missing / non-numeric `exp` → claims.exp-*,
 * identity edits → claims.sub, the isolation model → isolation.*, header fuzzing → transport / malformed.
 * Reads `counterexample.header`, `counterexample.token` and the reason (recipe description and the model's
 * "expected because" reasons). An empty list when nothing matches.
 *
 * @example relatedCheckIds({ checkId: "property.token-rejection", counterexample: { seed: 1, header: { alg: "none" } } }) // ["token.alg-none", ...]
 */
export function relatedCheckIds(result: Pick<Result, "checkId" | "counterexample" | "reason" | "evidence">): string[] {
  const text = [result.reason ?? "", ...(result.evidence?.failedVariants ?? [])].join("\n");
  const out: string[] = [];
  const add = (...ids: string[]) => out.push(...ids.filter((id) => !out.includes(id)));
  if (result.checkId === "property.isolation-model") {
    if (/'s (PUT|PATCH|DELETE) of|update\(|delete\(/.test(text)) add("isolation.write-foreign");
    if (/read \w+'s object|read\(/.test(text)) add("isolation.read-foreign");
    if (/list/.test(text)) add("isolation.list-foreign");
    add("isolation.write-foreign", "isolation.read-foreign", "isolation.list-foreign", "isolation.path-user", "isolation.mass-assignment", "isolation.enumeration");
    return out;
  }
  if (result.checkId === "property.header-fuzz") {
    add("transport.scheme", "token.malformed", "token.magic-value", "transport.missing-token");
    return out;
  }
  if (result.checkId !== "property.token-rejection") return out;

  const header = asObject(result.counterexample?.header);
  const segments = result.counterexample?.token?.split(".");
  if (header) {
    if (!("alg" in header) || typeof header.alg !== "string" || header.alg === "" || NONE_ALG.test(header.alg)) add("token.alg-none");
    if ("jwk" in header) add("token.embedded-jwk");
    if ("jku" in header || "x5u" in header) add("token.jku-x5u");
    if ("crit" in header) add("token.crit-unknown");
    if ("kid" in header && (typeof header.kid !== "string" || /\.\.|\/|'|--|;/.test(header.kid))) add("token.kid-injection");
  }
  if ((segments?.length === 3 && segments[2] === "") || /signature: empty/.test(text)) add("token.signature-stripped");
  if (/signature: the real token's signature/.test(text)) {
    if (/header: [^;]*"alg"=/.test(text)) add("token.alg-relabel");
    add("token.signature-tampered");
  }
  if (/signature: HS\d+ with key ""/.test(text)) add("token.empty-key");
  if (/signature: HS\d+ with key/.test(text)) add("token.guessable-secret", "token.alg-confusion");
  if (/signature: an attacker Ed25519 key/.test(text)) add("token.wrong-key", "token.embedded-jwk");
  if (/signature: \d+ arbitrary bytes|; bytes: /.test(text)) add("token.signature-invalid", "token.malformed");
  if (/not the signing key's|is not an algorithm of a trusted key/.test(text)) add("token.alg-relabel", "token.alg-confusion");
  if (/expired \(exp|"exp"=now-/.test(text)) add("claims.exp-expired");
  if (/\bno exp\b|-"exp"/.test(text)) add("claims.exp-missing");
  if (/exp is .*not a (NumericDate|JSON number)|"exp"=(?!now)/.test(text)) add("claims.exp-invalid");
  if (/not yet valid|"nbf"=now\+/.test(text)) add("claims.nbf-future");
  if (/iss is |"iss"=|-"iss"/.test(text)) add("claims.iss");
  if (/aud is |"aud"=|-"aud"/.test(text)) add("claims.aud");
  if (/not a known user|expected because: (.*; )?no (sub|id|user_id)\b|-"(sub|id|user_id)"|"(sub|id|user_id)"=/.test(text)) add("claims.sub");
  if (/"crit"=/.test(text)) add("token.crit-unknown");
  return out;
}

function namesOf(result: Result): string[] {
  return unique((result.evidence?.failedVariants ?? []).map(variantName));
}

/** Results sent more variants first (they define a group's variant set), then by id for determinism. */
function broadestFirst(a: Result, b: Result): number {
  return (b.variants?.total ?? 0) - (a.variants?.total ?? 0) || a.id.localeCompare(b.id);
}

function testedAllFailed(result: Result): boolean {
  return result.variants !== undefined && result.variants.total > 0 && result.variants.failed === result.variants.total;
}

/** A hash of the variant names with run-specific parts (URLs, ports, long random tokens) masked. */
function signatureHash(checkId: string, names: string[]): string {
  const masked = names
    .map((n) => n.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s)]+/gi, "<url>").replace(/\b(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}\b/g, "<id>"))
    .sort();
  return createHash("sha256").update([checkId, ...unique(masked)].join("\n")).digest("hex").slice(0, 8);
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value === "string") {
    try {
      return asObject(JSON.parse(value));
    } catch {
      return undefined;
    }
  }
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function routeKey(route: { method: string; path: string }): string {
  return `${route.method.toUpperCase()} ${route.path}`;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && isSubset(a, b);
}

function isSubset(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
