import { createHash } from "node:crypto";
import fc from "fast-check";
import type { HttpRequest } from "../../http/types.ts";
import type { Probe } from "../../model/target.ts";
import { OWNER_FIELDS, synthesizeBody } from "../../target/bodies.ts";
import type { Operation } from "../../target/openapi.ts";

/**
 * Mutated inputs for hygiene.server-error: query parameters and request bodies of an operation, derived from its
 * OpenAPI schema and made wrong in the ways that crash handlers (a missing body, the wrong JSON type per field, a
 * value outside the enum, an unknown sort field, huge numbers, empty strings, unicode). A fixed list of the
 * telling mutations comes first; fast-check, seeded by the run's seed and the operation, fills the rest of the
 * budget with random ones. Pure: the same probe and seed give the same mutations.
 */

/** Most mutated requests sent to one operation. */
export const MAX_MUTATIONS_PER_OPERATION = 25;
/** Share of the budget the fixed list may take; fast-check's random mutations get the rest. */
const FIXED_SHARE = 0.7;

export interface Mutation {
  /** What was changed, for the report: `query sort_by="authproof_unknown_field" (unknown sort field)`. */
  label: string;
  /** Query parameters set on the probe's URL (the path never changes). */
  query?: Record<string, string>;
  /** The body sent instead of the probe's: none at all, or this text with this content type. */
  body?: { kind: "none" } | { kind: "text"; text: string; contentType: string };
  /** The body cannot be applied whatever the handler does (missing, not JSON, the wrong top-level type). */
  unappliable: boolean;
}

type Schema = Record<string, unknown>;

/** A value outside any enum the schema lists. */
export const NOT_IN_ENUM = "authproof-not-in-enum";
/** A field name no sort parameter knows. */
export const UNKNOWN_SORT_FIELD = "authproof_unknown_field";
const RAW = "__authproof_raw_json__";
const UNICODE = "☃ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ‮ﷺ 🧨 Ω";
const HUGE_INTEGER = "18446744073709551616000";
/**
 * The largest finite double. Numbers beyond it (`1e400`) are left out on purpose: Python's json module reads them
 * as infinity, and stock FastAPI then fails to serialise its own 422 answer (which echoes the input) with a 500 —
 * a framework default every FastAPI app shares, not a flaw of the app under test.
 */
const HUGE_NUMBER = "1.7976931348623157e308";
/** Names of query parameters that pick a sort direction (`order=asc`, `sort_dir`). */
const ORDER_LIKE = /^(?:order|direction|dir|sort_?order|sort_?dir(?:ection)?)$/i;
/** Names of query parameters that pick a sort field (`sort_by`, `sort`, `order_by`, `ordering`). */
const SORT_LIKE = /sort|order_?by|orderby|ordering/i;
/** Fields never mutated in a body: ids and owners (a changed id could address someone else's object). */
const NEVER_MUTATED = new RegExp(`^(?:id|_id|uuid|pk|${OWNER_FIELDS.join("|")})$|_id$|Id$`);

/**
 * What the audit may send to a probed operation (SPEC §8 safety): reads get every mutation; a write aimed at an id
 * that does not exist or at a new object of the audit's own gets every mutation at the probe's own URL; a write
 * whose only safe request is a body that cannot be applied (or one the user opted into) gets only bodies that
 * cannot be applied, and no changed query.
 */
export function allowedMutations(probe: Pick<Probe, "kind" | "aim">): "all" | "unappliable bodies" {
  if (probe.kind === "read") return "all";
  return probe.aim === "an id that does not exist" || probe.aim === "a new object of the audit" ? "all" : "unappliable bodies";
}

/** The mutations to send to one probed operation: at most `budget`, the fixed list first, then fast-check's. */
export function mutationsFor(probe: Pick<Probe, "op" | "kind" | "aim">, seed: number, budget = MAX_MUTATIONS_PER_OPERATION): Mutation[] {
  const allowed = allowedMutations(probe);
  const keep = (m: Mutation) => allowed === "all" || (m.unappliable && m.query === undefined);
  const fixed = fixedMutations(probe.op).filter(keep);
  const out: Mutation[] = [];
  const labels = new Set<string>();
  const push = (m: Mutation) => {
    if (out.length < budget && !labels.has(m.label)) {
      labels.add(m.label);
      out.push(m);
    }
  };
  const fixedBudget = allowed === "all" ? Math.ceil(budget * FIXED_SHARE) : budget;
  for (const m of fixed.slice(0, fixedBudget)) push(m);
  if (allowed === "all") {
    const arbitrary = randomMutation(probe.op);
    if (arbitrary) for (const m of fc.sample(arbitrary, { seed: seedFor(seed, probe.op), numRuns: budget * 4 })) push(m);
  }
  for (const m of fixed) push(m); // the random ones ran out of new labels: the rest of the fixed list
  return out;
}

