import type { Faker } from "@faker-js/faker";
import { englishFaker } from "./faker.ts";
import { CIRCULAR_REF, EXTERNAL_REF } from "./openapi.ts";
import fc from "fast-check";

/**
 * Valid, realistic request bodies from JSON Schema / OpenAPI 3.0–3.1 schemas (as FastAPI and
 * Pydantic v2 write them), so the harness can create test objects without hand-written fixtures.
 * Deterministic: the same schema and seed give the same body.
 */

/** Body fields that name an owner; never sent when creating the harness's own objects. */
export const OWNER_FIELDS = ["user_id", "userId", "owner_id", "ownerId", "owner", "user"];

export interface SynthesizeOptions {
  seed: number;
  /** Values to force, by property name or dotted path (`"owner.id"`); applied after generation. */
  overrides?: Record<string, unknown>;
  /** Properties to leave out, by name or dotted path (even required ones). */
  omit?: string[];
  /** Also fill optional properties (default true: realistic bodies). */
  includeOptional?: boolean;
  /** Resolves a `$ref` the schema still carries (openapi.ts resolves local ones already). */
  resolveRef?: (ref: string) => unknown;
}

export interface UpdateOptions extends SynthesizeOptions {
  /** PUT sends a full replacement; PATCH sends one changed field. */
  method: "PUT" | "PATCH";
  /** The object as created; the update changes at least one of its values. */
  base?: unknown;
}

type Schema = Record<string, unknown>;

const MAX_DEPTH = 12;
/** Fixed "now" for dates, so a seed gives the same body on every day (and due dates stay in the future). */
const REFERENCE_DATE = new Date("2030-01-15T12:00:00Z");
const UPDATE_FIELD_PREFERENCE = ["title", "name", "description", "text", "body", "content", "note", "notes", "completed", "done", "status"];
const OWNER_FIELD_NAME = /^(?:id|_id|uuid|pk|(?:user|owner|account|author|created_by|tenant)[_-]?(?:id|uuid)?|userId|ownerId)$/i;

/** A valid body for `schema`: required fields always, optional ones too unless `includeOptional: false`. */
export function synthesizeBody(schema: unknown, opts: SynthesizeOptions): unknown {
  const gen = new Generator(opts);
  const body = gen.value(schema, undefined, 0);
  return applyEdits(body, opts);
}

/** One valid value for `schema` (a path or query parameter, say); `name` steers realistic strings. */
export function synthesizeValue(schema: unknown, opts: { seed: number; name?: string; resolveRef?: (ref: string) => unknown }): unknown {
  return new Generator({ seed: opts.seed, resolveRef: opts.resolveRef }).value(schema, opts.name, 0);
}

/**
 * An update body: for PUT a full valid body whose values differ from `base`; for PATCH an object
 * with exactly one changed field (a title/name/description-like field when there is one; never an
 * id or owner field). `overrides` / `omit` apply last.
 */
export function synthesizeUpdate(schema: unknown, opts: UpdateOptions): unknown {
  const gen = new Generator({ ...opts, seed: opts.seed + 7919 });
  const normalized = gen.normalize(schema);
  const base = isObject(opts.base) ? opts.base : {};
  const properties = isObject(normalized?.["properties"]) ? normalized["properties"] : {};
  const field = chooseUpdateField(properties, opts.omit ?? []);

  if (opts.method === "PUT") {
    const body = gen.value(schema, undefined, 0);
    if (isObject(body) && field !== undefined) body[field] = gen.changed(properties[field], field, base[field]);
    return applyEdits(body, opts);
  }
  if (field === undefined) return applyEdits({}, opts);
  return applyEdits({ [field]: gen.changed(properties[field], field, base[field]) }, opts);
}

/**
 * An id of the right shape that almost certainly names no object (for "foreign id vs nonexistent id"):
 * a large integer inside the schema's bounds, a fresh UUID, or a marked string.
 */
