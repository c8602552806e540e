import { describe, expect, it } from "vitest";
import { AdaptiveConcurrency } from "../src/http/adaptive.ts";
import { isLoopbackHost } from "../src/http/loopback.ts";
import { planPace } from "../src/http/pace-plan.ts";
import { tmpdir } from "node:os";
import { loadConfig } from "../src/config/load.ts";

describe("planPace", () => {
  it("drives a loopback target unthrottled, up to 32 in flight, by default", () => {
    expect(planPace({}, ["http://127.0.0.1:8000", "http://localhost:3000"])).toMatchObject({ rps: 0, concurrency: 32, adaptive: false });
    expect(planPace({ concurrency: 4 }, ["http://[::1]:8000"])).toMatchObject({ rps: 0, concurrency: 4, adaptive: false });
  });
  it("adapts to a remote target by default and with --rps auto", () => {
    expect(planPace({}, ["https://staging.example.com", "http://127.0.0.1:3000"])).toMatchObject({ rps: 0, adaptive: true, concurrency: 32 });
    expect(planPace({ rps: "auto" }, ["http://127.0.0.1:8000"])).toMatchObject({ adaptive: true });
  });
  it("keeps --rps N as a hard ceiling", () => {
    const plan = planPace({ rps: 20 }, ["http://127.0.0.1:8000"]);
    expect(plan).toMatchObject({ rps: 20, concurrency: 8, adaptive: false });
    expect(plan.label).toBe("at most 20 requests/s, up to 8 in flight");
  });
  it("reads --rps auto from flags and names a bad value's field", async () => {
    const config = await loadConfig({ flags: { api: "http://127.0.0.1:1", rps: "auto" }, env: {}, cwd: tmpdir() });
    expect(config.rate.rps).toBe("auto");
    await expect(loadConfig({ flags: { api: "http://127.0.0.1:1", rps: "fast" }, env: {}, cwd: tmpdir() })).rejects.toThrow(/rate\.rps/);
  });
});

describe("isLoopbackHost", () => {
  it("knows this machine's names and nothing else", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "[::1]", "app.localhost"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["10.0.0.1", "example.com", "[2001:db8::1]", "localhost.example.com"]) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe("AdaptiveConcurrency", () => {
  const windowOf = (pace: AdaptiveConcurrency, latencyMs: number, status = 200) => {
    for (let i = 0; i < AdaptiveConcurrency.WINDOW; i++) pace.observe(latencyMs, status);
  };
  it("grows while latency stays flat, up to its ceiling", () => {
    const pace = new AdaptiveConcurrency(12);
    expect(pace.limit).toBe(4);
    for (let i = 0; i < 10; i++) windowOf(pace, 20);
    expect(pace.limit).toBe(12);
  });
  it("halves on a 429, on a burst of 5xx and when latency climbs", () => {
    const pace = new AdaptiveConcurrency(32);
    for (let i = 0; i < 6; i++) windowOf(pace, 20);
    const grown = pace.limit;
    pace.observe(20, 429);
    windowOf(pace, 20);
    expect(pace.limit).toBe(Math.floor(grown / 2));
    const before5xx = pace.limit;
    windowOf(pace, 20, 503);
    expect(pace.limit).toBe(Math.floor(before5xx / 2));
    const beforeSlow = pace.limit;
    windowOf(pace, 200);
    expect(pace.limit).toBe(Math.max(1, Math.floor(beforeSlow / 2)));
    expect(pace.peak).toBe(grown);
  });
  it("holds when latency sits between flat and slow", () => {
    const pace = new AdaptiveConcurrency(32);
    windowOf(pace, 20);
    const limit = pace.limit;
    windowOf(pace, 35);
    expect(pace.limit).toBe(limit);
  });
});
