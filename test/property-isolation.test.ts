import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.ts";
import { createAuditContext } from "../src/run/context.ts";
import type { AuditUser, TargetModel } from "../src/model/target.ts";
import { listItems } from "../src/checks/property/isolation.ts";
import { runIsolationModel } from "../src/checks/property/properties/isolation-model.ts";
import type { Operation } from "../src/target/openapi.ts";
import type { Resource } from "../src/target/resources.ts";

// P3 against a small in-process tasks API whose isolation bugs can be switched on.

interface Flags {
  listLeak?: boolean;
  foreignWrite?: boolean;
  /** DELETE answers 204 and keeps the object (a lost write, not an isolation bug). */
  lostDelete?: boolean;
}

function tasksApi(flags: Flags): Server {
  const tasks = new Map<string, { id: string; owner: string; title: string; done: boolean }>();
  let next = 1;
  return createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const send = (status: number, body?: unknown) => {
        res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      const user = { "Bearer token-a": "user-a", "Bearer token-b": "user-b" }[req.headers.authorization ?? ""];
      if (!user) return send(401, { detail: "Not authenticated" });
      const url = new URL(req.url ?? "/", "http://x");
      const [, api, collection, id] = url.pathname.split("/");
      if (api !== "api" || collection !== "tasks") return send(404, { detail: "Not Found" });
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      if (!id) {
        if (req.method === "GET") return send(200, [...tasks.values()].filter((t) => flags.listLeak || t.owner === user));
        if (req.method === "POST") {
          const task = { id: `t${next++}`, owner: user, title: String(body.title), done: false };
          tasks.set(task.id, task);
          return send(201, task);
        }
        return send(405);
      }
      const task = tasks.get(id);
      const allowed = task && (task.owner === user || (flags.foreignWrite && req.method !== "GET"));
      if (!task || !allowed) return send(404, { detail: "Task not found" });
      if (req.method === "GET") return send(200, task);
      if (req.method === "PATCH") {
        Object.assign(task, "title" in body ? { title: String(body.title) } : {}, "done" in body ? { done: Boolean(body.done) } : {});
        return send(200, task);
      }
      if (req.method === "DELETE") {
        if (!flags.lostDelete) tasks.delete(id);
        return send(204);
      }
      return send(405);
    });
  });
}

const schema = { type: "object", properties: { title: { type: "string", minLength: 1, maxLength: 40 }, done: { type: "boolean" } }, required: ["title"] };
const op = (method: Operation["method"], path: string, withBody = false): Operation => ({
  method,
  path,
  declaresSecurity: true,
  isPublic: false,
  pathParams: path.includes("{") ? [{ name: "task_id", schema: { type: "string" } }] : [],
  queryParams: [],
  ...(withBody ? { requestBody: { contentType: "application/json", schema, required: true } } : {}),
  responses: ["200"],
});
const resource: Resource = {
  collection: "/api/tasks",
  item: "/api/tasks/{task_id}",
  idParam: "task_id",
  idField: "id",
  create: op("POST", "/api/tasks", true),
  list: op("GET", "/api/tasks"),
  read: op("GET", "/api/tasks/{task_id}"),
  update: [op("PATCH", "/api/tasks/{task_id}", true)],
  remove: op("DELETE", "/api/tasks/{task_id}"),
};

function user(label: "A" | "B"): AuditUser {
  const id = label === "A" ? "user-a" : "user-b";
  return { label, userId: id, email: `${id}@x.test`, password: "p", sessionToken: "s", cookies: [], token: `token-${label.toLowerCase()}`, header: {}, claims: { sub: id } };
}

