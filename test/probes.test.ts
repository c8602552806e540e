import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.ts";
import { HttpDriver } from "../src/http/driver.ts";
import type { AuditUser } from "../src/model/target.ts";
import { discoverOperations } from "../src/target/openapi.ts";
import { planProbe, probeOperation } from "../src/target/probes.ts";

// probeOperation sends an operation's no-token request alongside its first controls: the same requests as
// sending it after them, with the no-token control of the same request answered by that one send.

const DOC = {
  openapi: "3.1.0",
  paths: {
    "/items": { get: { responses: { "200": {} } } },
    "/items/{item_id}": {
      put: {
        parameters: [{ name: "item_id", in: "path", required: true, schema: { type: "integer" } }],
        requestBody: { required: true, content: { "application/json": { schema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] } } } },
        responses: { "200": {} },
      },
    },
  },
};

/** "auth-first" checks the token before the body; "body-first" answers 422 to a body of the wrong type whatever the token. */
let order: "auth-first" | "body-first" = "auth-first";
const seen: string[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const token = req.headers.authorization ?? "none";
      seen.push(`${req.method} ${token} ${body}`);
      const answer = (status: number) => res.writeHead(status, { "content-type": "application/json" }).end("{}");
      const badBody = req.method === "PUT" && body === "[]";
      if (order === "body-first" && badBody) return answer(422);
      if (token !== "Bearer good") return answer(401);
      if (badBody) return answer(422);
      return answer(req.method === "GET" ? 200 : 404);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function probed(method: "GET" | "PUT") {
  const config = configSchema.parse({ mode: "shared-secret", api: { baseUrl }, keys: { secret: "s".repeat(32) }, run: { seed: 1 } });
  const op = discoverOperations(DOC, { publicRoutes: [] }).find((o) => o.method === method)!;
  const owner = { label: "A", userId: "user-a", token: "good" } as AuditUser;
  const driver = new HttpDriver({ allowedOrigins: [baseUrl] });
  seen.length = 0;
  try {
    return await probeOperation(driver, planProbe(op, { config, resources: [], objects: [], owner, seed: 1 }), [owner], config);
  } finally {
    await driver.close();
  }
}

describe("probeOperation", () => {
  it("a read: three requests, the no-token one is both the control and the anonymous probe", async () => {
    const { probe, sent } = await probed("GET");
    expect(seen).toHaveLength(3);
    expect(sent.exchange).toBe(probe!.controls.negative);
    expect(sent.withToken).toBe(probe!.controls.positive);
  });

  it("a write whose unappliable body tells the tokens apart: its three controls and the valid body without a token", async () => {
    order = "auth-first";
    const { probe, sent } = await probed("PUT");
    expect(seen).toHaveLength(4);
    expect(probe!.request.body).toBe("[]");
    expect(sent.request.json).toEqual(expect.objectContaining({ title: expect.any(String) }));
    expect(sent.exchange?.response?.status).toBe(401);
    expect(sent.withToken).toBeUndefined();
  });

  it("a write that needs the valid body: six requests, the no-token control of the valid body sent once", async () => {
    order = "body-first";
    const { probe, sent } = await probed("PUT");
    expect(seen).toHaveLength(6);
    expect(seen.filter((line) => line.startsWith("PUT none {"))).toHaveLength(1);
    expect(probe!.request.json).toBe(sent.request.json);
    expect(sent.exchange).toBe(probe!.controls.negative);
    expect(sent.withToken).toBe(probe!.controls.positive);
    expect(probe!.controls.positive.response?.status).toBe(404);
  });
});