export function unlikelyId(schema: unknown, seed: number): string {
  const gen = new Generator({ seed });
  const s = gen.normalize(schema) ?? {};
  const type = pickType(s);
  if (type === "integer" || type === "number") {
    const max = typeof s["maximum"] === "number" ? Math.floor(s["maximum"]) - 1 : 2_000_000_000;
    return String(Math.max(max - (Math.abs(seed) % 1000), typeof s["minimum"] === "number" ? Math.ceil(s["minimum"]) : 1));
  }
  if (s["format"] === "uuid") return gen.faker.string.uuid();
  const value = `authproof-missing-${gen.faker.string.alphanumeric({ length: 10, casing: "lower" })}`;
  return typeof s["maxLength"] === "number" ? value.slice(0, Math.max(1, s["maxLength"])) : value;
}

function chooseUpdateField(properties: Schema, omit: string[]): string | undefined {
  const usable = Object.entries(properties).filter(
    ([name, prop]) => !omit.includes(name) && !OWNER_FIELD_NAME.test(name) && !(isObject(prop) && (prop["readOnly"] === true || "const" in prop)),
  );
  const names = usable.map(([name]) => name);
  for (const preferred of UPDATE_FIELD_PREFERENCE) if (names.includes(preferred)) return preferred;
  return names[0];
}

class Generator {
  readonly faker: Faker;
  private readonly includeOptional: boolean;
  private readonly resolveRef?: (ref: string) => unknown;

  constructor(opts: SynthesizeOptions) {
    this.faker = englishFaker(opts.seed);
    this.faker.setDefaultRefDate(REFERENCE_DATE);
    this.includeOptional = opts.includeOptional ?? true;
    this.resolveRef = opts.resolveRef;
  }

  /** Resolves `$ref`, flattens `allOf`; `undefined` for `false` (nothing is valid). */
  normalize(schema: unknown, depth = 0): Schema | undefined {
    if (schema === false) return undefined;
    if (!isObject(schema)) return {};
    let s: Schema = schema;
    if (typeof s["$ref"] === "string") {
      const target = this.resolveRef && depth < MAX_DEPTH ? this.resolveRef(s["$ref"]) : undefined;
      const { $ref: _ignored, ...siblings } = s;
      s = isObject(target) ? { ...target, ...siblings } : siblings;
      if (isObject(target)) return this.normalize(s, depth + 1);
    }
    if (Array.isArray(s["allOf"])) {
      const { allOf, ...rest } = s;
      let merged: Schema = {};
      for (const part of [...(allOf as unknown[]), rest]) {
        const n = this.normalize(part, depth + 1);
        if (n === undefined) return undefined;
        merged = mergeSchemas(merged, n);
      }
      return merged;
    }
    return s;
  }

  value(schema: unknown, name: string | undefined, depth: number): unknown {
    const s = this.normalize(schema, depth);
    if (s === undefined) return undefined;
    if ("const" in s) return s["const"];
    if (isCircular(s) && s["type"] === undefined) return {};
    if (Array.isArray(s["enum"]) && s["enum"].length > 0) {
      return s["enum"].find((v) => v !== null) ?? s["enum"][0];
    }
    const branches = (Array.isArray(s["anyOf"]) ? s["anyOf"] : Array.isArray(s["oneOf"]) ? s["oneOf"] : undefined) as unknown[] | undefined;
    if (branches && branches.length > 0) return this.fromBranches(s, branches, name, depth);

    switch (pickType(s)) {
      case "null":
        return null;
      case "boolean":
        return this.faker.datatype.boolean();
      case "integer":
        return this.number(s, true, name);
      case "number":
        return this.number(s, false, name);
      case "array":
        return this.array(s, name, depth);
      case "object":
        return this.object(s, depth);
      default:
        return this.string(s, name);
    }
  }

