import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TargetError } from "../src/target/errors.ts";
import { CIRCULAR_REF, discoverOperations, routeMatches, type Operation } from "../src/target/openapi.ts";

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/openapi/${name}.json`, import.meta.url), "utf8"));
const PUBLIC = ["/health", "/docs/**", "/openapi.json"];

function find(ops: Operation[], method: string, path: string): Operation {
  const op = ops.find((o) => o.method === method && o.path === path);
  if (!op) throw new Error(`no ${method} ${path} in ${ops.map((o) => `${o.method} ${o.path}`).join(", ")}`);
  return op;
}

function errorOf(fn: () => unknown): TargetError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TargetError) return error;
    throw new Error(`expected a TargetError, got ${String(error)}`);
  }
  throw new Error("expected a TargetError, nothing was thrown");
}

describe("discoverOperations on FastAPI output", () => {
  const ops = discoverOperations(fixture("fastapi-tasks"), { publicRoutes: PUBLIC });

  it("lists every operation with method and template path", () => {
    expect(ops.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
      [
        "DELETE /api/tasks/{task_id}",
        "GET /api/me",
        "GET /api/tasks",
        "GET /api/tasks/{task_id}",
        "GET /health",
        "PATCH /api/tasks/{task_id}",
        "POST /api/tasks",
        "PUT /api/tasks/{task_id}",
      ].sort(),
    );
  });

  it("marks HTTPBearer operations as secured and /health as public and unsecured", () => {
    expect(find(ops, "GET", "/api/tasks").declaresSecurity).toBe(true);
    expect(find(ops, "GET", "/api/tasks").isPublic).toBe(false);
    expect(find(ops, "GET", "/health")).toMatchObject({ declaresSecurity: false, isPublic: true });
  });

  it("resolves the request body $ref, including the enum behind a nested $ref", () => {
    const create = find(ops, "POST", "/api/tasks");
    expect(create.requestBody).toMatchObject({ contentType: "application/json", required: true });
    const schema = create.requestBody!.schema as { required: string[]; properties: Record<string, { enum?: string[] }> };
    expect(schema.required).toEqual(["title", "priority", "category"]);
    expect(schema.properties["priority"]!.enum).toEqual(["low", "medium", "high"]);
    expect(JSON.stringify(schema)).not.toContain("$ref");
  });

  it("reads path and query parameters with their schemas", () => {
    const read = find(ops, "GET", "/api/tasks/{task_id}");
    expect(read.pathParams).toEqual([{ name: "task_id", schema: { type: "string", format: "uuid", title: "Task Id" } }]);
    const list = find(ops, "GET", "/api/tasks");
    expect(list.queryParams.map((q) => [q.name, q.required])).toEqual([
      ["completed", false],
      ["limit", false],
      ["sort", false],
    ]);
    expect(list.responses).toEqual(["200", "422"]);
  });

  it("keeps the success response schema (used to find the id field)", () => {
    const create = find(ops, "POST", "/api/tasks");
    expect(Object.keys((create.responseSchema as { properties: object }).properties)).toContain("id");
  });

  it("finds user-in-path operations with integer ids", () => {
    const scoped = discoverOperations(fixture("fastapi-user-scoped"), { publicRoutes: ["/"] });
    const get = find(scoped, "GET", "/api/{user_id}/tasks/{task_id}");
    expect(get.pathParams.map((p) => [p.name, (p.schema as { type: string }).type])).toEqual([
      ["user_id", "string"],
      ["task_id", "integer"],
    ]);
    expect(find(scoped, "GET", "/").isPublic).toBe(true);
    expect(find(scoped, "GET", "/api/{user_id}/tasks").isPublic).toBe(false);
  });
});

describe("discoverOperations on a hand-written OpenAPI 3.0 document", () => {
  const ops = discoverOperations(fixture("handwritten-3.0"), { publicRoutes: PUBLIC });

  it("applies global security, security: [] and optional-auth alternatives", () => {
    expect(find(ops, "GET", "/v1/projects").declaresSecurity).toBe(true);
    expect(find(ops, "GET", "/health").declaresSecurity).toBe(false);
    expect(find(ops, "POST", "/v1/nodes").declaresSecurity).toBe(false);
    expect(find(ops, "POST", "/v1/uploads").declaresSecurity).toBe(true);
  });

  it("matches globbed public routes", () => {
    expect(find(ops, "GET", "/docs/index.html").isPublic).toBe(true);
    expect(find(ops, "GET", "/v1/projects").isPublic).toBe(false);
  });

  it("merges path-level parameters and resolves parameter and requestBody $refs", () => {
    expect(find(ops, "DELETE", "/v1/projects/{projectId}/members/{memberId}").pathParams.map((p) => p.name)).toEqual(["projectId", "memberId"]);
    expect(find(ops, "GET", "/v1/projects/{projectId}").pathParams[0]!.schema).toMatchObject({ type: "integer", minimum: 1 });
    expect(find(ops, "GET", "/v1/projects").queryParams[0]).toMatchObject({ name: "page_size", required: false });
    expect(find(ops, "POST", "/v1/projects").requestBody).toMatchObject({ contentType: "application/json", required: true });
  });

  it("prefers JSON-like content types and keeps others", () => {
    expect(find(ops, "PATCH", "/v1/projects/{projectId}").requestBody!.contentType).toBe("application/merge-patch+json");
    expect(find(ops, "POST", "/v1/uploads").requestBody!.contentType).toBe("multipart/form-data");
  });

  it("ignores TRACE and marks recursive schemas instead of looping", () => {
    expect(ops.some((o) => (o.method as string) === "TRACE")).toBe(false);
    const node = find(ops, "POST", "/v1/nodes").requestBody!.schema as { properties: Record<string, Record<string, unknown>> };
    expect(node.properties["parent"]![CIRCULAR_REF]).toBe("#/components/schemas/TreeNode");
  });
});

describe("include / exclude / public patterns", () => {
  const doc = fixture("fastapi-tasks");

  it("excludes by METHOD /path, by /path (any method) and by glob", () => {
    const ops = discoverOperations(doc, { publicRoutes: [], exclude: ["DELETE /api/tasks/{task_id}", "/api/me", "/health*"] });
    const names = ops.map((o) => `${o.method} ${o.path}`);
    expect(names).not.toContain("DELETE /api/tasks/{task_id}");
    expect(names).toContain("GET /api/tasks/{task_id}");
    expect(names).not.toContain("GET /api/me");
    expect(names).not.toContain("GET /health");
    expect(ops).toHaveLength(5);
  });

  it("adds included routes the document does not list, without duplicating listed ones", () => {
    const ops = discoverOperations(doc, {
      publicRoutes: [],
      include: [
        { method: "get", path: "/api/admin/users/{id}" },
        { method: "GET", path: "/api/tasks" },
      ],
    });
    expect(ops.filter((o) => o.path === "/api/tasks" && o.method === "GET")).toHaveLength(1);
    expect(find(ops, "GET", "/api/admin/users/{id}").pathParams).toEqual([{ name: "id", schema: { type: "string" } }]);
  });

  it("rejects malformed patterns with ROUTE_INVALID", () => {
    expect(errorOf(() => discoverOperations(doc, { publicRoutes: ["FETCH /x"] })).code).toBe("ROUTE_INVALID");
    expect(errorOf(() => discoverOperations(doc, { publicRoutes: ["health"] })).code).toBe("ROUTE_INVALID");
    expect(errorOf(() => discoverOperations(doc, { publicRoutes: [], include: [{ method: "GET", path: "x" }] })).code).toBe("ROUTE_INVALID");
  });

  it("routeMatches handles methods, globs and trailing slashes", () => {
    expect(routeMatches("/docs*", "GET", "/docs.json")).toBe(true);
    expect(routeMatches("/docs*", "GET", "/docs/oauth2-redirect")).toBe(false);
    expect(routeMatches("/docs**", "GET", "/docs/oauth2-redirect")).toBe(true);
    expect(routeMatches("DELETE /api/admin/**", "DELETE", "/api/admin/users/{id}")).toBe(true);
    expect(routeMatches("/api/*", "GET", "/api/tasks/{task_id}")).toBe(false);
    expect(routeMatches("GET /health", "get", "/health/")).toBe(true);
    expect(routeMatches("GET /health", "POST", "/health")).toBe(false);
    expect(routeMatches("/api/*/tasks", "GET", "/api/{user_id}/tasks")).toBe(true);
    expect(routeMatches("/api.v1", "GET", "/apixv1")).toBe(false);
  });
});

describe("odd documents give clear errors, never crashes", () => {
  const cases: Array<[string, unknown, string, RegExp]> = [
    ["null", null, "OPENAPI_INVALID", /must be a JSON object, got null/],
    ["an array", [], "OPENAPI_INVALID", /got an array/],
    ["YAML text", "openapi: 3.1.0\npaths: {}", "OPENAPI_INVALID", /not JSON/],
    ["HTML", "<html>", "OPENAPI_INVALID", /not JSON/],
    ["no version", { paths: {} }, "OPENAPI_INVALID", /missing "openapi"/],
    ["swagger 2", { swagger: "2.0", paths: {} }, "OPENAPI_UNSUPPORTED", /Swagger 2.0/],
    ["openapi 4", { openapi: "4.0.0", paths: {} }, "OPENAPI_UNSUPPORTED", /"4.0.0"/],
    ["no paths", { openapi: "3.1.0" }, "OPENAPI_INVALID", /no "paths"/],
    ["paths array", { openapi: "3.1.0", paths: [] }, "OPENAPI_INVALID", /"paths" must be an object/],
    ["relative path", { openapi: "3.1.0", paths: { tasks: {} } }, "OPENAPI_INVALID", /must start with "\/"/],
    ["operation string", { openapi: "3.1.0", paths: { "/a": { get: "x" } } }, "OPENAPI_INVALID", /paths\["\/a"\]\.get must be an object/],
    ["parameters object", { openapi: "3.1.0", paths: { "/a": { get: { parameters: {} } } } }, "OPENAPI_INVALID", /parameters must be an array/],
    ["parameter without in", { openapi: "3.1.0", paths: { "/a": { get: { parameters: [{ name: "x" }] } } } }, "OPENAPI_INVALID", /"in" must be/],
    [
      "dangling $ref",
      { openapi: "3.1.0", paths: { "/a": { post: { requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Nope" } } } } } } } },
      "OPENAPI_INVALID",
      /#\/components\/schemas\/Nope.*does not resolve/,
    ],
    ["self-referencing parameter", { openapi: "3.1.0", paths: { "/a": { get: { parameters: [{ $ref: "#/paths/~1a/get/parameters/0" }] } } } }, "OPENAPI_INVALID", /refers to itself/],
    ["external parameter $ref", { openapi: "3.1.0", paths: { "/a": { get: { parameters: [{ $ref: "common.yaml#/P" }] } } } }, "OPENAPI_UNSUPPORTED", /external \$ref/],
  ];

  it.each(cases)("%s", (_label, doc, code, message) => {
    const error = errorOf(() => discoverOperations(doc, { publicRoutes: [] }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it("bounds absurd nesting", () => {
    let schema: unknown = { type: "string" };
    for (let i = 0; i < 2000; i++) schema = { type: "object", properties: { a: schema } };
    const doc = { openapi: "3.1.0", paths: { "/a": { post: { requestBody: { content: { "application/json": { schema } } } } } } };
    expect(errorOf(() => discoverOperations(doc, { publicRoutes: [] })).message).toMatch(/nested deeper than/);
  });

  it("accepts an empty paths object and a JSON string", () => {
    expect(discoverOperations({ openapi: "3.0.0", paths: {} }, { publicRoutes: [] })).toEqual([]);
    expect(discoverOperations(JSON.stringify(fixture("fastapi-tasks")), { publicRoutes: [] })).toHaveLength(8);
  });

  it("leaves external schema $refs marked instead of failing", () => {
    const doc = { openapi: "3.1.0", paths: { "/a": { post: { requestBody: { content: { "application/json": { schema: { $ref: "https://example.test/s.json" } } } } } } } };
    const [op] = discoverOperations(doc, { publicRoutes: [] });
    expect(op!.requestBody!.schema).toEqual({ "x-authproof-external-ref": "https://example.test/s.json" });
  });
});
