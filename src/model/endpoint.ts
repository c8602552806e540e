import type { AuthproofConfig } from "../config/schema.ts";
import type { Endpoint } from "../judge/types.ts";
import type { Operation } from "../target/openapi.ts";
import { AuthproofError } from "../errors.ts";

/** The URL of an API path under the configured base URL (its path prefix kept). */
export function apiUrl(config: AuthproofConfig, path: string): string {
  const base = new URL(config.api.baseUrl);
  const prefix = base.pathname.replace(/\/$/, "");
  return new URL(prefix + path, base.origin).href;
}

/** A target model whose users came from Better Auth: its URL and origin are there. */
export type WithBetterAuth<M> = M & { authOrigin: string; config: AuthproofConfig & { auth: { baseUrl: string } } };

/** The model, narrowed to one with Better Auth; only checks that need it (`needs.betterAuth`) ask for it. */
export function withBetterAuth<M extends { authOrigin?: string; config: AuthproofConfig }>(model: M): WithBetterAuth<M> {
  if (!model.authOrigin || !model.config.auth.baseUrl) throw new AuthproofError("USAGE", "this check needs Better Auth, and no auth.baseUrl is configured");
  return model as WithBetterAuth<M>;
}

/** The Authorization header of a bearer token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The endpoint a result names: the operation's method and path template, and the URL that was sent. */
export function endpointOf(op: Pick<Operation, "method" | "path">, url?: string): Endpoint {
  return { method: op.method, path: op.path, ...(url !== undefined ? { url } : {}) };
}
