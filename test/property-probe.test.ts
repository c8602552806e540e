import { expect, test } from "vitest";
import type { Probe, TargetModel } from "../src/model/target.ts";
import type { Exchange } from "../src/http/types.ts";
import { findTokenProbe } from "../src/checks/property/identity.ts";

const exchange = (status: number, body = "{}"): Exchange => ({
  request: { method: "GET", url: "http://127.0.0.1:1/x" },
  response: { status, headers: {}, body, json: JSON.parse(body), durationMs: 1 },
  startedAt: 0,
});
const probe = (path: string, positive: number, negative: number, body = "{}"): Probe =>
  ({ op: { method: "GET", path, pathParams: [] }, request: { method: "GET", url: `http://127.0.0.1:1${path}` }, kind: "read", controls: { positive: exchange(positive, body), negative: exchange(negative) } }) as unknown as Probe;
const model = (probes: Probe[]) => ({ users: [{ userId: "user-a" }], probes }) as unknown as TargetModel;

test("the token properties prefer the probe that names the caller, then any probe with working controls", () => {
  const list = probe("/api/tasks", 200, 401, "[]");
  const me = probe("/api/me", 200, 401, '{"id":"user-a"}');
  expect(findTokenProbe(model([list, me]))?.op.path).toBe("/api/me");
  expect(findTokenProbe(model([probe("/broken", 401, 401), list]))?.op.path).toBe("/api/tasks");
});

test("when every control fails, a probe is still returned so the property reports error, not skip", () => {
  expect(findTokenProbe(model([probe("/broken", 401, 401)]))?.op.path).toBe("/broken");
  expect(findTokenProbe(model([]))).toBeUndefined();
});