  /** A valid value for `schema` that differs from `previous` (when the schema allows another value). */
  changed(schema: unknown, name: string, previous: unknown): unknown {
    const s = this.normalize(schema) ?? {};
    const choices = enumChoices(s, this);
    if (choices) return choices.find((v) => v !== null && !sameJson(v, previous)) ?? choices[0];
    for (let attempt = 0; attempt < 8; attempt++) {
      const candidate = this.value(schema, name, 0);
      if (candidate !== null && !sameJson(candidate, previous)) return candidate;
    }
    return this.value(schema, name, 0);
  }

  private fromBranches(s: Schema, branches: unknown[], name: string | undefined, depth: number): unknown {
    const { anyOf: _a, oneOf: _o, discriminator, ...rest } = s;
    const normalized = branches.map((b) => this.normalize(b, depth + 1)).filter((b): b is Schema => b !== undefined);
    const chosen = normalized.find((b) => pickType(b) !== "null") ?? normalized[0];
    if (chosen === undefined) return null;
    const value = this.value(mergeSchemas(rest, chosen), name, depth + 1);
    // A discriminated union needs the tag; the mapping key is the safest value when the branch has no const.
    if (isObject(discriminator) && typeof discriminator["propertyName"] === "string" && isObject(value)) {
      const prop = discriminator["propertyName"];
      const mapping = isObject(discriminator["mapping"]) ? Object.keys(discriminator["mapping"]) : [];
      const branchProp = isObject(chosen["properties"]) ? chosen["properties"][prop] : undefined;
      const pinned = isObject(branchProp) && ("const" in branchProp || Array.isArray(branchProp["enum"]));
      if (!pinned && mapping[0] !== undefined) value[prop] = mapping[0];
    }
    return value;
  }

  private object(s: Schema, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const properties = isObject(s["properties"]) ? s["properties"] : {};
    const required = Array.isArray(s["required"]) ? (s["required"] as unknown[]).filter((r): r is string => typeof r === "string") : [];
    const deep = depth >= MAX_DEPTH / 2;
    for (const [key, prop] of Object.entries(properties)) {
      const isRequired = required.includes(key);
      if (!isRequired && (!this.includeOptional || deep)) continue;
      if (!isRequired && isObject(prop) && (prop["readOnly"] === true || isCircular(prop))) continue;
      if (depth >= MAX_DEPTH) {
        if (isRequired) out[key] = null;
        continue;
      }
      const value = this.value(prop, key, depth + 1);
      if (value !== undefined) out[key] = value;
    }
    for (const key of required) {
      if (key in out || key in properties) continue;
      const value = this.value(s["additionalProperties"] ?? {}, key, depth + 1);
      if (value !== undefined) out[key] = value;
    }
    const minProperties = typeof s["minProperties"] === "number" ? s["minProperties"] : 0;
    for (let i = Object.keys(out).length; i < minProperties; i++) {
      out[`key${i + 1}`] = this.value(isObject(s["additionalProperties"]) ? s["additionalProperties"] : { type: "string" }, undefined, depth + 1);
    }
    return out;
  }

  private array(s: Schema, name: string | undefined, depth: number): unknown[] {
    const prefix = Array.isArray(s["prefixItems"]) ? (s["prefixItems"] as unknown[]) : [];
    const min = typeof s["minItems"] === "number" ? s["minItems"] : 0;
    const max = typeof s["maxItems"] === "number" ? s["maxItems"] : Math.max(min, 3);
    const count = Math.min(max, Math.max(min, prefix.length, depth >= MAX_DEPTH / 2 ? 0 : 1));
    const itemName = name?.replace(/s$/, "");
    const out: unknown[] = [];
    const itemSchema = s["items"] === undefined ? {} : s["items"];
    const choices = enumChoices(this.normalize(itemSchema) ?? {}, this);
    for (let i = 0; i < count; i++) {
      if (i < prefix.length) {
        out.push(this.value(prefix[i], itemName, depth + 1));
        continue;
      }
      if (s["uniqueItems"] === true && choices) {
        out.push(choices[i % choices.length]);
        continue;
      }
      let item = this.value(itemSchema, itemName, depth + 1);
      for (let attempt = 0; s["uniqueItems"] === true && attempt < 10 && out.some((o) => sameJson(o, item)); attempt++) {
        item = this.value(itemSchema, itemName, depth + 1);
      }
      out.push(item);
    }
    return out;
  }

