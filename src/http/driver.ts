import { Pool } from "undici";
import { OperationBudgets } from "./budget.ts";
import { DEFAULT_STOP_POLICY, OriginHealth, type StopPolicy } from "./health.ts";
import { Semaphore, TokenBucket, systemClock, type Clock } from "./limits.ts";
import { OriginPace } from "./pace.ts";
import { AdaptiveConcurrency } from "./adaptive.ts";
import type { Exchange, ExchangeErrorKind, HttpRequest, HttpResponse } from "./types.ts";
import { WriteLog, type WriteEntry } from "./writes.ts";

export interface HttpDriverOptions {
  /** Origins (scheme://host:port) that may receive traffic; anything else is refused unsent ("blocked"). */
  allowedOrigins: string[];
  /** Requests per second across the driver (token bucket); 0 or absent = unlimited. */
  rps?: number;
  /** Token-bucket burst; default: a tenth of a second's worth of requests, at least 1. */
  burst?: number;
  /** Requests in flight at once (default 8); also the keep-alive connections per origin. */
  concurrency?: number;
  /** Each origin's requests in flight follow its latency and refusals, up to `concurrency` (`--rps auto`). */
  adaptive?: boolean;
  /** Whole-request deadline, headers and body (default 10 000 ms). */
  timeoutMs?: number;
  /** Time one operation (method + `HttpRequest.operation`) may keep the run busy; 0 or absent = no budget. */
  operationBudgetMs?: number;
  /** Epoch ms after which nothing more is sent (requests in flight are cut short): the run's deadline. */
  deadlineAt?: number;
  /** When an origin counts as stopped (see OriginHealth). */
  stopPolicy?: StopPolicy;
  /** How often a 429 is retried before it is returned as is (default 5). */
  maxRetries429?: number;
  /** Longest single back-off honoured from Retry-After (default 30 s). */
  maxRetryWaitMs?: number;
  /** Response bytes kept; the rest is discarded and `truncated` set (default 1 MiB; `HttpRequest.maxBodyBytes` overrides). */
  maxBodyBytes?: number;
  /** Time source for pacing and back-off (tests replace it). */
  clock?: Clock;
}

export interface HttpDriverStats {
  /** Attempts that went out on the network (retries included). */
  sent: number;
  /** 429 retries. */
  retries: number;
  /** Exchanges that ended without a response (timeouts, refused, reset, network). */
  errors: number;
  timeouts: number;
  /** Requests refused unsent because their origin is not allowed (or the URL is not http(s)). */
  blocked: number;
  /** Requests not sent because their origin had stopped answering. */
  stopped: number;
  /** Requests not sent because their operation had used its time budget. */
  overBudget: number;
  /** Requests not sent (or cut short) because the driver was halted or closed, or the deadline passed. */
  cancelled: number;
  /** Highest number of requests in flight at once. */
  maxInFlight: number;
  /** From the first attempt out to the last answer in, ms (0 before any). */
  activeMs: number;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const CONTROL_CHAR = /[\x00-\x08\x0a-\x1f\x7f]/;
const BEYOND_LATIN1 = /[^\x00-\xff]/;

class DeadlineExceeded extends Error {}

type Refusal = { kind: ExchangeErrorKind; message: string };

/**
 * HTTP client for every request the harness sends: keep-alive pool per origin, concurrency and
 * requests-per-second limits, whole-request timeout, per-origin 429 back-off, per-operation time budgets, a run
 * deadline, detection of a target that stopped answering, no redirects, and an origin allow-list. `send` never
 * throws: failures come back in `Exchange.error`.
 */
export class HttpDriver {
  private readonly writes = new WriteLog();
  private readonly allowed: Set<string>;
  private readonly pools = new Map<string, Pool>();
  private readonly paces = new Map<string, OriginPace>();
  private readonly slots: Semaphore;
  private readonly bucket: TokenBucket;
  private readonly health: OriginHealth;
  private readonly budgets: OperationBudgets;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly maxRetries429: number;
  private readonly maxRetryWaitMs: number;
  private readonly maxBodyBytes: number;
  private readonly deadlineAt: number | undefined;
  private readonly deadlineTimer: NodeJS.Timeout | undefined;
  private haltReason: string | undefined;
  private readonly haltController = new AbortController();
  /** Resolves when the driver halts or closes: back-off sleeps end at once. */
  private readonly halted = new Promise<void>((resolve) => this.haltController.signal.addEventListener("abort", () => resolve(), { once: true }));
  private readonly adaptive: boolean;
  private firstAnswerSeen!: () => void;
  /** Resolves when a target first answers anything (what can wait for a live target starts then). */
  readonly answered = new Promise<void>((resolve) => (this.firstAnswerSeen = resolve));
  private firstSentAt: number | undefined;
  private lastAnswerAt: number | undefined;
  private readonly counters = { sent: 0, retries: 0, errors: 0, timeouts: 0, blocked: 0, stopped: 0, overBudget: 0, cancelled: 0 };

