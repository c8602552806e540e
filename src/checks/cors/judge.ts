import type { Exchange, HttpResponse } from "../../http/types.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import type { OriginClass } from "./origins.ts";

type Endpoint = NonNullable<CheckOutcome["endpoint"]>;

/** How an origin was sent: a simple GET without / with a Cookie header, or a preflight asking for Authorization. */
export type CorsRequestKind = "simple" | "simple+cookie" | "preflight";

/** One CORS request and its answer. `classId` is the origin class, or "allowed" for the positive control. */
export interface CorsProbe {
  classId: string;
  origin: string;
  kind: CorsRequestKind;
  exchange: Exchange;
}

/** What a response grants to the Origin it was sent with. */
export interface CorsGrant {
  /** The Access-Control-Allow-Origin value, when present. */
  acao?: string;
  /** ACAO equals the sent origin, or is `*`: a script on that origin may read the answer. */
  allowed: boolean;
  /** Access-Control-Allow-Credentials: true. */
  credentials: boolean;
  /** Vary names Origin (or is `*`). */
  varyOrigin: boolean;
}

/** A CORS target: the server, the URL probed on it, and whether it shares the allowed (frontend) origin. */
export interface CorsTarget {
  name: string;
  endpoint: Endpoint;
  /** The allowed origins that are cross-origin to this target (its positive controls). */
  crossOriginAllowed: string[];
  /** True when the allowed origins were configured (cors.allowedOrigins), not guessed from the auth origin. */
  configured: boolean;
}

const EVIDENCE_LIMIT = 3;

/** Reads ACAO / ACAC / Vary of a response for the Origin that was sent. */
export function readGrant(response: HttpResponse, origin: string): CorsGrant {
  const acao = single(response.headers, "access-control-allow-origin");
  const acac = single(response.headers, "access-control-allow-credentials");
  const vary = all(response.headers, "vary").join(",").toLowerCase().split(",").map((v) => v.trim());
  const grant: CorsGrant = {
    allowed: acao !== undefined && (acao.trim() === "*" || acao.trim() === origin),
    credentials: acac?.trim().toLowerCase() === "true",
    varyOrigin: vary.includes("origin") || vary.includes("*"),
  };
  if (acao !== undefined) grant.acao = acao;
  return grant;
}

/** One line naming what got through: origin, request kind, ACAO, ACAC. */
export function describeProbe(probe: CorsProbe): string {
  const response = probe.exchange.response;
  if (!response) return `Origin: ${probe.origin} (${probe.kind}) → no answer`;
  const grant = readGrant(response, probe.origin);
  const acao = grant.acao === undefined ? "no ACAO" : `ACAO: ${grant.acao}`;
  return `Origin: ${probe.origin} (${probe.kind}) → ${response.status}, ${acao}${grant.credentials ? ", ACAC: true" : ""}`;
}

/**
 * The verdicts of every CORS check for one target: one per origin class, cors.wildcard-credentials and
 * cors.vary-origin. A configured allowed origin that is refused makes the class verdicts `error` (the
 * refusals would prove nothing). When arbitrary origins are allowed (cors.reflect-origin fails), the
 * narrower classes that also got through are reported there and skipped as subsumed.
 */
export function judgeCors(target: CorsTarget, classes: OriginClass[], probes: CorsProbe[]): CheckOutcome[] {
  const endpoint = target.endpoint;
  const control = judgePositiveControl(target, probes);
  const foreign = probes.filter((p) => p.classId !== "allowed");
  const granted = (p: CorsProbe) => (p.exchange.response ? readGrant(p.exchange.response, p.origin).allowed : false);
  const reflectGranted = foreign.filter((p) => p.classId === "reflect-origin" && granted(p));

  const classOutcomes = classes.map((cls): CheckOutcome => {
    const base = { checkId: cls.checkId, endpoint };
    if (cls.notApplicable) return { ...base, status: "skip", reason: cls.notApplicable };
    const mine = foreign.filter((p) => p.classId === cls.classId);
    if (mine.length === 0) return { ...base, status: "skip", reason: "every origin of this class is on the allowed list" };
    if (control.problem) return { ...base, status: "error", reason: control.problem, exchanges: control.exchanges, notes: control.notes };
    const unanswered = mine.filter((p) => !p.exchange.response);
    const through = mine.filter(granted);
    const variants = { total: mine.length, failed: through.length };
    if (through.length === 0 && unanswered.length > 0)
      return { ...base, status: "error", reason: `${unanswered.length} of ${mine.length} requests got no answer: ${unanswered[0]!.exchange.error?.message ?? "no response"}`, variants };
    if (through.length === 0)
      return { ...base, status: "pass", variants, notes: [...control.notes, `${unique(mine.map((p) => p.origin)).length} ${cls.label} origin(s) refused`], exchanges: labelled(mine.slice(0, 1)) };
    if (cls.classId !== "reflect-origin" && reflectGranted.length > 0)
      return {
        ...base,
        status: "skip",
        reason: `subsumed by cors.reflect-origin: this target allows arbitrary origins, including ${unique(through.map((p) => p.origin)).join(", ")}`,
        variants,
      };
    const origins = unique(through.map((p) => p.origin));
    const withCredentials = through.some((p) => readGrant(p.exchange.response!, p.origin).credentials);
    const alsoThrough =
      cls.classId === "reflect-origin"
        ? unique(foreign.filter((p) => p.classId !== "reflect-origin" && granted(p)).map((p) => `${p.origin} (${p.classId})`))
        : [];
    return {
      ...base,
      status: "fail",
      reason: `${target.name} allows the ${cls.label} origin ${origins.join(", ")}${withCredentials ? " with Access-Control-Allow-Credentials: true" : ""} (${unique(through.map((p) => p.kind)).join(", ")})`,
      variants,
      failedVariants: through.map(describeProbe),
      notes: [...control.notes, ...(alsoThrough.length ? [`also allowed: ${alsoThrough.slice(0, 20).join(", ")}`] : [])],
      exchanges: labelled(through.slice(0, EVIDENCE_LIMIT)),
    };
  });

  return [...classOutcomes, judgeWildcardCredentials(target, foreign, control), judgeVaryOrigin(target, probes)];
}