/** The probe's request with one mutation applied and user A's token. */
export function mutatedRequest(probe: Pick<Probe, "request" | "aim">, token: string, mutation: Mutation): HttpRequest {
  const url = new URL(probe.request.url);
  for (const [name, value] of Object.entries(mutation.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(probe.request.headers ?? {})) {
    if (mutation.body && name.toLowerCase() === "content-type") continue;
    if (name.toLowerCase() !== "authorization") headers[name] = value;
  }
  headers.authorization = `Bearer ${token}`;
  const request: HttpRequest = { method: probe.request.method, url: url.href, headers, ...(probe.aim ? { aim: probe.aim } : {}) };
  if (!mutation.body) {
    if (probe.request.body !== undefined) request.body = probe.request.body;
    else if (probe.request.json !== undefined) request.json = probe.request.json;
  } else if (mutation.body.kind === "text") {
    request.body = mutation.body.text;
    headers["content-type"] = mutation.body.contentType;
  }
  return request;
}

// ---------------------------------------------------------------------------------------------
// The fixed list

interface Field {
  name: string;
  schema: Schema;
  type: string;
  required: boolean;
}

/** The telling mutations of an operation, most telling first: bodies that cannot be applied, then one per parameter and field in turn. */
export function fixedMutations(op: Pick<Operation, "queryParams" | "requestBody">): Mutation[] {
  const out: Mutation[] = [];
  const body = op.requestBody;
  const json = body !== undefined && /json/i.test(body.contentType);
  if (body) {
    out.push({ label: "body: missing (no body, no content type)", body: { kind: "none" }, unappliable: true });
    if (json) {
      const top = schemaType(normalize(body.schema));
      out.push({ label: "body: not JSON", body: text("{not json"), unappliable: true });
      out.push(top === "array" ? { label: "body: a JSON object instead of an array", body: text("{}"), unappliable: true } : { label: "body: a JSON array instead of an object", body: text("[]"), unappliable: true });
      out.push({ label: "body: a JSON string", body: text(JSON.stringify(UNICODE)), unappliable: true });
    } else {
      out.push({ label: "body: empty", body: { kind: "text", text: "", contentType: body.contentType }, unappliable: true });
    }
  }
  // One mutation per parameter and field in turn, so a small budget still touches every input once.
  const rounds: Mutation[][] = [];
  for (const param of op.queryParams) rounds.push(queryMutations(param.name, normalize(param.schema)));
  if (body && json) {
    const base = baseBody(body.schema);
    if (isObject(base)) {
      rounds.push([{ label: "body: {} (no fields)", body: text("{}"), unappliable: false }]);
      for (const field of fieldsOf(body.schema)) rounds.push(fieldMutations(base, field));
    }
  }
  for (let i = 0; rounds.some((r) => i < r.length); i++) for (const round of rounds) if (round[i]) out.push(round[i]!);
  return out;
}

function queryMutations(name: string, schema: Schema): Mutation[] {
  const type = schemaType(schema);
  const set = (value: string, why: string): Mutation => ({ label: `query ${name}=${preview(value)} (${why})`, query: { [name]: value }, unappliable: false });
  const out: Mutation[] = [];
  const sortField = SORT_LIKE.test(name) && !ORDER_LIKE.test(name);
  if (sortField) out.push(set(UNKNOWN_SORT_FIELD, "unknown sort field"));
  else if (ORDER_LIKE.test(name)) out.push(set("sideways", "unknown sort direction"));
  if (Array.isArray(schema.enum)) out.push(set(NOT_IN_ENUM, "not in the enum"));
  if (type === "integer" || type === "number") out.push(set("not-a-number", "wrong type"), set(HUGE_INTEGER, "huge number"), set("-1", "negative"), set(HUGE_NUMBER, "huge number"));
  else if (type === "boolean") out.push(set("maybe", "wrong type"));
  out.push(set("", "empty string"), set(UNICODE, "unicode"));
  if (type === "string" && !Array.isArray(schema.enum)) out.push(set("x".repeat(4000), "4000 characters"));
  if (sortField) out.push(set(`${UNKNOWN_SORT_FIELD} desc`, "sort field with a direction"));
  return out;
}

function fieldMutations(base: Record<string, unknown>, field: Field): Mutation[] {
  const { name, schema, type } = field;
  const out: Mutation[] = [];
  const set = (value: unknown, why: string, raw?: string): Mutation => ({
    label: `body.${name}: ${jsonPreview(raw ?? JSON.stringify(value))} (${why})`,
    body: text(withField(base, name, value, raw)),
    unappliable: false,
  });
  out.push(wrongType(type, set));
  if (Array.isArray(schema.enum)) out.push(set(NOT_IN_ENUM, "not in the enum"));
  if (type === "integer" || type === "number") out.push(set(undefined, "huge number", HUGE_INTEGER), set(undefined, "huge number", HUGE_NUMBER));
  if (field.required) {
    const { [name]: _dropped, ...rest } = base;
    out.push({ label: `body.${name}: missing (required)`, body: text(JSON.stringify(rest)), unappliable: false });
  }
  out.push(set(null, "null"));
  if (type === "string") out.push(set("", "empty string"), set(UNICODE, "unicode"), set("x".repeat(10_000), "10000 characters"));
  if (type === "array") out.push(set([null, {}, []], "mixed items"));
  return out;
}

function wrongType(type: string, set: (value: unknown, why: string, raw?: string) => Mutation): Mutation {
  switch (type) {
    case "string":
      return set(12345, "a number instead of a string");
    case "integer":
    case "number":
      return set("not-a-number", `a string instead of ${type === "integer" ? "an integer" : "a number"}`);
    case "boolean":
      return set("yes", "a string instead of a boolean");
    case "array":
      return set({ item: 1 }, "an object instead of an array");
    case "object":
      return set("not-an-object", "a string instead of an object");
    default:
      return set([{ nested: [1] }], "an array instead of a value");
  }
}

// ---------------------------------------------------------------------------------------------
// fast-check

// Well-formed unicode only: a lone surrogate ("\ud800" in JSON) makes stock FastAPI fail to encode its own 422
// answer, which echoes the input (a framework default every FastAPI app shares, like the infinite numbers above).
const weirdString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 24 }),
  fc.string({ unit: "grapheme-composite", maxLength: 12 }),
  fc.constantFrom("", " ", "\u0000", "\u202e", "'", '"', "\\", "%", "' OR '1'='1", "../../../../etc/passwd", "${7*7}", "{{7*7}}", "NaN", "-0", "null", "[]"),
  fc.string({ unit: "grapheme-ascii", minLength: 1000, maxLength: 3000 }),
);
const hugeNumberText = fc.oneof(
  fc.constantFrom(HUGE_INTEGER, HUGE_NUMBER, `-${HUGE_NUMBER}`, "-9223372036854775809", "9223372036854775808", "1e-400", "4.9e-324"),
  fc.bigInt({ min: 2n ** 63n, max: 2n ** 256n }).map((n) => String(n)),
);
/** Any JSON text, as raw text, for a field or a parameter whatever its type. */
const jsonText = fc.oneof(
  weirdString.map((s) => JSON.stringify(s)),
  hugeNumberText,
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.constantFrom("null", "true", "false", "[]", "{}", '[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]', '{"$gt":""}'),
);