  constructor(opts: HttpDriverOptions) {
    this.allowed = new Set(opts.allowedOrigins.map(normaliseOrigin));
    this.clock = opts.clock ?? systemClock;
    const rps = opts.rps ?? 0;
    this.bucket = new TokenBucket(rps, opts.burst ?? Math.max(1, Math.ceil(rps / 10)), this.clock);
    this.slots = new Semaphore(opts.concurrency ?? 8);
    this.adaptive = opts.adaptive ?? false;
    this.health = new OriginHealth(opts.stopPolicy ?? DEFAULT_STOP_POLICY);
    this.budgets = new OperationBudgets(opts.operationBudgetMs ?? 0, () => this.clock.now());
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxRetries429 = opts.maxRetries429 ?? 5;
    this.maxRetryWaitMs = opts.maxRetryWaitMs ?? 30_000;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.deadlineAt = opts.deadlineAt;
    if (this.deadlineAt !== undefined) {
      this.deadlineTimer = setTimeout(() => this.halt("the run reached its time limit"), Math.max(0, this.deadlineAt - Date.now()));
      this.deadlineTimer.unref();
    }
  }

  /** Sends one request (retrying 429s within bounds) and returns what happened. */
  async send(req: HttpRequest): Promise<Exchange> {
    const startedAt = Date.now();
    const fail = (refusal: Refusal): Exchange => ({ request: req, error: refusal, startedAt });

    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      this.counters.blocked++;
      return fail({ kind: "blocked", message: `not sent: invalid URL ${JSON.stringify(req.url)}` });
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !this.allowed.has(url.origin)) {
      this.counters.blocked++;
      return fail({ kind: "blocked", message: `not sent: origin ${url.origin} is not an allowed target` });
    }
    const headers = headerLines(req);
    if ("problem" in headers) return fail({ kind: "network", message: `not sent: ${headers.problem}` });
    const body = req.body ?? (req.json !== undefined ? JSON.stringify(req.json) : undefined);
    const origin = url.origin;
    const operation = req.operation ? `${req.method.toUpperCase()} ${req.operation}` : undefined;
    const pace = this.paceOf(origin);

    let limited: Exchange | undefined;
    for (let attempt = 0; ; attempt++) {
      const before = this.refusal(origin, operation);
      if (before) return limited ?? fail(before);
      const releaseOrigin = await pace.acquire(attempt > 0);
      const releaseSlot = await this.slots.acquire(attempt > 0);
      let exchange: Exchange;
      try {
        await this.clock.sleep(this.bucket.reserve());
        const refusal = this.refusal(origin, operation);
        if (refusal) return limited ?? fail(refusal);
        const end = operation ? this.budgets.begin(operation) : () => {};
        this.writes.note(req.method, url, req.aim);
        const sentAt = this.clock.now();
        this.firstSentAt ??= sentAt;
        try {
          exchange = await this.attempt(req, url, headers.lines, body);
        } finally {
          end();
          this.lastAnswerAt = this.clock.now();
        }
        if (exchange.response) pace.observe(exchange.response.status, this.lastAnswerAt - sentAt);
      } finally {
        releaseSlot();
        releaseOrigin();
      }
      const response = exchange.response;
      if (response) {
        this.health.answered(origin);
        this.firstAnswerSeen();
      } else if (exchange.error?.kind === "refused" || exchange.error?.kind === "reset") {
        this.health.failed(origin, exchange.error.kind);
      }
      if (response?.status !== 429 || attempt >= this.maxRetries429) return exchange;
      this.counters.retries++;
      limited = exchange;
      const wait = Math.min(this.maxRetryWaitMs, retryAfterMs(response.headers) ?? 500 * 2 ** attempt);
      const end = operation ? this.budgets.begin(operation) : () => {};
      await Promise.race([this.clock.sleep(wait), this.halted]);
      end();
    }
  }

