import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TargetError } from "../src/target/errors.ts";
import { discoverOperations, type Operation } from "../src/target/openapi.ts";
import { fillPath, inferResources, userIdParamOf } from "../src/target/resources.ts";

const ops = (name: string): Operation[] =>
  discoverOperations(JSON.parse(readFileSync(new URL(`../fixtures/openapi/${name}.json`, import.meta.url), "utf8")), { publicRoutes: ["/health", "/"] });

const summary = (r: ReturnType<typeof inferResources>[number]) => ({
  collection: r.collection,
  item: r.item,
  idParam: r.idParam,
  idField: r.idField,
  userIdParam: r.userIdParam,
  parentParams: r.parentParams,
  create: r.create?.method,
  list: r.list?.method,
  read: r.read?.method,
  update: r.update?.map((u) => u.method),
  remove: r.remove?.method,
  actions: r.actions?.map((a) => `${a.method} ${a.path}`),
});

describe("inferResources", () => {
  it("finds the flat tasks resource with full CRUD", () => {
    expect(inferResources(ops("fastapi-tasks")).map(summary)).toEqual([
      {
        collection: "/api/tasks",
        item: "/api/tasks/{task_id}",
        idParam: "task_id",
        idField: "id",
        userIdParam: undefined,
        parentParams: undefined,
        create: "POST",
        list: "GET",
        read: "GET",
        update: ["PUT", "PATCH"],
        remove: "DELETE",
        actions: undefined,
      },
    ]);
  });

  it("recognises /api/{user_id}/tasks and /api/users/{userId}/notes as user-scoped, with item actions", () => {
    const found = inferResources(ops("fastapi-user-scoped")).map(summary);
    expect(found.map((r) => [r.collection, r.userIdParam])).toEqual([
      ["/api/users/{userId}/notes", "userId"],
      ["/api/{user_id}/tasks", "user_id"],
    ]);
    expect(found[1]).toMatchObject({ idParam: "task_id", update: ["PUT"], remove: "DELETE", actions: ["PATCH /api/{user_id}/tasks/{task_id}/complete"] });
    expect(found[0]).toMatchObject({ idParam: "note_id", create: "POST", read: "GET", update: undefined, remove: undefined });
  });

  it("marks non-user parent parameters and reads the id field from the response schema", () => {
    const found = inferResources(ops("handwritten-3.0")).map(summary);
    expect(found.map((r) => r.collection)).toEqual(["/v1/projects", "/v1/projects/{projectId}/members"]);
    expect(found[0]).toMatchObject({ idParam: "projectId", idField: "id", update: ["PATCH"], userIdParam: undefined });
    expect(found[1]).toMatchObject({ idParam: "memberId", parentParams: ["projectId"], create: "POST", remove: "DELETE", read: undefined });
  });

  it("does not treat a lone item path or a parameter-ended collection as a resource", () => {
    const synthetic: Operation[] = [
      { method: "GET", path: "/api/me", declaresSecurity: true, isPublic: false, pathParams: [], queryParams: [], responses: [] },
      { method: "GET", path: "/api/files/{a}/{b}", declaresSecurity: true, isPublic: false, pathParams: [], queryParams: [], responses: [] },
      { method: "GET", path: "/api/files/{a}", declaresSecurity: true, isPublic: false, pathParams: [], queryParams: [], responses: [] },
    ];
    expect(inferResources(synthetic)).toEqual([]);
  });

  it("lets configured resources override inferred ones and name undocumented ones", () => {
    const found = inferResources(ops("fastapi-tasks"), [
      { collection: "/api/tasks", idField: "task_id", createBody: { title: "x", priority: "low", category: "ab" } },
      { collection: "/api/:owner/bookmarks", item: "/api/:owner/bookmarks/:bookmarkId", userIdParam: "owner" },
    ]);
    expect(found.map(summary)).toEqual([
      expect.objectContaining({ collection: "/api/tasks", idField: "task_id", create: "POST", update: ["PUT", "PATCH"] }),
      expect.objectContaining({
        collection: "/api/{owner}/bookmarks",
        item: "/api/{owner}/bookmarks/{bookmarkId}",
        idParam: "bookmarkId",
        userIdParam: "owner",
        create: "POST",
        read: "GET",
        list: "GET",
        remove: "DELETE",
      }),
    ]);
    expect(found[0]!.createBody).toEqual({ title: "x", priority: "low", category: "ab" });
    // The configured tasks collection still uses the document's operations (with the request schema).
    expect(found[0]!.create!.requestBody).toBeDefined();
  });

  it("matches a configured template to the document's spelling of it", () => {
    const [tasks] = inferResources(ops("fastapi-tasks"), [{ collection: "/api/tasks/", item: "/api/tasks/{id}" }]);
    expect(tasks!.item).toBe("/api/tasks/{task_id}");
    expect(tasks!.idParam).toBe("task_id");
  });

  it("rejects configured resources that cannot work", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e instanceof TargetError ? e.code : "other";
      }
      return "none";
    };
    expect(code(() => inferResources([], [{ collection: "api/tasks" }]))).toBe("RESOURCE_INVALID");
    expect(code(() => inferResources([], [{ collection: "/api/tasks", item: "/api/tasks/all" }]))).toBe("RESOURCE_INVALID");
    expect(code(() => inferResources([], [{ collection: "/api/tasks", userIdParam: "uid" }]))).toBe("RESOURCE_INVALID");
  });
});

describe("userIdParamOf", () => {
  it("names user parameters by name or by a users-like segment, never the trailing item id", () => {
    expect(userIdParamOf("/api/users/{user_id}/tasks")).toBe("user_id");
    expect(userIdParamOf("/api/{uid}/tasks/{task_id}")).toBe("uid");
    expect(userIdParamOf("/api/accounts/{id}/invoices")).toBe("id");
    expect(userIdParamOf("/api/{ownerId}/boards")).toBe("ownerId");
    expect(userIdParamOf("/api/projects/{project_id}/tasks")).toBeUndefined();
    expect(userIdParamOf("/api/users/{user_id}")).toBeUndefined();
  });
});

describe("fillPath", () => {
  it("fills and encodes each value as one segment", () => {
    expect(fillPath("/api/{user_id}/tasks/{task_id}", { user_id: "a b/c?d#e", task_id: "42" })).toBe("/api/a%20b%2Fc%3Fd%23e/tasks/42");
    expect(fillPath("/api/tasks/{id}", { id: "ü✓" })).toBe("/api/tasks/%C3%BC%E2%9C%93");
  });

  it("keeps dot segments from climbing the path", () => {
    expect(fillPath("/api/tasks/{id}", { id: ".." })).toBe("/api/tasks/%2E%2E");
    expect(fillPath("/api/tasks/{id}", { id: "." })).toBe("/api/tasks/%2E");
    expect(fillPath("/api/tasks/{id}", { id: "a..b" })).toBe("/api/tasks/a..b");
  });

  it("throws PATH_PARAM_MISSING naming the parameter", () => {
    expect(() => fillPath("/api/{user_id}/tasks", {})).toThrowError(/PATH_PARAM_MISSING: no value for path parameter \{user_id\}/);
    expect(() => fillPath("/api/{toString}/x", {})).toThrowError(TargetError);
  });
});
