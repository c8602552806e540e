/** One request as the harness describes it: what the driver sends, what reports show, what curl reproduces. */
export interface HttpRequest {
  method: string;
  url: string;
  /** An array value goes out as repeated header lines (e.g. two Authorization headers). */
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  /** Serialised as the body (with `content-type: application/json` unless given) when `body` is absent. */
  json?: unknown;
  /** For a state-changing request: what it may touch (an id that does not exist, an object of the audit, …). */
  aim?: string;
  /**
   * The operation this request exercises, as its path template (`/api/tasks/{task_id}`): the driver keys the
   * per-operation time budget on method + template. Requests without it have no budget.
   */
  operation?: string;
  /** Response bytes kept for this request, overriding the driver's cap (documents such as OpenAPI or a JWKS). */
  maxBodyBytes?: number;
}

/** The response as received; header names lower-cased, `set-cookie` always an array. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  /** Parsed body when the content type is JSON and parsing succeeded. */
  json?: unknown;
  durationMs: number;
  /** True when the body exceeded the read cap and the rest was discarded. */
  truncated?: boolean;
}

/**
 * Why an exchange has no response. Sent and unanswered: `timeout` (no complete answer in time), `refused`
 * (nothing listens), `reset` (the connection was closed or reset before an answer), `network` (anything else,
 * including a request the transport could not carry). Never sent: `blocked` (origin not allowed), `stopped`
 * (the target stopped answering: its origin failed several times in a row), `budget` (the operation used its
 * time budget), `cancelled` (the run is ending: interrupted, past its deadline, or the driver was closed).
 */
export type ExchangeErrorKind = "timeout" | "network" | "refused" | "reset" | "blocked" | "stopped" | "budget" | "cancelled";

/** A request with either its response or the reason it has none. Never thrown. */
export interface Exchange {
  request: HttpRequest;
  response?: HttpResponse;
  error?: { kind: ExchangeErrorKind; message: string };
  /** Epoch milliseconds when the (last attempt of the) request was handed to the network. */
  startedAt: number;
}
