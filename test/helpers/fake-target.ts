import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { jwtVerify, SignJWT } from "jose";

/**
 * A small in-process target for the run's lifecycle tests: a Better-Auth-shaped server (email sign-up and
 * sign-in, bearer sessions, an HS256 backend token at /api/backend-token, delete-user when allowed) and a
 * FastAPI-shaped API (/openapi.json, GET /api/me, GET /api/slow answering anything only after `slowMs`) that verifies the
 * tokens. Every request is recorded; the API can be shut down mid-audit (its port then refuses connections).
 */
export interface FakeTargetOptions {
  /** Better Auth's user.deleteUser (default true). */
  allowDelete?: boolean;
  /** How long GET /api/slow takes to answer (default 10 s). */
  slowMs?: number;
  /** Shut the API down once it has received this many requests to /api/… (its port then refuses connections). */
  stopApiAfter?: number;
}

export interface FakeTarget {
  apiUrl: string;
  authUrl: string;
  secret: string;
  /** "METHOD /path" of every request, both servers, in arrival order. */
  requests: string[];
  /** Users that exist now (deleted ones are gone), by email. */
  users: Map<string, { id: string; password: string }>;
  /** Live sessions (token → user id). */
  sessions: Map<string, string>;
  /** Environment that points `authproof audit` at this target. */
  env: Record<string, string>;
  stopApi(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeTarget(opts: FakeTargetOptions = {}): Promise<FakeTarget> {
  const secret = randomBytes(32).toString("base64url");
  const key = new TextEncoder().encode(secret);
  const requests: string[] = [];
  const users = new Map<string, { id: string; password: string }>();
  const sessions = new Map<string, string>();
  let served = 0;
  let apiStopped = false;

  const auth = createServer((req, res) =>
    readBody(req).then(async (body) => {
      const path = (req.url ?? "/").split("?")[0]!;
      requests.push(`${req.method} ${path}`);
      const session = bearerOf(req);
      const userId = session ? sessions.get(session) : undefined;
      const input = parse(body);
      if (req.method === "POST" && path === "/api/auth/sign-up/email") {
        const email = String(input.email);
        if (users.has(email)) return json(res, 422, { code: "USER_ALREADY_EXISTS" });
        const user = { id: randomUUID(), password: String(input.password) };
        users.set(email, user);
        return signedIn(res, user.id, email, sessions);
      }
      if (req.method === "POST" && path === "/api/auth/sign-in/email") {
        const user = users.get(String(input.email));
        if (!user || user.password !== input.password) return json(res, 401, { code: "INVALID_EMAIL_OR_PASSWORD" });
        return signedIn(res, user.id, String(input.email), sessions);
      }
      if (req.method === "GET" && path === "/api/backend-token") {
        if (!userId) return json(res, 401, { code: "UNAUTHORIZED" });
        const origin = `http://${req.headers.host}`;
        const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setSubject(userId).setIssuer(origin).setAudience(origin).setIssuedAt().setExpirationTime("15m").sign(key);
        return json(res, 200, { token });
      }
      if (req.method === "POST" && path === "/api/auth/delete-user") {
        if (opts.allowDelete === false) return json(res, 404, { message: "Not Found" });
        const entry = [...users].find(([, u]) => u.id === userId);
        if (!entry || entry[1].password !== input.password) return json(res, 401, { code: "UNAUTHORIZED" });
        users.delete(entry[0]);
        for (const [token, owner] of sessions) if (owner === userId) sessions.delete(token);
        return json(res, 200, { success: true });
      }
      if (req.method === "POST" && (path === "/api/auth/revoke-sessions" || path === "/api/auth/sign-out")) {
        if (!userId) return json(res, 401, { code: "UNAUTHORIZED" });
        for (const [token, owner] of sessions) if (owner === userId && (path.endsWith("revoke-sessions") || token === session)) sessions.delete(token);
        return json(res, 200, { success: true });
      }
      json(res, 404, { message: "Not Found" });
    }),
  );

  const api = createServer((req, res) =>
    readBody(req).then(async () => {
      const path = (req.url ?? "/").split("?")[0]!;
      requests.push(`${req.method} ${path}`);
      if (path === "/openapi.json") return json(res, 200, OPENAPI);
      if (path === "/health") return json(res, 200, { status: "ok" });
      if (path !== "/api/me" && path !== "/api/slow") return json(res, 404, { detail: "Not Found" });
      served += 1;
      if (opts.stopApiAfter !== undefined && served >= opts.stopApiAfter && !apiStopped) return void stopApi();
      if (req.method !== "GET") return json(res, 405, { detail: "Method Not Allowed" });
      if (path === "/api/slow") await new Promise((r) => setTimeout(r, opts.slowMs ?? 10_000).unref());
      const token = bearerOf(req);
      let sub: string | undefined;
      try {
        sub = token ? (await jwtVerify(token, key, { algorithms: ["HS256"], requiredClaims: ["exp", "sub"] })).payload.sub : undefined;
      } catch {
        sub = undefined;
      }
      if (!sub) return json(res, 401, { detail: "Not authenticated" }, { "www-authenticate": 'Bearer error="invalid_token"' });
      json(res, 200, { id: sub }, { "cache-control": "no-store" });
    }),
  );

  const stopApi = async () => {
    apiStopped = true;
    api.closeAllConnections();
    await new Promise<void>((r) => api.close(() => r()));
  };
  const [authUrl, apiUrl] = await Promise.all([listen(auth), listen(api)]);
  return {
    apiUrl,
    authUrl,
    secret,
    requests,
    users,
    sessions,
    env: {
      AUTHPROOF_API_URL: apiUrl,
      AUTHPROOF_AUTH_URL: authUrl,
      AUTHPROOF_MODE: "shared-secret",
      AUTHPROOF_TOKEN_PATH: "/api/backend-token",
      BETTER_AUTH_SECRET: secret,
    },
    stopApi,
    async close() {
      if (!apiStopped) await stopApi();
      auth.closeAllConnections();
      await new Promise<void>((r) => auth.close(() => r()));
    },
  };
}

const OPENAPI = {
  openapi: "3.1.0",
  info: { title: "fake", version: "1" },
  paths: {
    "/health": { get: { responses: { "200": { description: "ok" } } } },
    "/api/me": { get: { security: [{ HTTPBearer: [] }], responses: { "200": { description: "me" } } } },
    "/api/slow": { get: { security: [{ HTTPBearer: [] }], responses: { "200": { description: "slow" } } } },
  },
  components: { securitySchemes: { HTTPBearer: { type: "http", scheme: "bearer" } } },
};

function signedIn(res: ServerResponse, id: string, email: string, sessions: Map<string, string>): void {
  const token = randomBytes(16).toString("hex");
  sessions.set(token, id);
  json(res, 200, { token, user: { id, email, name: "Test" } }, { "set-auth-token": token });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => resolve(body));
    req.on("error", () => resolve(body));
  });
}

function parse(body: string): Record<string, unknown> {
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === "string" ? /^Bearer (\S+)$/.exec(header) : null;
  return match?.[1];
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
