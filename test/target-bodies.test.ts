import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { synthesizeBody, synthesizeUpdate, synthesizeValue, unlikelyId } from "../src/target/bodies.ts";
import { discoverOperations, type Operation } from "../src/target/openapi.ts";

const opsOf = (name: string): Operation[] =>
  discoverOperations(JSON.parse(readFileSync(new URL(`../fixtures/openapi/${name}.json`, import.meta.url), "utf8")), { publicRoutes: [] });

function bodySchema(ops: Operation[], method: string, path: string): unknown {
  const op = ops.find((o) => o.method === method && o.path === path);
  if (!op?.requestBody) throw new Error(`no body for ${method} ${path}`);
  return op.requestBody.schema;
}

/** OpenAPI 3.0 schema dialect → JSON Schema 2020-12 (what zod's fromJSONSchema reads). */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "nullable" || k === "discriminator" || k.startsWith("x-")) continue;
    out[k] = toJsonSchema(v);
  }
  const s = schema as Record<string, unknown>;
  if (s["exclusiveMinimum"] === true) [out["exclusiveMinimum"], out["minimum"]] = [s["minimum"], undefined];
  if (s["exclusiveMaximum"] === true) [out["exclusiveMaximum"], out["maximum"]] = [s["maximum"], undefined];
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  if (s["nullable"] === true && typeof s["type"] === "string") out["type"] = [s["type"], "null"];
  return out;
}