  /**
   * Stops sending for good: requests in flight are cut short and later ones come back unsent, both as
   * `cancelled` with this reason (the run is interrupted or past its deadline).
   */
  halt(reason: string): void {
    if (this.haltReason) return;
    this.haltReason = reason;
    this.haltController.abort(reason);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    const pools = [...this.pools.values()];
    this.pools.clear();
    for (const pool of pools) void pool.destroy().catch(() => undefined);
  }

  /** Aborted when the driver halts or closes, so work outside it (the browser suite's child process) stops with it. */
  get haltSignal(): AbortSignal {
    return this.haltController.signal;
  }

  /** Why the driver stopped sending, or undefined while it sends. */
  haltedBecause(): string | undefined {
    return this.haltReason;
  }

  /** The state-changing requests sent since the last call (see WriteLog). */
  takeWrites(): WriteEntry[] {
    return this.writes.take();
  }

  /** The origins that stopped answering (see OriginHealth); the driver sends them nothing more. */
  stoppedOrigins(): string[] {
    return this.health.stoppedOrigins();
  }

  /** Closes every keep-alive connection; later sends come back `cancelled`. */
  async close(): Promise<void> {
    if (!this.haltReason) this.haltReason = "the HTTP driver is closed";
    this.haltController.abort(this.haltReason);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }

  /** Counters since construction. */
  stats(): HttpDriverStats {
    const activeMs = this.firstSentAt !== undefined && this.lastAnswerAt !== undefined ? this.lastAnswerAt - this.firstSentAt : 0;
    return { ...this.counters, maxInFlight: this.slots.maxActive, activeMs };
  }

  /** Why a request to this origin and operation must not be sent now, or undefined. */
  private refusal(origin: string, operation: string | undefined): Refusal | undefined {
    if (this.haltReason || (this.deadlineAt !== undefined && Date.now() >= this.deadlineAt)) {
      this.counters.cancelled++;
      return { kind: "cancelled", message: `not sent: ${this.haltReason ?? "the run reached its time limit"}` };
    }
    const stopped = this.health.stoppedBecause(origin);
    if (stopped) {
      this.counters.stopped++;
      return { kind: "stopped", message: `not sent: ${origin} stopped answering (${stopped})` };
    }
    if (operation && this.budgets.exhausted(operation)) {
      this.counters.overBudget++;
      return { kind: "budget", message: `not sent: ${operation} used its time budget of ${Math.round(this.budgets.budgetMs / 1000)} s` };
    }
    return undefined;
  }

  private paceOf(origin: string): OriginPace {
    let pace = this.paces.get(origin);
    if (!pace) this.paces.set(origin, (pace = new OriginPace(this.slots.limit, this.adaptive ? new AdaptiveConcurrency(this.slots.limit) : undefined)));
    return pace;
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
      const { text, truncated } = await readCapped(res.body, res.headers["content-length"], req.maxBodyBytes ?? this.maxBodyBytes);
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
      if (this.haltReason) {
        this.counters.cancelled++;
        return { request: req, error: { kind: "cancelled", message: `cut short: ${this.haltReason}` }, startedAt };
      }
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

/** The connection was closed or reset under the request (undici's UND_ERR_SOCKET is "other side closed"). */
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET"]);

function classify(err: unknown, deadlineHit: boolean, timeoutMs: number): { kind: ExchangeErrorKind; message: string } {
  const code = errorCode(err);
  if (deadlineHit || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    return { kind: "timeout", message: `no complete response within ${timeoutMs} ms` };
  }
  const message = err instanceof Error && err.message ? err.message : String(err);
  if (code === "ECONNREFUSED") return { kind: "refused", message: `connection refused (${message})` };
  if (code && RESET_CODES.has(code)) return { kind: "reset", message: `connection closed before an answer (${code}: ${message})` };
  return { kind: "network", message: code ? `${code}: ${message}` : message };
}