  private number(s: Schema, integer: boolean, name: string | undefined): number {
    let lo = typeof s["minimum"] === "number" ? s["minimum"] : undefined;
    let hi = typeof s["maximum"] === "number" ? s["maximum"] : undefined;
    let loExclusive = false;
    let hiExclusive = false;
    // OpenAPI 3.0 uses booleans, JSON Schema 2020-12 / OpenAPI 3.1 numbers.
    if (typeof s["exclusiveMinimum"] === "number" && (lo === undefined || s["exclusiveMinimum"] >= lo)) {
      lo = s["exclusiveMinimum"];
      loExclusive = true;
    } else if (s["exclusiveMinimum"] === true) loExclusive = true;
    if (typeof s["exclusiveMaximum"] === "number" && (hi === undefined || s["exclusiveMaximum"] <= hi)) {
      hi = s["exclusiveMaximum"];
      hiExclusive = true;
    } else if (s["exclusiveMaximum"] === true) hiExclusive = true;

    if (lo === undefined && hi === undefined) [lo, hi] = defaultRange(name);
    if (lo === undefined) lo = hi! >= 1 ? 1 : hi! - 100;
    if (hi === undefined) hi = lo + 100;
    const multipleOf = typeof s["multipleOf"] === "number" && s["multipleOf"] > 0 ? s["multipleOf"] : undefined;

    if (integer || multipleOf !== undefined) {
      const step = multipleOf ?? 1;
      let kLo = Math.ceil(lo / step);
      let kHi = Math.floor(hi / step);
      if (loExclusive && kLo * step <= lo) kLo++;
      if (hiExclusive && kHi * step >= hi) kHi--;
      if (integer && !Number.isInteger(step)) {
        // An integer multiple of a fractional step: fall back to integer steps that also divide.
        while (kLo <= kHi && !Number.isInteger(roundTo(kLo * step))) kLo++;
      }
      const k = kHi >= kLo ? this.faker.number.int({ min: kLo, max: kHi }) : kLo;
      return roundTo(k * step);
    }
    let value = this.faker.number.float({ min: lo, max: hi, fractionDigits: 2 });
    if ((loExclusive && value <= lo) || (hiExclusive && value >= hi) || value < lo || value > hi) value = (lo + hi) / 2;
    return value;
  }

  private string(s: Schema, name: string | undefined): string {
    const min = typeof s["minLength"] === "number" ? s["minLength"] : 0;
    const max = typeof s["maxLength"] === "number" ? s["maxLength"] : Infinity;
    const fits = (v: string) => [...v].length >= min && [...v].length <= max;
    const format = typeof s["format"] === "string" ? s["format"] : undefined;
    const byFormat = format ? this.formatted(format, name) : undefined;
    if (byFormat !== undefined) return byFormat;
    if (typeof s["pattern"] === "string") {
      const matched = stringMatching(s["pattern"], this.faker.number.int({ max: 2 ** 31 - 1 }), fits);
      if (matched !== undefined) return matched;
    }
    return fitLength(this.byName(name), min, max, this.faker);
  }

