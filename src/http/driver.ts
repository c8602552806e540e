import { Pool } from "undici";
import type { Exchange, ExchangeErrorKind, HttpRequest, HttpResponse } from "./types.ts";
import { Semaphore, TokenBucket, systemClock, type Clock } from "./limits.ts";

export interface HttpDriverOptions {
  /** Origins (scheme://host:port) that may receive traffic; anything else is refused unsent ("blocked"). */
  allowedOrigins: string[];
  /** Requests per second across the driver (token bucket); 0 or absent = unlimited. */
  rps?: number;
  /** Token-bucket burst; default: a tenth of a second's worth of requests, at least 1. */
  burst?: number;
  /** Requests in flight at once (default 8); also the keep-alive connections per origin. */
  concurrency?: number;
  /** Whole-request deadline, headers and body (default 5000 ms). */
  timeoutMs?: number;
  /** How often a 429 is retried before it is returned as is (default 3). */
  maxRetries429?: number;
  /** Longest single back-off honoured from Retry-After (default 30 s). */
  maxRetryWaitMs?: number;
  /** Response bytes kept; the rest is discarded and `truncated` set (default 1 MiB). */
  maxBodyBytes?: number;
  /** Time source for pacing and back-off (tests replace it). */
  clock?: Clock;
}

export interface HttpDriverStats {
  /** Attempts that went out on the network (retries included). */
  sent: number;
  /** 429 retries. */
  retries: number;
  /** Exchanges that ended without a response (timeouts, refused, network). */
  errors: number;
  timeouts: number;
  /** Requests refused unsent because their origin is not allowed (or the URL is not http(s)). */
  blocked: number;
  /** Highest number of requests in flight at once. */
  maxInFlight: number;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const CONTROL_CHAR = /[\x00-\x08\x0a-\x1f\x7f]/;
const BEYOND_LATIN1 = /[^\x00-\xff]/;

class DeadlineExceeded extends Error {}

/**
 * HTTP client for every request the harness sends: keep-alive pool per origin, concurrency and
 * requests-per-second limits, whole-request timeout, bounded 429 back-off, no redirects, and an
 * origin allow-list. `send` never throws: failures come back in `Exchange.error`.
 */
export class HttpDriver {
  private readonly allowed: Set<string>;
  private readonly pools = new Map<string, Pool>();
  private readonly slots: Semaphore;
  private readonly bucket: TokenBucket;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly maxRetries429: number;
  private readonly maxRetryWaitMs: number;
  private readonly maxBodyBytes: number;
  private closed = false;
  private readonly counters = { sent: 0, retries: 0, errors: 0, timeouts: 0, blocked: 0 };

  constructor(opts: HttpDriverOptions) {
    this.allowed = new Set(opts.allowedOrigins.map(normaliseOrigin));
    this.clock = opts.clock ?? systemClock;
    const rps = opts.rps ?? 0;
    this.bucket = new TokenBucket(rps, opts.burst ?? Math.max(1, Math.ceil(rps / 10)), this.clock);
    this.slots = new Semaphore(opts.concurrency ?? 8);
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.maxRetries429 = opts.maxRetries429 ?? 3;
    this.maxRetryWaitMs = opts.maxRetryWaitMs ?? 30_000;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  /** Sends one request (retrying 429s within bounds) and returns what happened. */
  async send(req: HttpRequest): Promise<Exchange> {
    const startedAt = Date.now();
    const fail = (kind: ExchangeErrorKind, message: string): Exchange => ({ request: req, error: { kind, message }, startedAt });

    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      this.counters.blocked++;
      return fail("blocked", `not sent: invalid URL ${JSON.stringify(req.url)}`);
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !this.allowed.has(url.origin)) {
      this.counters.blocked++;
      return fail("blocked", `not sent: origin ${url.origin} is not an allowed target`);
    }
    if (this.closed) return fail("network", "not sent: the HTTP driver is closed");

    const headers = headerLines(req);
    if ("problem" in headers) return fail("network", `not sent: ${headers.problem}`);
    const body = req.body ?? (req.json !== undefined ? JSON.stringify(req.json) : undefined);

    const release = await this.slots.acquire();
    try {
      for (let attempt = 0; ; attempt++) {
        await this.clock.sleep(this.bucket.reserve());
        if (this.closed) return fail("network", "not sent: the HTTP driver was closed while the request waited");
        const exchange = await this.attempt(req, url, headers.lines, body);
        const response = exchange.response;
        if (response?.status !== 429 || attempt >= this.maxRetries429) return exchange;
        this.counters.retries++;
        const wait = Math.min(this.maxRetryWaitMs, retryAfterMs(response.headers) ?? 500 * 2 ** attempt);
        this.bucket.pause(wait);
      }
    } finally {
      release();
    }
  }

  /** Closes every keep-alive connection; later sends fail with kind "network". */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }

