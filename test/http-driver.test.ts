import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpDriver, retryAfterMs } from "../src/http/driver.ts";
import type { Clock } from "../src/http/limits.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let origin: string;
const routes = new Map<string, Handler>();
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const handler = routes.get(path);
      if (handler) handler(req, res, body);
      else res.writeHead(404).end("not found");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  routes.set("/echo", (req, res, body) => {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, body }));
  });
  routes.set("/redirect", (_req, res) => res.writeHead(302, { location: "/echo" }).end());
  routes.set("/cookies", (_req, res) => {
    res.setHeader("set-cookie", ["a=1; HttpOnly", "b=2; Secure"]);
    res.setHeader("X-Mixed-Case", "yes");
    res.end("ok");
  });
  routes.set("/single-cookie", (_req, res) => res.writeHead(200, { "set-cookie": "only=1" }).end());
  routes.set("/big", (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("x".repeat(3 * 1024 * 1024));
  });
  routes.set("/not-json", (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{oops"));
  routes.set("/never", () => {
    /* headers never come: the driver's deadline must fire */
  });
  routes.set("/trickle", (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    const tick = setInterval(() => res.write("."), 20);
    res.on("close", () => clearInterval(tick));
  });
  routes.set("/stall-body", (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("partial");
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** A clock frozen at t=0 whose sleeps return at once and are recorded. */
function frozenClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleeps, now: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
}

describe("HttpDriver", () => {
  it("sends headers, body and JSON, and parses JSON responses", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const ex = await driver.send({ method: "POST", url: `${origin}/echo?q=1`, headers: { "x-a": "1" }, json: { hello: "world" } });
    await driver.close();
    expect(ex.error).toBeUndefined();
    expect(ex.response?.status).toBe(200);
    const echoed = ex.response?.json as { method: string; url: string; rawHeaders: string[]; body: string };
    expect(echoed.method).toBe("POST");
    expect(echoed.url).toBe("/echo?q=1");
    expect(JSON.parse(echoed.body)).toEqual({ hello: "world" });
    expect(echoed.rawHeaders).toContain("application/json");
    expect(echoed.rawHeaders).toContain("x-a");
    expect(ex.response?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("sends two Authorization headers as two header lines", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const ex = await driver.send({ method: "GET", url: `${origin}/echo`, headers: { Authorization: ["Bearer one", "Bearer two"] } });
    await driver.close();
    const raw = (ex.response?.json as { rawHeaders: string[] }).rawHeaders;
    const auth = raw.filter((_, i) => i % 2 === 1 && raw[i - 1]!.toLowerCase() === "authorization");
    expect(auth).toEqual(["Bearer one", "Bearer two"]);
  });

  it("does not follow redirects", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const before = hits.get("/echo") ?? 0;
    const ex = await driver.send({ method: "GET", url: `${origin}/redirect` });
    await driver.close();
    expect(ex.response?.status).toBe(302);
    expect(ex.response?.headers.location).toBe("/echo");
    expect(hits.get("/echo") ?? 0).toBe(before);
  });

  it("refuses origins that are not allowed, sending nothing", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const other = origin.replace("127.0.0.1", "localhost");
    const before = hits.get("/echo") ?? 0;
    const results = await Promise.all([
      driver.send({ method: "GET", url: `${other}/echo` }),
      driver.send({ method: "GET", url: "http://example.com/" }),
      driver.send({ method: "GET", url: "file:///etc/passwd" }),
      driver.send({ method: "GET", url: "not a url" }),
    ]);
    await driver.close();
    for (const ex of results) {
      expect(ex.error?.kind).toBe("blocked");
      expect(ex.response).toBeUndefined();
    }
    expect(hits.get("/echo") ?? 0).toBe(before);
    expect(driver.stats()).toMatchObject({ blocked: 4, sent: 0 });
  });

  it("lower-cases response headers and always gives set-cookie as an array", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const [two, one] = await Promise.all([
      driver.send({ method: "GET", url: `${origin}/cookies` }),
      driver.send({ method: "GET", url: `${origin}/single-cookie` }),
    ]);
    await driver.close();
    expect(two.response?.headers["set-cookie"]).toEqual(["a=1; HttpOnly", "b=2; Secure"]);
    expect(two.response?.headers["x-mixed-case"]).toBe("yes");
    expect(one.response?.headers["set-cookie"]).toEqual(["only=1"]);
  });

  it("caps the body it reads and leaves json undefined for invalid JSON", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin], maxBodyBytes: 1024 * 1024 });
    const big = await driver.send({ method: "GET", url: `${origin}/big` });
    const bad = await driver.send({ method: "GET", url: `${origin}/not-json` });
    await driver.close();
    expect(big.response?.body.length).toBe(1024 * 1024);
    expect(big.response?.truncated).toBe(true);
    expect(bad.response?.status).toBe(200);
    expect(bad.response?.json).toBeUndefined();
    expect(bad.response?.body).toBe("{oops");
  });

  it("turns a missing response into a timeout error: no headers, a stalled body, a body that never ends", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin], timeoutMs: 300 });
    const [noHeaders, stalled, trickle] = await Promise.all([
      driver.send({ method: "GET", url: `${origin}/never` }),
      driver.send({ method: "GET", url: `${origin}/stall-body` }),
      driver.send({ method: "GET", url: `${origin}/trickle` }),
    ]);
    await driver.close();
    expect(noHeaders.error?.kind).toBe("timeout");
    expect(stalled.error?.kind).toBe("timeout");
    expect(trickle.error?.kind).toBe("timeout");
    expect(driver.stats()).toMatchObject({ timeouts: 3, errors: 3 });
  });

  it("reports a closed port as refused", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const dead = `http://127.0.0.1:${port}`;
    const driver = new HttpDriver({ allowedOrigins: [dead] });
    const ex = await driver.send({ method: "GET", url: `${dead}/` });
    await driver.close();
    expect(ex.error?.kind).toBe("refused");
    expect(ex.response).toBeUndefined();
  });

  it("sends non-Latin-1 header values as UTF-8 bytes and refuses control characters without crashing", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const before = hits.get("/echo") ?? 0;
    const unicode = await driver.send({ method: "GET", url: `${origin}/echo`, headers: { authorization: "Bearer é€😀" } });
    const crlf = await driver.send({ method: "GET", url: `${origin}/echo`, headers: { authorization: "Bearer a\r\nx-injected: 1" } });
    const nul = await driver.send({ method: "GET", url: `${origin}/echo`, headers: { authorization: "Bearer \u0000" } });
    await driver.close();
    const raw = (unicode.response?.json as { rawHeaders: string[] }).rawHeaders;
    // node:http decodes header bytes as Latin-1, so the UTF-8 bytes show up one char per byte.
    expect(raw[raw.indexOf("authorization") + 1]).toBe(Buffer.from("Bearer é€😀", "utf8").toString("latin1"));
    for (const ex of [crlf, nul]) {
      expect(ex.error?.kind).toBe("network");
      expect(ex.error?.message).toMatch(/control character/);
      expect(ex.error?.message).not.toContain("Bearer");
    }
    expect(hits.get("/echo")).toBe(before + 1);
  });

  it("turns an invalid header name into a network error instead of throwing", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    const ex = await driver.send({ method: "GET", url: `${origin}/echo`, headers: { "bad name": "x" } });
    await driver.close();
    expect(ex.error?.kind).toBe("network");
  });
});