function validate(schema: unknown, value: unknown): string[] {
  const result = z.fromJSONSchema(toJsonSchema(schema) as Parameters<typeof z.fromJSONSchema>[0]).safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

const tasks = opsOf("fastapi-tasks");
const scoped = opsOf("fastapi-user-scoped");
const handwritten = opsOf("handwritten-3.0");

const SCHEMAS: Array<[string, unknown]> = [
  ["FastAPI TaskCreate", bodySchema(tasks, "POST", "/api/tasks")],
  ["FastAPI TaskUpdate (all optional, anyOf null)", bodySchema(tasks, "PATCH", "/api/tasks/{task_id}")],
  ["FastAPI TodoCreate (user in path)", bodySchema(scoped, "POST", "/api/{user_id}/tasks")],
  ["FastAPI NoteCreate", bodySchema(scoped, "POST", "/api/users/{userId}/notes")],
  ["OpenAPI 3.0 ProjectCreate (pattern, multipleOf, exclusive, oneOf)", bodySchema(handwritten, "POST", "/v1/projects")],
  ["OpenAPI 3.0 Member", bodySchema(handwritten, "POST", "/v1/projects/{projectId}/members")],
  ["OpenAPI 3.0 ProjectPatch (minProperties)", bodySchema(handwritten, "PATCH", "/v1/projects/{projectId}")],
];

describe("synthesizeBody", () => {
  it("the validator used here rejects invalid bodies (negative control)", () => {
    const good = synthesizeBody(SCHEMAS[0]![1], { seed: 1 }) as Record<string, unknown>;
    expect(validate(SCHEMAS[0]![1], { ...good, priority: "urgent" })).not.toEqual([]);
    expect(validate(SCHEMAS[0]![1], { ...good, due_date: "tomorrow" })).not.toEqual([]);
    const { category: _c, ...noCategory } = good;
    expect(validate(SCHEMAS[0]![1], noCategory)).not.toEqual([]);
    const project = synthesizeBody(SCHEMAS[4]![1], { seed: 1 }) as Record<string, unknown>;
    expect(validate(SCHEMAS[4]![1], { ...project, code: "AB-1234" })).not.toEqual([]);
    expect(validate(SCHEMAS[4]![1], { ...project, budget: 0 })).not.toEqual([]);
    expect(validate(SCHEMAS[4]![1], { ...project, headcount: 4 })).not.toEqual([]);
  });

  it.each(SCHEMAS)("%s: the body validates for many seeds", (_label, schema) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        expect(validate(schema, synthesizeBody(schema, { seed }))).toEqual([]);
        expect(validate(schema, synthesizeBody(schema, { seed, includeOptional: false }))).toEqual([]);
      }),
      { seed: 20260101, numRuns: 60 },
    );
  });

  it("fills the FastAPI task with required enum, category and a date due_date", () => {
    const body = synthesizeBody(SCHEMAS[0]![1], { seed: 7 }) as Record<string, unknown>;
    expect(body["priority"]).toBe("low");
    expect(typeof body["category"]).toBe("string");
    expect((body["category"] as string).length).toBeGreaterThanOrEqual(2);
    expect(body["due_date"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(body).sort()).toEqual(["category", "description", "due_date", "estimate_hours", "priority", "tags", "title"]);
    const minimal = synthesizeBody(SCHEMAS[0]![1], { seed: 7, includeOptional: false });
    expect(Object.keys(minimal as object).sort()).toEqual(["category", "priority", "title"]);
  });

  it("is deterministic for a seed and varies across seeds", () => {
    const schema = SCHEMAS[4]![1];
    expect(synthesizeBody(schema, { seed: 42 })).toEqual(synthesizeBody(schema, { seed: 42 }));
    expect(synthesizeBody(schema, { seed: 42 })).not.toEqual(synthesizeBody(schema, { seed: 43 }));
  });

  it("honours const, discriminator mapping, pattern and formats in the hand-written document", () => {
    const body = synthesizeBody(SCHEMAS[4]![1], { seed: 3 }) as Record<string, any>;
    expect(body["kind"]).toBe("project");
    expect(body["code"]).toMatch(/^[A-Z]{3}-\d{4}$/);
    expect(body["owner"]).toMatchObject({ type: "user" });
    expect(body["contact"]).toMatch(/@example\.test$/);
    expect(body["settings"]["color"]).toMatch(/^#[0-9a-f]{6}$/);
    expect(new Set(body["labels"]).size).toBe(body["labels"].length);
    expect(body["labels"].length).toBeGreaterThanOrEqual(2);
    expect(body["headcount"] % 3).toBe(0);
  });

  it("applies overrides (also dotted) and omit, even for required fields", () => {
    const body = synthesizeBody(SCHEMAS[0]![1], { seed: 1, overrides: { user_id: "victim", "meta.owner": "a" }, omit: ["category", "tags"] }) as Record<string, unknown>;
    expect(body["user_id"]).toBe("victim");
    expect(body["meta"]).toEqual({ owner: "a" });
    expect(body).not.toHaveProperty("category");
    expect(body).not.toHaveProperty("tags");
  });

  it("skips readOnly optional fields and stops at recursive references", () => {
    const tree = handwritten.find((o) => o.path === "/v1/nodes")!.requestBody!.schema;
    const body = synthesizeBody(tree, { seed: 5 }) as Record<string, unknown>;
    expect(typeof body["label"]).toBe("string");
    expect((body["label"] as string).length).toBeLessThanOrEqual(5);
    expect(body).not.toHaveProperty("parent");
    const withReadOnly = { type: "object", properties: { id: { type: "integer", readOnly: true }, name: { type: "string" } } };
    expect(Object.keys(synthesizeBody(withReadOnly, { seed: 1 }) as object)).toEqual(["name"]);
  });

  it("covers scalar edge cases", () => {
    const cases: unknown[] = [
      { type: "integer", minimum: 10, maximum: 10 },
      { type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 2 },
      { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 0.02 },
      { type: "number", minimum: -5, maximum: -1, multipleOf: 0.25 },
      { type: "integer", maximum: -50 },
      { type: "string", minLength: 300 },
      { type: "string", maxLength: 1 },
      { type: "string", format: "date-time" },
      { type: "string", format: "uuid" },
      { type: "string", format: "ipv4" },
      { type: "string", format: "uri" },
      { type: ["string", "null"], format: "email" },
      { type: "string", pattern: "^(foo|bar)-[a-f0-9]{8}(?:-x)?$" },
      { type: "string", pattern: "^\\w+@\\w+\\.com$", maxLength: 30 },
      { type: "array", items: { enum: ["a", "b", "c"] }, minItems: 3, uniqueItems: true },
      { type: "array", prefixItems: [{ type: "integer" }, { type: "string", format: "date" }], minItems: 2 },
      { type: "array", maxItems: 0 },
      { anyOf: [{ type: "null" }, { type: "integer", minimum: 5 }] },
      { allOf: [{ type: "integer", minimum: 3 }, { maximum: 4 }] },
      { enum: [null, "x"] },
      { type: "null" },
      { type: "object", required: ["extra"], additionalProperties: { type: "boolean" } },
      { type: "object", minProperties: 2, additionalProperties: { type: "integer" } },
    ];
    for (const [i, schema] of cases.entries()) {
      for (const seed of [0, 1, 2, 99, 123456]) {
        const value = synthesizeBody(schema, { seed });
        expect(validate(schema, value), `case ${i} seed ${seed}: ${JSON.stringify(value)}`).toEqual([]);
      }
    }
  });

  it("falls back to a safe string for patterns it cannot generate", () => {
    const schema = { type: "string", pattern: "^(?=.*\\d).{3,}$", minLength: 3 };
    const value = synthesizeBody(schema, { seed: 1 });
    expect(typeof value).toBe("string");
    expect((value as string).length).toBeGreaterThanOrEqual(3);
  });

  it("never throws on odd schemas", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.integer(), (schema, seed) => {
        synthesizeBody(schema, { seed });
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("uses a resolver for $refs left in the schema", () => {
    const defs: Record<string, unknown> = { "#/defs/Color": { enum: ["red", "green"] } };
    const body = synthesizeBody({ type: "object", required: ["c"], properties: { c: { $ref: "#/defs/Color" } } }, { seed: 1, resolveRef: (r) => defs[r] });
    expect(body).toEqual({ c: "red" });
  });
});

describe("synthesizeUpdate", () => {
  const create = SCHEMAS[0]![1];
  const patch = SCHEMAS[1]![1];
  const base = synthesizeBody(create, { seed: 11 }) as Record<string, unknown>;

  it("PATCH sends exactly one changed, valid field (title first)", () => {
    for (const seed of [1, 2, 3, 11]) {
      const update = synthesizeUpdate(patch, { seed, method: "PATCH", base }) as Record<string, unknown>;
      expect(Object.keys(update)).toEqual(["title"]);
      expect(update["title"]).not.toEqual(base["title"]);
      expect(validate(patch, update)).toEqual([]);
    }
  });

  it("PATCH avoids owner and id fields and changes enums to another value", () => {
    const schema = {
      type: "object",
      properties: { user_id: { type: "string" }, id: { type: "integer" }, priority: { type: "string", enum: ["low", "high"] } },
    };
    expect(synthesizeUpdate(schema, { seed: 1, method: "PATCH", base: { priority: "low" } })).toEqual({ priority: "high" });
    const toggle = { type: "object", properties: { completed: { type: "boolean" } } };
    expect(synthesizeUpdate(toggle, { seed: 1, method: "PATCH", base: { completed: true } })).toEqual({ completed: false });
  });

  it("PUT sends a full valid body that differs from the base", () => {
    const scopedPut = bodySchema(scoped, "PUT", "/api/{user_id}/tasks/{task_id}");
    for (const seed of [1, 2, 3]) {
      const baseTodo = synthesizeBody(scopedPut, { seed }) as Record<string, unknown>;
      const update = synthesizeUpdate(scopedPut, { seed, method: "PUT", base: baseTodo }) as Record<string, unknown>;
      expect(validate(scopedPut, update)).toEqual([]);
      expect(Object.keys(update).sort()).toEqual(Object.keys(baseTodo).sort());
      expect(update["title"]).not.toEqual(baseTodo["title"]);
    }
  });

  it("applies overrides last (mass-assignment probes)", () => {
    expect(synthesizeUpdate(patch, { seed: 1, method: "PATCH", base, overrides: { user_id: "A" } })).toMatchObject({ user_id: "A" });
  });
});

describe("synthesizeValue / unlikelyId", () => {
  it("gives path parameter values of the right shape", () => {
    expect(synthesizeValue({ type: "integer", title: "Task Id" }, { seed: 1, name: "task_id" })).toEqual(expect.any(Number));
    expect(synthesizeValue({ type: "string", format: "uuid" }, { seed: 1 })).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives ids that parse as the schema but are far from real ones", () => {
    expect(Number(unlikelyId({ type: "integer" }, 1))).toBeGreaterThan(1_000_000_000);
    expect(Number(unlikelyId({ type: "integer", maximum: 500 }, 1))).toBeLessThanOrEqual(500);
    expect(unlikelyId({ type: "string", format: "uuid" }, 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    expect(unlikelyId({ type: "string" }, 1)).toMatch(/^authproof-missing-[a-z0-9]{10}$/);
  });
});
