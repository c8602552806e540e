import { describe, expect, test } from "vitest";
import { judgeFunctionLevel, judgeRoleAssignment, judgeRoleAtSignUp, judgeRoleClaim, showsAdmin } from "../src/checks/authorization/judge.ts";
import type { Exchange } from "../src/http/types.ts";
import { adminOperations, selfUpdateOperations } from "../src/target/admin.ts";
import type { Operation } from "../src/target/openapi.ts";
import { configSchema } from "../src/config/schema.ts";

const endpoint = (method = "GET") => ({ method, path: "/api/admin/tasks" });

function labelled(status: number | undefined, json?: unknown, label = "B: GET /api/admin/tasks") {
  const exchange: Exchange = {
    request: { method: "GET", url: "http://127.0.0.1:1/api/admin/tasks" },
    ...(status === undefined
      ? { error: { kind: "refused" as const, message: "connection refused" } }
      : { response: { status, headers: {}, body: JSON.stringify(json ?? {}), json: json ?? {}, durationMs: 1 } }),
    startedAt: 0,
  };
  return { label, exchange };
}

describe("authorization.function-level judge", () => {
  test("a normal user's 2xx fails: high for a read, critical for a write", () => {
    expect(judgeFunctionLevel(endpoint(), labelled(200), false, "tagged admin")).toMatchObject({ status: "fail", severity: "high" });
    expect(judgeFunctionLevel(endpoint("DELETE"), labelled(204), true, "path segment /admin")).toMatchObject({ status: "fail", severity: "critical" });
  });

  test("401, 403 and 404 are refusals; 404 for an id that does not exist is inconclusive", () => {
    for (const status of [401, 403, 404]) expect(judgeFunctionLevel(endpoint(), labelled(status), false, "x").status, String(status)).toBe("pass");
    expect(judgeFunctionLevel(endpoint("DELETE"), labelled(404), true, "x")).toMatchObject({ status: "skip", reason: expect.stringMatching(/^inconclusive/) });
  });

  test("a 422 (the body checked before the role) or a 5xx never passes", () => {
    for (const status of [422, 400, 500]) expect(judgeFunctionLevel(endpoint("POST"), labelled(status), false, "x").status, String(status)).toBe("skip");
    expect(judgeFunctionLevel(endpoint(), labelled(undefined), false, "x").status).toBe("error");
  });
});

describe("authorization.role-claim judge", () => {
  const raised = (statuses: number[]) => statuses.map((s, i) => ({ variant: `v${i}`, labelled: labelled(s) }));

  test("a raised claim let in where B's own token is refused fails, naming the variant", () => {
    const outcome = judgeRoleClaim(endpoint(), labelled(403), labelled(403), raised([403, 200]), false);
    expect(outcome).toMatchObject({ status: "fail", failedVariants: ["v1"], variants: { total: 2, failed: 1 } });
  });

  test("every raised claim refused like B's own token passes", () => {
    expect(judgeRoleClaim(endpoint(), labelled(403), labelled(403), raised([403, 401]), false).status).toBe("pass");
  });

  test("no verdict when the re-signed control is not judged like B's own token, or B is already let in", () => {
    expect(judgeRoleClaim(endpoint(), labelled(403), labelled(401), raised([401]), false).status).toBe("skip");
    expect(judgeRoleClaim(endpoint(), labelled(200), labelled(200), raised([200]), false).status).toBe("skip");
  });
});

describe("authorization.role-assignment judge", () => {
  const read = (record: unknown, status = 200) => ({ labelled: labelled(status, { user: record }, "B: get-session"), record });
  const attempt = labelled(200, {}, "B: POST update-user with role=admin");

  test("a role read back as admin after B sent it fails", () => {
    expect(judgeRoleAssignment(endpoint("POST"), attempt, read({ role: "user" }), read({ role: "admin" }))).toMatchObject({ status: "fail" });
  });

  test("an unchanged role passes; no role field at all cannot be judged; a failed read is an error", () => {
    expect(judgeRoleAssignment(endpoint("POST"), labelled(400), read({ role: "user" }), read({ role: "user" })).status).toBe("pass");
    expect(judgeRoleAssignment(endpoint("POST"), attempt, read({ name: "b" }), read({ name: "b" })).status).toBe("skip");
    expect(judgeRoleAssignment(endpoint("POST"), attempt, read({ role: "user" }), read(undefined, 401)).status).toBe("error");
  });

  test("sign-up: refused passes; an accepted sign-up whose user shows admin fails", () => {
    expect(judgeRoleAtSignUp(endpoint("POST"), labelled(400)).status).toBe("pass");
    expect(judgeRoleAtSignUp(endpoint("POST"), labelled(200), read({ role: "admin" })).status).toBe("fail");
    expect(judgeRoleAtSignUp(endpoint("POST"), labelled(200), read({ role: "user" })).status).toBe("pass");
    expect(judgeRoleAtSignUp(endpoint("POST"), labelled(200)).status).toBe("error");
  });

  test("admin roles in the shapes apps use", () => {
    expect(showsAdmin({ role: "user,admin" })).toBe(true);
    expect(showsAdmin({ roles: ["editor", "Admin"] })).toBe(true);
    expect(showsAdmin({ is_admin: true })).toBe(true);
    expect(showsAdmin({ role: "administrator-request" })).toBe(false);
    expect(showsAdmin({ role: "user" })).toBe(false);
  });
});

describe("admin operations", () => {
  const op = (method: Operation["method"], path: string, more: Partial<Operation> = {}): Operation => ({
    method,
    path,
    declaresSecurity: true,
    isPublic: false,
    pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({ name: m[1]!, schema: { type: "string" } })),
    queryParams: [],
    responses: ["200"],
    ...more,
  });
  const ops = [
    op("GET", "/api/admin/tasks"),
    op("GET", "/api/reports", { tags: ["Admin"] }),
    op("DELETE", "/api/tasks/{task_id}"),
    op("GET", "/api/staff/overview", { isPublic: true }),
    op("POST", "/api/maintenance/reindex"),
    op("PATCH", "/api/me", { requestBody: { contentType: "application/json", schema: { type: "object" }, required: true } }),
    op("PUT", "/api/users/{user_id}", { requestBody: { contentType: "application/json", schema: { type: "object" }, required: true } }),
  ];

  test("are inferred from path segments and tags, plus configured patterns; public ones are left out", () => {
    const config = configSchema.parse({ authorization: { adminOperations: ["POST /api/maintenance/*"] } });
    expect(adminOperations(ops, config).map((a) => `${a.op.method} ${a.op.path}: ${a.because}`)).toEqual([
      "GET /api/admin/tasks: path segment /admin",
      'GET /api/reports: tagged "Admin"',
      "POST /api/maintenance/reindex: configured (POST /api/maintenance/*)",
    ]);
  });

  test("only configured ones when inference is off", () => {
    const config = configSchema.parse({ authorization: { adminOperations: ["/api/reports"], inferAdminOperations: false } });
    expect(adminOperations(ops, config).map((a) => a.op.path)).toEqual(["/api/reports"]);
  });

  test("self-update routes: /me and /users/{user_id} writes with a body", () => {
    expect(selfUpdateOperations(ops, []).map((o) => `${o.method} ${o.path}`)).toEqual(["PATCH /api/me", "PUT /api/users/{user_id}"]);
  });
});