  /** Counters since construction. */
  stats(): HttpDriverStats {
    return { ...this.counters, maxInFlight: this.slots.maxActive };
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: this.slots.limit, pipelining: 1, connectTimeout: this.timeoutMs });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  private async attempt(req: HttpRequest, url: URL, headers: string[], body: string | Uint8Array | undefined): Promise<Exchange> {
    const startedAt = Date.now();
    const t0 = performance.now();
    // Headers: undici's headersTimeout. Body: undici's bodyTimeout (inactivity) plus this whole-request
    // deadline, which ends a body that keeps trickling in. (An AbortSignal per request costs ~10% throughput.)
    const deadline: { expired: boolean; body?: { destroy(err?: Error): unknown } } = { expired: false };
    const timer = setTimeout(() => {
      deadline.expired = true;
      deadline.body?.destroy(new DeadlineExceeded());
    }, this.timeoutMs);
    this.counters.sent++;
    try {
      const res = await this.pool(url.origin).request({
        path: url.pathname + url.search,
        method: req.method,
        headers,
        body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      deadline.body = res.body;
      if (deadline.expired) res.body.destroy(new DeadlineExceeded());
      const { text, truncated } = await readCapped(res.body, res.headers["content-length"], this.maxBodyBytes);
      const response: HttpResponse = {
        status: res.statusCode,
        headers: normaliseHeaders(res.headers),
        body: text,
        durationMs: performance.now() - t0,
      };
      if (truncated) response.truncated = true;
      const json = parseJsonBody(response);
      if (json !== undefined) response.json = json.value;
      return { request: req, response, startedAt };
    } catch (err) {
      const error = classify(err, deadline.expired, this.timeoutMs);
      this.counters.errors++;
      if (error.kind === "timeout") this.counters.timeouts++;
      return { request: req, error, startedAt };
    } finally {
      clearTimeout(timer);
    }
  }
}

function normaliseOrigin(origin: string): string {
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}

/**
 * The request's headers as undici's flat `[name, value, name, value…]` list, so repeated headers go out as
 * separate lines. Characters beyond Latin-1 are sent as their UTF-8 bytes; control characters cannot be
 * carried by HTTP/1.1 at all and make the request unsendable (reported, not thrown).
 */
function headerLines(req: HttpRequest): { lines: string[] } | { problem: string } {
  const lines: string[] = [];
  let hasContentType = false;
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    if (name.toLowerCase() === "content-type") hasContentType = true;
    for (const v of Array.isArray(value) ? value : [value]) {
      const control = CONTROL_CHAR.exec(v);
      if (control) {
        const code = control[0].charCodeAt(0).toString(16).padStart(2, "0");
        return { problem: `header ${name} contains control character 0x${code} at position ${control.index}, which HTTP/1.1 cannot carry` };
      }
      lines.push(name, BEYOND_LATIN1.test(v) ? Buffer.from(v, "utf8").toString("latin1") : v);
    }
  }
  if (req.body === undefined && req.json !== undefined && !hasContentType) lines.push("content-type", "application/json");
  return { lines };
}

type ResponseBody = AsyncIterable<Uint8Array> & { destroy(): unknown; text(): Promise<string> };

async function readCapped(body: ResponseBody, contentLength: string | string[] | undefined, cap: number): Promise<{ text: string; truncated: boolean }> {
  // HTTP framing guarantees a body of exactly content-length bytes: read it whole when it fits.
  if (typeof contentLength === "string" && /^\d+$/.test(contentLength) && Number(contentLength) <= cap) {
    return { text: await body.text(), truncated: false };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of body) {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (size + buf.length > cap) {
      chunks.push(buf.subarray(0, cap - size));
      truncated = true;
      break;
    }
    chunks.push(buf);
    size += buf.length;
  }
  if (truncated) body.destroy();
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}

function normaliseHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const previous = out[key];
    const merged = previous === undefined ? value : [...toArray(previous), ...toArray(value)];
    out[key] = key === "set-cookie" ? toArray(merged) : merged;
  }
  return out;
}

function toArray(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}

function parseJsonBody(response: HttpResponse): { value: unknown } | undefined {
  const ct = response.headers["content-type"];
  const type = (Array.isArray(ct) ? ct[0] : ct) ?? "";
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type.trim()) || response.truncated) return undefined;
  try {
    return { value: JSON.parse(response.body) };
  } catch {
    return undefined;
  }
}

/** Milliseconds a 429 asks us to wait, from Retry-After (seconds or HTTP date) or X-Retry-After (seconds). */
export function retryAfterMs(headers: Record<string, string | string[]>, now = Date.now()): number | undefined {
  for (const name of ["retry-after", "x-retry-after"]) {
    const raw = headers[name];
    const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (!value) continue;
    if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
    const date = Date.parse(value);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  return undefined;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string") return e.code;
  if (Array.isArray(e.errors)) for (const inner of e.errors) { const c = errorCode(inner); if (c) return c; }
  return e.cause ? errorCode(e.cause) : undefined;
}

function classify(err: unknown, deadlineHit: boolean, timeoutMs: number): { kind: ExchangeErrorKind; message: string } {
  const code = errorCode(err);
  if (deadlineHit || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return { kind: "timeout", message: `no complete response within ${timeoutMs} ms` };
  }
  const message = err instanceof Error && err.message ? err.message : String(err);
  if (code === "ECONNREFUSED") return { kind: "refused", message: `connection refused (${message})` };
  return { kind: "network", message: code ? `${code}: ${message}` : message };
}
