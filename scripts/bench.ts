/**
 * Requests per second of HttpDriver versus raw undici against a local node:http server (run in a worker
 * thread so it has its own event loop). Bounded runtime: about 3 s per contender plus warm-up.
 * Usage: npm run bench [-- --seconds 3 --concurrency 8]
 */
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { HttpDriver } from "../src/http/driver.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "3" }, concurrency: { type: "string", default: "8" } },
});
const seconds = Math.min(8, Math.max(1, Number(values.seconds)));
const concurrency = Math.max(1, Number(values.concurrency));

const serverCode = `
const { createServer } = require("node:http");
const { parentPort } = require("node:worker_threads");
const body = JSON.stringify({ id: 1, title: "bench", done: false });
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); res.end(body); });
});
server.keepAliveTimeout = 10000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
parentPort.on("message", (m) => { if (m === "stop") { server.closeAllConnections(); server.close(() => process.exit(0)); } });
`;

interface Tally { requests: number; errors: number; seconds: number; latencies: number[] }
interface Contender { name: string; one: () => Promise<boolean>; tally: Tally }

/** Runs `concurrency` loops calling `one` for `ms` milliseconds, adding to the tally. */
async function round(one: () => Promise<boolean>, ms: number, tally?: Tally): Promise<void> {
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const ok = await one();
        if (!tally) continue;
        tally.requests++;
        if (!ok) tally.errors++;
        tally.latencies.push(performance.now() - t);
      }
    }),
  );
  if (tally) tally.seconds += (performance.now() - start) / 1000;
}

const worker = new Worker(serverCode, { eval: true });
const [port] = (await once(worker, "message")) as [number];
const origin = `http://127.0.0.1:${port}`;
const newTally = (): Tally => ({ requests: 0, errors: 0, seconds: 0, latencies: [] });

const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
const driver = new HttpDriver({ allowedOrigins: [origin], concurrency, rps: 0 });
const contenders: Contender[] = [
  {
    name: "undici Pool.request (raw)",
    tally: newTally(),
    one: async () => {
      const res = await pool.request({ path: "/tasks/1", method: "GET", headers: { authorization: "Bearer x" } });
      await res.body.text();
      return res.statusCode === 200;
    },
  },
  {
    name: "HttpDriver.send (rps unlimited)",
    tally: newTally(),
    one: async () => {
      const ex = await driver.send({ method: "GET", url: `${origin}/tasks/1`, headers: { authorization: "Bearer x" } });
      return ex.response?.status === 200;
    },
  },
];

// The machine is noisy: alternate short rounds so both contenders see the same conditions.
const rounds = 3;
try {
  for (const c of contenders) await round(c.one, 300);
  for (let i = 0; i < rounds; i++) for (const c of contenders) await round(c.one, (seconds * 1000) / rounds, c.tally);
} finally {
  await pool.close();
  await driver.close();
  worker.postMessage("stop");
  await once(worker, "exit");
}

const results = contenders.map(({ name, tally }) => {
  tally.latencies.sort((a, b) => a - b);
  const pct = (p: number) => tally.latencies[Math.min(tally.latencies.length - 1, Math.floor(p * tally.latencies.length))] ?? 0;
  return { name, requests: tally.requests, errors: tally.errors, rps: tally.requests / tally.seconds, p50: pct(0.5), p99: pct(0.99) };
});
const raw = results[0]!.rps;
console.log(`\nHTTP driver benchmark: GET ${origin}/tasks/1, ${concurrency} in flight, ${seconds} s each in ${rounds} alternating rounds\n`);
console.log(["contender".padEnd(34), "requests".padStart(9), "errors".padStart(7), "req/s".padStart(9), "vs raw".padStart(7), "p50 ms".padStart(7), "p99 ms".padStart(7)].join(" "));
for (const r of results) {
  console.log(
    [r.name.padEnd(34), String(r.requests).padStart(9), String(r.errors).padStart(7), r.rps.toFixed(0).padStart(9), `${((100 * r.rps) / raw).toFixed(0)}%`.padStart(7), r.p50.toFixed(2).padStart(7), r.p99.toFixed(2).padStart(7)].join(" "),
  );
}