describe("HttpDriver limits", () => {
  it("never has more requests in flight than the concurrency limit, and reaches it", async () => {
    const cap = 3;
    const total = 15;
    let arrived = 0;
    let active = 0;
    let maxActive = 0;
    const held: ServerResponse[] = [];
    const releaseOne = () => held.shift()?.end("done");
    routes.set("/hold", (_req, res) => {
      active++;
      maxActive = Math.max(maxActive, active);
      res.on("finish", () => active--);
      held.push(res);
      arrived++;
      // Release one when the cap is reached (or when nothing more will come); the fallback timer only keeps a
      // broken driver from hanging the test.
      if (arrived === total) for (let i = 0; i < held.length; i++) setImmediate(releaseOne);
      else if (held.length >= cap) setImmediate(releaseOne);
      else setTimeout(releaseOne, 2000);
    });
    const driver = new HttpDriver({ allowedOrigins: [origin], concurrency: cap });
    const results = await Promise.all(Array.from({ length: total }, () => driver.send({ method: "GET", url: `${origin}/hold` })));
    await driver.close();
    expect(results.every((r) => r.response?.status === 200)).toBe(true);
    expect(maxActive).toBe(cap);
    expect(driver.stats().maxInFlight).toBe(cap);
    expect(driver.stats().sent).toBe(total);
  });

  it("takes one rate token per request and spaces requests 1/rps apart once the burst is spent", async () => {
    const clock = frozenClock();
    const driver = new HttpDriver({ allowedOrigins: [origin], rps: 10, burst: 1, concurrency: 4, clock });
    await Promise.all(Array.from({ length: 8 }, () => driver.send({ method: "GET", url: `${origin}/echo` })));
    await driver.close();
    expect([...clock.sleeps].sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500, 600, 700]);
  });

  it("with rps 0 never waits", async () => {
    const clock = frozenClock();
    const driver = new HttpDriver({ allowedOrigins: [origin], rps: 0, clock });
    await Promise.all(Array.from({ length: 5 }, () => driver.send({ method: "GET", url: `${origin}/echo` })));
    await driver.close();
    expect(clock.sleeps).toEqual([0, 0, 0, 0, 0]);
  });

  it("retries a 429 after the Retry-After delay and returns the 200", async () => {
    let calls = 0;
    routes.set("/limited", (_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { "retry-after": "2" }).end("slow down");
      else res.writeHead(200).end("fine");
    });
    const clock = frozenClock();
    const driver = new HttpDriver({ allowedOrigins: [origin], clock });
    const ex = await driver.send({ method: "GET", url: `${origin}/limited` });
    await driver.close();
    expect(ex.response?.status).toBe(200);
    expect(calls).toBe(2);
    // pace token, the 2 s back-off, pace token of the retry
    expect(clock.sleeps).toEqual([0, 2000, 0]);
    expect(driver.stats()).toMatchObject({ retries: 1, sent: 2 });
  });

  it("honours X-Retry-After and gives the 429 back once retries are exhausted", async () => {
    let calls = 0;
    routes.set("/always-limited", (_req, res) => {
      calls++;
      res.writeHead(429, { "x-retry-after": "7" }).end();
    });
    const clock = frozenClock();
    const driver = new HttpDriver({ allowedOrigins: [origin], clock, maxRetries429: 2 });
    const ex = await driver.send({ method: "GET", url: `${origin}/always-limited` });
    await driver.close();
    expect(ex.response?.status).toBe(429);
    expect(calls).toBe(3);
    expect(clock.sleeps).toEqual([0, 7000, 0, 7000, 0]);
  });

  it("backs off only the request that got the 429: the next request does not wait", async () => {
    let calls = 0;
    routes.set("/limited-once", (_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(429, { "retry-after": "3" }).end();
      else res.writeHead(200).end();
    });
    const clock = frozenClock();
    const driver = new HttpDriver({ allowedOrigins: [origin], clock });
    await driver.send({ method: "GET", url: `${origin}/limited-once` });
    await driver.send({ method: "GET", url: `${origin}/echo` });
    await driver.close();
    expect(clock.sleeps).toEqual([0, 3000, 0, 0]);
  });
});

describe("retryAfterMs", () => {
  it("reads seconds, HTTP dates and X-Retry-After", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs({ "retry-after": "5" }, now)).toBe(5000);
    expect(retryAfterMs({ "retry-after": "Thu, 01 Jan 2026 00:00:10 GMT" }, now)).toBe(10_000);
    expect(retryAfterMs({ "x-retry-after": "3" }, now)).toBe(3000);
    expect(retryAfterMs({ "retry-after": "garbage" }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});

describe("HttpDriver after close", () => {
  it("refuses to send once closed, without throwing", async () => {
    const driver = new HttpDriver({ allowedOrigins: [origin] });
    await driver.close();
    const ex = await driver.send({ method: "GET", url: `${origin}/echo` });
    expect(ex.error?.kind).toBe("cancelled");
    expect(driver.stats().sent).toBe(0);
  });
});
