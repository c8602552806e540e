import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { OperationBudgets } from "../src/http/budget.ts";
import { HttpDriver } from "../src/http/driver.ts";
import { OriginHealth } from "../src/http/health.ts";
import { OriginPace } from "../src/http/pace.ts";

/** The driver under the conditions a real run meets: targets that die, hang, rate-limit or serve big documents. */

const servers: Server[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ origin: string; server: Server }> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function closedPort(): Promise<string> {
  const { origin, server } = await serve(() => undefined);
  await new Promise<void>((r) => server.close(() => r()));
  return origin;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

describe("OriginHealth", () => {
  it("marks an origin stopped after 5 failures in a row with a refusal among them, and never on a lone reset", () => {
    let now = 0;
    const health = new OriginHealth(undefined, () => now);
    health.failed("a", "reset");
    health.answered("a");
    for (let i = 0; i < 4; i++) health.failed("a", "refused");
    expect(health.stoppedOrigins()).toEqual([]);
    health.failed("a", "reset");
    expect(health.stoppedOrigins()).toEqual(["a"]);
    expect(health.stoppedBecause("a")).toMatch(/5 connections in a row failed \(4 refused, 1 reset\)/);
    for (let i = 0; i < 19; i++) health.failed("b", "reset");
    expect(health.stoppedBecause("b")).toBeUndefined();
    health.failed("b", "reset");
    expect(health.stoppedOrigins()).toEqual(["a", "b"]);
  });

  it("counts only failures within the window", () => {
    let now = 0;
    const health = new OriginHealth(undefined, () => now);
    for (let i = 0; i < 10; i++) {
      health.failed("a", "refused");
      now += 3_000; // one failure every 3 s: never 5 within 10 s
    }
    expect(health.stoppedOrigins()).toEqual([]);
  });
});

describe("OperationBudgets", () => {
  it("counts busy time once for overlapping requests", () => {
    let now = 0;
    const budgets = new OperationBudgets(1000, () => now);
    const a = budgets.begin("GET /x");
    now = 200;
    const b = budgets.begin("GET /x");
    now = 600;
    a();
    now = 900;
    b();
    expect(budgets.used("GET /x")).toBe(900);
    expect(budgets.exhausted("GET /x")).toBe(false);
    const c = budgets.begin("GET /x");
    now = 1000;
    expect(budgets.exhausted("GET /x")).toBe(true);
    c();
    expect(budgets.used("GET /y")).toBe(0);
  });
});

describe("OriginPace", () => {
  it("lowers the requests in flight in proportion to the 429 rate and recovers with answers", () => {
    const pace = new OriginPace(8);
    expect(pace.limit).toBe(8);
    for (let i = 0; i < 30; i++) pace.observe(429);
    expect(pace.limitedRate).toBeGreaterThan(0.9);
    expect(pace.limit).toBe(5);
    for (let i = 0; i < 60; i++) pace.observe(200);
    expect(pace.limit).toBe(8);
  });
});

describe("HttpDriver: no answer", () => {
  it("classifies a closed connection as reset", async () => {
    const { origin } = await serve((req) => req.socket.destroy());
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const ex = await driver.send({ method: "GET", url: `${origin}/` });
    await driver.close();
    expect(ex.response).toBeUndefined();
    expect(ex.error?.kind).toBe("reset");
  });

  it("marks a target that went away stopped and sends it nothing more; other origins are unaffected", async () => {
    const dead = await closedPort();
    const alive = await serve((_req, res) => res.end("ok"));
    const driver = new HttpDriver({ allowedOrigins: [dead, alive.origin] });
    const kinds: string[] = [];
    for (let i = 0; i < 8; i++) kinds.push((await driver.send({ method: "GET", url: `${dead}/` })).error?.kind ?? "answer");
    const other = await driver.send({ method: "GET", url: `${alive.origin}/` });
    await driver.close();
    expect(kinds).toEqual(["refused", "refused", "refused", "refused", "refused", "stopped", "stopped", "stopped"]);
    expect(driver.stoppedOrigins()).toEqual([dead]);
    expect(driver.stats()).toMatchObject({ sent: 6, stopped: 3 });
    expect(other.response?.status).toBe(200);
  });

  it("does not stop on a flaky reset between answers", async () => {
    let n = 0;
    const { origin } = await serve((req, res) => (++n % 3 === 0 ? req.socket.destroy() : res.end("ok")));
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await driver.send({ method: "GET", url: `${origin}/` }));
    await driver.close();
    expect(results.filter((r) => r.error?.kind === "reset")).toHaveLength(4);
    expect(driver.stoppedOrigins()).toEqual([]);
  });
});