  private formatted(format: string, name: string | undefined): string | undefined {
    const f = this.faker;
    const past = name !== undefined && /birth|dob|born|since|started|created/i.test(name);
    const date = () => (past ? f.date.past({ years: 30 }) : f.date.soon({ days: 60 }));
    switch (format.toLowerCase()) {
      case "date":
        return date().toISOString().slice(0, 10);
      case "date-time":
        return date().toISOString().replace(/\.\d{3}Z$/, "Z");
      case "time":
        return date().toISOString().slice(11, 19);
      case "duration":
        return `P${f.number.int({ min: 1, max: 30 })}D`;
      case "email":
      case "idn-email":
        return `${f.internet.username().replace(/[^A-Za-z0-9._-]/g, "").toLowerCase() || "user"}@example.test`;
      case "uuid":
        return f.string.uuid();
      case "uri":
      case "url":
      case "iri":
        return `https://example.test/${f.lorem.slug(2)}`;
      case "uri-reference":
      case "iri-reference":
        return `/${f.lorem.slug(2)}`;
      case "hostname":
      case "idn-hostname":
        return `${f.lorem.slug(1)}.example.test`;
      case "ipv4":
        return f.internet.ipv4();
      case "ipv6":
        return f.internet.ipv6();
      case "byte":
        return Buffer.from(f.lorem.word()).toString("base64");
      case "password":
        return strongPassword(f);
      case "int32":
      case "int64":
        return String(f.number.int({ min: 1, max: 1000 }));
      default:
        return undefined;
    }
  }

  private byName(name: string | undefined): string {
    const f = this.faker;
    const n = (name ?? "").toLowerCase().replace(/[^a-z]/g, "");
    if (/email/.test(n)) return `${f.internet.username().replace(/[^A-Za-z0-9._-]/g, "").toLowerCase() || "user"}@example.test`;
    if (/^(first|given)name$/.test(n)) return f.person.firstName();
    if (/^(last|family|sur)name$/.test(n)) return f.person.lastName();
    if (/^(name|fullname|displayname|author|owner)$/.test(n)) return f.person.fullName();
    if (/^user(name)?$|login|handle/.test(n)) return f.internet.username();
    if (/title|subject|summary|headline|label/.test(n)) return capitalize(f.lorem.words({ min: 2, max: 4 }));
    if (/description|body|content|text|note|comment|message|details|bio/.test(n)) return f.lorem.sentence();
    if (/url|link|website|homepage|avatar|image|photo/.test(n)) return `https://example.test/${f.lorem.slug(2)}`;
    if (/phone|mobile/.test(n)) return `+1555${f.string.numeric(7)}`;
    if (/city/.test(n)) return f.location.city();
    if (/country/.test(n)) return f.location.countryCode();
    if (/street|address/.test(n)) return f.location.streetAddress();
    if (/zip|postal/.test(n)) return f.location.zipCode("#####");
    if (/colou?r/.test(n)) return f.color.rgb();
    if (/slug/.test(n)) return f.lorem.slug(2);
    if (/currency/.test(n)) return "USD";
    if (/lang|locale/.test(n)) return "en";
    if (/password|secret/.test(n)) return strongPassword(f);
    if (/category|tag|type|kind|status|group|topic/.test(n)) return f.lorem.word({ length: { min: 4, max: 10 } });
    return f.lorem.words({ min: 1, max: 3 });
  }
}

function enumChoices(s: Schema, gen: Generator): unknown[] | undefined {
  if ("const" in s) return [s["const"]];
  if (Array.isArray(s["enum"]) && s["enum"].length > 0) return s["enum"] as unknown[];
  const branches = (Array.isArray(s["anyOf"]) ? s["anyOf"] : Array.isArray(s["oneOf"]) ? s["oneOf"] : undefined) as unknown[] | undefined;
  if (branches) {
    const values = branches.flatMap((b) => enumChoices(gen.normalize(b) ?? {}, gen) ?? []);
    const openEnded = branches.some((b) => {
      const n = gen.normalize(b) ?? {};
      return enumChoices(n, gen) === undefined && pickType(n) !== "null";
    });
    return values.length > 0 && !openEnded ? values : undefined;
  }
  if (pickType(s) === "boolean") return [true, false];
  return undefined;
}