/** cors.wildcard-credentials: `ACAO: *` or a foreign origin granted together with `ACAC: true`. */
export function judgeWildcardCredentials(target: CorsTarget, foreign: CorsProbe[], control = judgePositiveControl(target, [])): CheckOutcome {
  const base = { checkId: "cors.wildcard-credentials" as const, endpoint: target.endpoint };
  if (foreign.length === 0) return { ...base, status: "skip", reason: "no foreign origin was sent" };
  if (control.problem) return { ...base, status: "error", reason: control.problem, exchanges: control.exchanges };
  const bad = foreign.filter((p) => {
    if (!p.exchange.response) return false;
    const grant = readGrant(p.exchange.response, p.origin);
    return grant.allowed && grant.credentials;
  });
  const variants = { total: foreign.length, failed: bad.length };
  if (bad.length === 0) return { ...base, status: "pass", variants, notes: control.notes };
  const star = bad.some((p) => readGrant(p.exchange.response!, p.origin).acao?.trim() === "*");
  const origins = unique(bad.map((p) => p.origin));
  return {
    ...base,
    status: "fail",
    reason: `${target.name} answers ${star ? "ACAO: * " : "foreign origins "}with Access-Control-Allow-Credentials: true; first: Origin ${origins[0]}${origins.length > 1 ? ` (and ${origins.length - 1} more)` : ""}`,
    variants,
    failedVariants: bad.map(describeProbe),
    exchanges: labelled(bad.slice(0, EVIDENCE_LIMIT)),
  };
}

/** cors.vary-origin: every answer whose ACAO names a specific origin (computed from the request) carries Vary: Origin. */
export function judgeVaryOrigin(target: CorsTarget, probes: CorsProbe[]): CheckOutcome {
  const base = { checkId: "cors.vary-origin" as const, endpoint: target.endpoint };
  const dynamic = probes.filter((p) => {
    const acao = p.exchange.response ? readGrant(p.exchange.response, p.origin).acao?.trim() : undefined;
    return acao !== undefined && acao !== "*";
  });
  if (dynamic.length === 0)
    return { ...base, status: "pass", notes: ["no answer carried an origin-specific Access-Control-Allow-Origin"] };
  const missing = dynamic.filter((p) => !readGrant(p.exchange.response!, p.origin).varyOrigin);
  const variants = { total: dynamic.length, failed: missing.length };
  if (missing.length === 0) return { ...base, status: "pass", variants };
  return {
    ...base,
    status: "fail",
    reason: `${missing.length} answer(s) with an origin-specific ACAO lack Vary: Origin; first: Origin ${missing[0]!.origin} (${missing[0]!.kind})`,
    variants,
    failedVariants: missing.map(describeProbe),
    exchanges: labelled(missing.slice(0, EVIDENCE_LIMIT)),
  };
}

interface ControlVerdict {
  problem?: string;
  notes: string[];
  exchanges?: Array<{ label: string; exchange: Exchange }>;
}

/**
 * The positive control: each allowed origin that is cross-origin to the target gets its ACAO. A refused
 * configured origin is a problem (the refusals of foreign origins would prove nothing); a refused origin the
 * harness only guessed (no cors.allowedOrigins) is a note.
 */
export function judgePositiveControl(target: CorsTarget, probes: CorsProbe[]): ControlVerdict {
  const controls = probes.filter((p) => p.classId === "allowed");
  if (target.crossOriginAllowed.length === 0) return { notes: ["the allowed origin is this target's own origin: no CORS needed (positive control not applicable)"] };
  if (controls.length === 0) return { notes: [] };
  const refused = controls.filter((p) => p.kind !== "simple" && !(p.exchange.response && readGrant(p.exchange.response, p.origin).allowed));
  if (refused.length === 0) return { notes: [`positive control: ${unique(controls.map((p) => p.origin)).join(", ")} allowed`] };
  const first = refused[0]!;
  const line = `the allowed origin ${first.origin} is refused (${describeProbe(first)})`;
  if (!target.configured)
    return { notes: [`${line}; no cors.allowedOrigins configured, so it was only a guess`] };
  return {
    problem: `positive control failed: ${line}; foreign origins being refused proves nothing (check cors.allowedOrigins and the request URL)`,
    notes: [],
    exchanges: labelled(refused.slice(0, 2)),
  };
}

function labelled(probes: CorsProbe[]): Array<{ label: string; exchange: Exchange }> {
  return probes.map((p) => ({ label: describeProbe(p), exchange: p.exchange }));
}

function all(headers: Record<string, string | string[]>, name: string): string[] {
  const value = headers[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function single(headers: Record<string, string | string[]>, name: string): string | undefined {
  const values = all(headers, name);
  return values.length === 0 ? undefined : values.join(", ");
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