/** Random mutations of the operation's inputs: one to three query parameters or body fields at a time, any value. */
function randomMutation(op: Pick<Operation, "queryParams" | "requestBody">): fc.Arbitrary<Mutation> | undefined {
  const choices: Array<fc.Arbitrary<Mutation>> = [];
  const names = op.queryParams.map((p) => p.name);
  if (names.length > 0) {
    const value = fc.oneof(weirdString, hugeNumberText);
    choices.push(
      fc.uniqueArray(fc.tuple(fc.constantFrom(...names), value), { minLength: 1, maxLength: Math.min(3, names.length), selector: ([name]) => name }).map((pairs) => ({
        label: `random: ${pairs.map(([name, v]) => `query ${name}=${preview(v)}`).join("; ")}`,
        query: Object.fromEntries(pairs),
        unappliable: false,
      })),
    );
  }
  const body = op.requestBody;
  const base = body && /json/i.test(body.contentType) ? baseBody(body.schema) : undefined;
  const fields = body && isObject(base) ? fieldsOf(body.schema).map((f) => f.name) : [];
  if (isObject(base) && fields.length > 0) {
    choices.push(
      fc.uniqueArray(fc.tuple(fc.constantFrom(...fields), jsonText), { minLength: 1, maxLength: Math.min(3, fields.length), selector: ([name]) => name }).map((pairs) => {
        const edited: Record<string, unknown> = { ...base };
        for (const [name] of pairs) edited[name] = `${RAW}${name}`;
        let textBody = JSON.stringify(edited);
        for (const [name, raw] of pairs) textBody = textBody.replace(JSON.stringify(`${RAW}${name}`), () => raw);
        return { label: `random: ${pairs.map(([name, raw]) => `body.${name}=${jsonPreview(raw)}`).join("; ")}`, body: text(textBody), unappliable: false };
      }),
    );
  }
  return choices.length === 0 ? undefined : fc.oneof(...choices);
}

