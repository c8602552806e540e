import type { AuthproofConfig } from "../config/schema.ts";
import type { Endpoint } from "../judge/types.ts";
import type { Operation } from "../target/openapi.ts";

/** The URL of an API path under the configured base URL (its path prefix kept). */
export function apiUrl(config: AuthproofConfig, path: string): string {
  const base = new URL(config.api.baseUrl);
  const prefix = base.pathname.replace(/\/$/, "");
  return new URL(prefix + path, base.origin).href;
}

/** The Authorization header of a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The endpoint a result names: the operation's method and path template, and the URL that was sent. */
export function endpointOf(op: Pick<Operation, "method" | "path">, url?: string): Endpoint {
  return { method: op.method, path: op.path, ...(url !== undefined ? { url } : {}) };
}