function modelFor(baseUrl: string, seed: number, runs: number): TargetModel {
  return {
    config: configSchema.parse({ api: { baseUrl }, auth: { baseUrl }, run: { seed, runs }, rate: { rps: 0 } }),
    seed,
    startedAt: new Date(0).toISOString(),
    apiOrigin: new URL(baseUrl).origin,
    authOrigin: new URL(baseUrl).origin,
    oracle: "none",
    publicJwks: [],
    expected: { identityClaim: "sub", leewaySec: 60 },
    users: [user("A"), user("B")],
    operations: [],
    resources: [resource],
    objects: [],
    probes: [],
    anonymous: [],
    strays: [],
    identities: "better-auth",
    candidates: [],
    warnings: [],
  };
}

const servers: Record<string, { server: Server; url: string }> = {};

beforeAll(async () => {
  for (const [name, flags] of Object.entries({ secure: {}, listLeak: { listLeak: true }, foreignWrite: { foreignWrite: true }, lostDelete: { lostDelete: true } })) {
    const server = tasksApi(flags);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers[name] = { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map(({ server }) => new Promise((resolve) => server.close(resolve))));
});

async function run(name: string, seed = 11, runs = 25) {
  const ctx = await createAuditContext(modelFor(servers[name]!.url, seed, runs));
  try {
    return await runIsolationModel(ctx);
  } finally {
    await ctx.close();
  }
}

describe("P3 isolation model", () => {
  it("holds on an API that scopes every query to the caller", async () => {
    const outcome = await run("secure");
    expect(outcome.status, outcome.reason).toBe("pass");
    expect(outcome.notes?.[0]).toMatch(/^25 runs .*, \d+ requests, seed 11$/);
  });

  it("finds a list that shows other users' objects, shrunk to one create", async () => {
    const outcome = await run("listLeak");
    expect(outcome.status).toBe("fail");
    expect(outcome.reason).toMatch(/counterexample: commands: create\((A|B)\) /);
    expect(outcome.reason).toMatch(/(A|B)'s list shows (A|B)'s object t\d+/);
    expect(outcome.counterexample).toMatchObject({ seed: 11 });
    expect(outcome.counterexample?.path).toMatch(/^\d+(:\d+)*$/);
    expect(outcome.reason).toContain("curl: curl -sS -i ");
  });

  it("finds writes to other users' objects, shrunk to create + foreign write", async () => {
    const outcome = await run("foreignWrite");
    expect(outcome.status).toBe("fail");
    expect(outcome.reason).toMatch(/commands: create\((A|B)\),(update|delete)\((A|B) → (A|B)'s #0/);
    expect(outcome.reason).toMatch(/got (200|204), not 403\/404/);
  });

  it("does not call a user's own object that outlived its DELETE an isolation failure: inconclusive, an error", async () => {
    const outcome = await run("lostDelete");
    expect(outcome.status, outcome.reason).toBe("error");
    expect(outcome.reason).toMatch(/^inconclusive: .*(A|B)'s list still shows its own object t\d+, which its DELETE answered as deleted/);
  });

  it("reproduces the same counterexample from the same seed", async () => {
    const [first, second] = [await run("foreignWrite", 5), await run("foreignWrite", 5)];
    expect(second.counterexample).toEqual(first.counterexample);
    const commands = (reason?: string) => reason?.split("\n").find((line) => line.includes("counterexample: commands:"));
    expect(commands(second.reason)).toBeDefined();
    expect(commands(second.reason)).toEqual(commands(first.reason));
  });

  it("skips when no resource can be created and listed", async () => {
    const model = modelFor(servers.secure!.url, 1, 1);
    const ctx = await createAuditContext({ ...model, resources: [{ ...resource, list: undefined }] as Resource[] });
    try {
      expect((await runIsolationModel(ctx)).status).toBe("skip");
    } finally {
      await ctx.close();
    }
  });

  it("reads list items from a bare array or a wrapper object", () => {
    expect(listItems([{ id: 1 }])).toEqual([{ id: 1 }]);
    expect(listItems({ total: 1, items: [{ id: 1 }] })).toEqual([{ id: 1 }]);
    expect(listItems({ id: 1 })).toBeUndefined();
  });
});