/** A 32-bit fast-check seed from the run's seed and the operation, so each operation gets its own sequence. */
function seedFor(seed: number, op: Pick<Operation, "method" | "path">): number {
  const digest = createHash("sha256").update(`${seed} ${op.method} ${op.path}`).digest();
  return digest.readInt32BE(0);
}

// ---------------------------------------------------------------------------------------------
// Schemas

function text(body: string): Mutation["body"] {
  return { kind: "text", text: body, contentType: "application/json" };
}

/** A valid body to change one field of (owner fields left out, as for the audit's own objects). */
function baseBody(schema: unknown): unknown {
  return synthesizeBody(schema, { seed: 1, omit: OWNER_FIELDS });
}

function withField(base: Record<string, unknown>, name: string, value: unknown, raw?: string): string {
  if (raw === undefined) return JSON.stringify({ ...base, [name]: value });
  return JSON.stringify({ ...base, [name]: RAW }).replace(JSON.stringify(RAW), () => raw);
}

/** The top-level fields of an object schema that may be mutated (no ids, no owners, no read-only or constant fields). */
function fieldsOf(schema: unknown): Field[] {
  const s = normalize(schema);
  const properties = isObject(s.properties) ? s.properties : {};
  const required = Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === "string") : [];
  return Object.entries(properties)
    .filter(([name, prop]) => !NEVER_MUTATED.test(name) && !(isObject(prop) && (prop.readOnly === true || "const" in prop)))
    .map(([name, prop]) => {
      const p = normalize(prop);
      return { name, schema: p, type: schemaType(p), required: required.includes(name) };
    });
}

/** `allOf` merged, and `anyOf` / `oneOf` with null (Pydantic's `str | None`) reduced to the non-null branch. */
function normalize(schema: unknown): Schema {
  if (!isObject(schema)) return {};
  let s: Schema = schema;
  if (Array.isArray(s.allOf)) {
    const { allOf, ...rest } = s;
    s = (allOf as unknown[]).map(normalize).reduce<Schema>((acc, part) => ({ ...acc, ...part, properties: { ...(isObject(acc.properties) ? acc.properties : {}), ...(isObject(part.properties) ? part.properties : {}) } }), rest);
  }
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = s[key];
    if (Array.isArray(branches)) {
      const chosen = branches.map(normalize).find((b) => schemaType(b) !== "null");
      if (chosen) {
        const { [key]: _branches, ...rest } = s;
        s = { ...rest, ...chosen };
      }
    }
  }
  return s;
}

function schemaType(s: Schema): string {
  const type = s.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type)) return (type.find((t) => t !== "null") as string | undefined) ?? "null";
  if (isObject(s.properties)) return "object";
  if (s.items !== undefined) return "array";
  if (Array.isArray(s.enum)) return typeof s.enum[0] === "number" ? "number" : "string";
  return "unknown";
}

function preview(value: string): string {
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 24)}…` : value);
  return value.length > 40 ? `${shown} (${value.length} chars)` : shown;
}

/** JSON text as it was sent, shortened when long: `12345`, `""`, `"xxxxxxxxxxxxxxxxxxxxxxx…" (10002 chars)`. */
function jsonPreview(json: string): string {
  return json.length > 40 ? `${json.slice(0, 24)}… (${json.length} chars)` : json;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
