import { cookieHeader } from "../../target/identities.ts";

/** The parts of the target model the CORS probes read (structurally the engine's TargetModel). */
export interface CorsModelView {
  config: { api: { baseUrl: string }; auth: { baseUrl?: string; basePath: string } };
  probes: Array<{ kind: "read" | "write"; op: { pathParams: unknown[] }; request: { method: string; url: string } }>;
  users: Array<{ cookies: string[] }>;
}

/**
 * Where the CORS probes go: an authenticated read route of the API (its answer is what a foreign page would
 * want to read; the API's base URL when there is none) and Better Auth's get-session; the cookie-bearing
 * requests carry user A's real session cookie (a placeholder when the sign-up set none).
 */
export function corsProbeUrls(model: CorsModelView): { apiUrl: string; authUrl?: string; cookie: string } {
  const reads = model.probes.filter((p) => p.kind === "read" && p.request.method === "GET");
  const read = reads.find((p) => p.op.pathParams.length === 0) ?? reads[0];
  const apiUrl = read?.request.url ?? `${model.config.api.baseUrl.replace(/\/+$/, "")}/`;
  const basePath = "/" + model.config.auth.basePath.replace(/^\/+|\/+$/g, "");
  const auth = model.config.auth.baseUrl;
  const authUrl = auth && `${auth.replace(/\/+$/, "")}${basePath === "/" ? "" : basePath}/get-session`;
  const cookie = cookieHeader(model.users[0]?.cookies ?? []) || "authproof_probe=1";
  return { apiUrl, ...(authUrl ? { authUrl } : {}), cookie };
}
