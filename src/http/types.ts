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

export type ExchangeErrorKind = "timeout" | "network" | "refused" | "blocked";

/** A request with either its response or the reason it has none. Never thrown. */
export interface Exchange {
  request: HttpRequest;
  response?: HttpResponse;
  error?: { kind: ExchangeErrorKind; message: string };
  /** Epoch milliseconds when the (last attempt of the) request was handed to the network. */
  startedAt: number;
}