/** The type to generate: the first non-null entry of `type`, or one inferred from the keywords. */
function pickType(s: Schema): string {
  const t = s["type"];
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return (t.find((x) => x !== "null") as string | undefined) ?? "null";
  if (isObject(s["properties"]) || isObject(s["additionalProperties"]) || Array.isArray(s["required"])) return "object";
  if (s["items"] !== undefined || Array.isArray(s["prefixItems"])) return "array";
  if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"].some((k) => k in s)) return "number";
  return "string";
}

/** allOf merge: properties and required unite, bounds tighten, other keywords: the later wins. */
function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  if (isObject(a["properties"]) || isObject(b["properties"])) {
    const props: Schema = { ...(isObject(a["properties"]) ? a["properties"] : {}) };
    for (const [k, v] of Object.entries(isObject(b["properties"]) ? b["properties"] : {})) {
      props[k] = isObject(props[k]) && isObject(v) ? mergeSchemas(props[k] as Schema, v) : v;
    }
    out["properties"] = props;
  }
  const required = [...(Array.isArray(a["required"]) ? a["required"] : []), ...(Array.isArray(b["required"]) ? b["required"] : [])];
  if (required.length > 0) out["required"] = [...new Set(required)];
  for (const [key, pick] of [
    ["minimum", Math.max],
    ["minLength", Math.max],
    ["minItems", Math.max],
    ["maximum", Math.min],
    ["maxLength", Math.min],
    ["maxItems", Math.min],
  ] as const) {
    if (typeof a[key] === "number" && typeof b[key] === "number") out[key] = pick(a[key] as number, b[key] as number);
  }
  if (a["type"] !== undefined && b["type"] === undefined) out["type"] = a["type"];
  return out;
}

function fitLength(value: string, min: number, max: number, faker: Faker): string {
  let v = value;
  while ([...v].length < min) v += (v.length > 0 ? " " : "") + faker.lorem.word();
  const chars = [...v];
  if (chars.length > max) v = chars.slice(0, max).join("").trimEnd();
  while ([...v].length < min) v += "x";
  return v;
}

function strongPassword(faker: Faker): string {
  return `${faker.string.alpha({ length: 1, casing: "upper" })}${faker.string.alphanumeric(13)}!7a`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function roundTo(n: number): number {
  return Number.parseFloat(n.toPrecision(12));
}

function defaultRange(name: string | undefined): [number, number] {
  const n = (name ?? "").toLowerCase();
  if (/priority|rating|stars|level|rank/.test(n)) return [1, 5];
  if (/age/.test(n)) return [18, 80];
  if (/year/.test(n)) return [2020, 2030];
  if (/count|qty|quantity|amount|number/.test(n)) return [1, 10];
  return [1, 100];
}

function isCircular(s: Schema): boolean {
  return CIRCULAR_REF in s || EXTERNAL_REF in s;
}

function applyEdits(body: unknown, opts: SynthesizeOptions): unknown {
  if (!isObject(body)) return body;
  for (const path of opts.omit ?? []) deletePath(body, path.split("."));
  for (const [path, value] of Object.entries(opts.overrides ?? {})) setPath(body, path.split("."), value);
  return body;
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let current = target;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(current[key])) current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[keys[keys.length - 1]!] = value;
}

function deletePath(target: Record<string, unknown>, keys: string[]): void {
  let current: unknown = target;
  for (const key of keys.slice(0, -1)) current = isObject(current) ? current[key] : undefined;
  if (isObject(current)) delete current[keys[keys.length - 1]!];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A string matching a JSON Schema `pattern` (fast-check's regex generator, seeded), that also fits the length
 * bounds; undefined when the pattern is not a valid regex or nothing fitting was found in a few tries.
 */
function stringMatching(pattern: string, seed: number, fits: (s: string) => boolean): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "u");
  } catch {
    try {
      regex = new RegExp(pattern);
    } catch {
      return undefined;
    }
  }
  try {
    return fc.sample(fc.stringMatching(regex), { seed, numRuns: 20 }).find((candidate) => fits(candidate) && regex.test(candidate));
  } catch {
    return undefined;
  }
}