describe("HttpDriver: hard limits", () => {
  it("a route answering after 10 s does not hold the run past its operation budget", async () => {
    const { origin } = await serve((req, res) => {
      if (req.url === "/slow") setTimeout(() => res.end("late"), 10_000).unref();
      else res.end("fast");
    });
    const driver = new HttpDriver({ allowedOrigins: [origin], timeoutMs: 400, operationBudgetMs: 1000, concurrency: 4 });
    const t0 = performance.now();
    const slow = await Promise.all(
      Array.from({ length: 40 }, () => driver.send({ method: "GET", url: `${origin}/slow`, operation: "/slow" })),
    );
    const elapsed = performance.now() - t0;
    const fast = await driver.send({ method: "GET", url: `${origin}/fast`, operation: "/fast" });
    await driver.close();
    // 40 requests × 400 ms at 4 in flight would be 4 s; the budget ends it after ~1 s plus one timeout.
    expect(elapsed).toBeLessThan(2500);
    const kinds = slow.map((ex) => ex.error?.kind);
    expect(kinds.filter((k) => k === "timeout").length).toBeGreaterThan(0);
    expect(kinds.filter((k) => k === "budget").length).toBeGreaterThan(20);
    expect(slow.find((ex) => ex.error?.kind === "budget")?.error?.message).toMatch(/GET \/slow used its time budget/);
    expect(kinds.every((k) => k === "timeout" || k === "budget")).toBe(true);
    expect(fast.response?.status).toBe(200);
  });

  it("past the deadline cuts requests in flight short and sends nothing more", async () => {
    const { origin } = await serve(() => undefined); // never answers
    const driver = new HttpDriver({ allowedOrigins: [origin], timeoutMs: 10_000, deadlineAt: Date.now() + 300 });
    const t0 = performance.now();
    const inFlight = await driver.send({ method: "GET", url: `${origin}/` });
    expect(performance.now() - t0).toBeLessThan(2000);
    const later = await driver.send({ method: "GET", url: `${origin}/` });
    await driver.close();
    expect(inFlight.error?.kind).toBe("cancelled");
    expect(later.error).toEqual({ kind: "cancelled", message: "not sent: the run reached its time limit" });
    expect(driver.stats().sent).toBe(1);
  });

  it("halt() ends requests in flight and later ones as cancelled, with the reason", async () => {
    const { origin } = await serve(() => undefined);
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const pending = driver.send({ method: "GET", url: `${origin}/` });
    setTimeout(() => driver.halt("interrupted by SIGTERM"), 100);
    const ex = await pending;
    const after = await driver.send({ method: "GET", url: `${origin}/` });
    await driver.close();
    expect(ex.error).toEqual({ kind: "cancelled", message: "cut short: interrupted by SIGTERM" });
    expect(after.error?.message).toBe("not sent: interrupted by SIGTERM");
    expect(driver.haltedBecause()).toBe("interrupted by SIGTERM");
  });

  it("reads a 2 MiB document whole when the request raises the body cap", async () => {
    const doc = { openapi: "3.1.0", paths: Object.fromEntries(Array.from({ length: 13_000 }, (_, i) => [`/api/items/${i}/{id}`, { get: { summary: "x".repeat(120) } }])) };
    const text = JSON.stringify(doc);
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    const { origin } = await serve((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(text));
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const capped = await driver.send({ method: "GET", url: `${origin}/openapi.json` });
    const whole = await driver.send({ method: "GET", url: `${origin}/openapi.json`, maxBodyBytes: 64 * 1024 * 1024 });
    await driver.close();
    expect(capped.response?.truncated).toBe(true);
    expect(capped.response?.json).toBeUndefined();
    expect(whole.response?.truncated).toBeUndefined();
    expect(Object.keys((whole.response?.json as typeof doc).paths)).toHaveLength(13_000);
  });
});

describe("HttpDriver: 429 back-off per origin", () => {
  /** 200 after 100 ms; the limited server answers every third request at once with 429 + Retry-After: 1. */
  async function target(limited: boolean) {
    let count = 0;
    return serve((_req, res) => {
      count++;
      if (limited && count % 3 === 0) res.writeHead(429, { "retry-after": "1" }).end("too many");
      else setTimeout(() => res.end("real answer"), 100);
    });
  }

  async function timeRun(origin: string, n: number) {
    const driver = new HttpDriver({ allowedOrigins: [origin], concurrency: 8, maxRetries429: 20 });
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: n }, () => driver.send({ method: "GET", url: `${origin}/` })));
    const ms = performance.now() - t0;
    await driver.close();
    return { ms, results, stats: driver.stats() };
  }

  it("N requests against a server that 429s every third take less than twice the clean time, each with its real answer", async () => {
    // The tail is fixed (the last requests wait out 1 s, some several times over): the clean run must be long
    // enough (~6 s) for the comparison to measure the pace, not that tail.
    const n = 480;
    const clean = await timeRun((await target(false)).origin, n);
    const limited = await timeRun((await target(true)).origin, n);
    expect(clean.results.every((r) => r.response?.status === 200)).toBe(true);
    expect(limited.results.every((r) => r.response?.status === 200 && r.response.body === "real answer")).toBe(true);
    expect(limited.stats.retries).toBeGreaterThan(n / 3);
    expect(limited.ms).toBeLessThan(2 * clean.ms);
  }, 90_000);

  it("requests to another origin never wait for a rate-limited one", async () => {
    const slowdown = await serve((_req, res) => res.writeHead(429, { "retry-after": "5" }).end());
    const other = await serve((_req, res) => res.end("ok"));
    const driver = new HttpDriver({ allowedOrigins: [slowdown.origin, other.origin], concurrency: 2, maxRetries429: 1 });
    const limited = Array.from({ length: 4 }, () => driver.send({ method: "GET", url: `${slowdown.origin}/` }));
    await new Promise((r) => setTimeout(r, 100)); // every limited request is now waiting out its 5 s
    const t0 = performance.now();
    const answers = await Promise.all(Array.from({ length: 10 }, () => driver.send({ method: "GET", url: `${other.origin}/` })));
    const ms = performance.now() - t0;
    driver.halt("test over");
    await Promise.all(limited);
    await driver.close();
    expect(answers.every((a) => a.response?.status === 200)).toBe(true);
    expect(ms).toBeLessThan(1000);
  });
});
