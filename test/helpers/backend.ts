import { spawn } from "node:child_process";
import { createHmac, KeyObject, randomUUID, sign as cryptoSign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

/** reference-app/backend, the uvicorn working directory. */
export const BACKEND_DIR = fileURLToPath(new URL("../../reference-app/backend/", import.meta.url));
/** The backend's virtualenv Python (created by the setup script). */
export const BACKEND_PYTHON = path.join(BACKEND_DIR, ".venv", "bin", "python");

export interface BackendOptions {
  mode: "jwks" | "shared-secret";
  /** REFERENCE_FLAWS entries. */
  flaws?: string[];
  /** BETTER_AUTH_SECRET. */
  secret?: string;
  /** BETTER_AUTH_URL: JWKS at `<url>/api/auth/jwks`, iss = aud = its origin. */
  betterAuthUrl: string;
  /** JWKS_URL, overriding the one derived from betterAuthUrl. */
  jwksUrl?: string;
  /** AUTH_DATABASE_PATH: Better Auth's sqlite file; tokens of unknown users are then rejected. */
  authDatabasePath?: string;
  /** CORS_ORIGINS. */
  corsOrigins?: string[];
  /** Any further variables (e.g. JWKS_MIN_REFRESH_SECONDS). */
  env?: Record<string, string>;
}

export interface RunningBackend {
  url: string;
  stop(): Promise<void>;
}

/** The backend process ended before it answered /health. */
export class BackendExitedError extends Error {
  readonly code = "BACKEND_EXITED";
  constructor(
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`reference backend exited with code ${exitCode} before it was healthy:\n${output}`);
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the reference backend with the launcher's exact command
 * (`.venv/bin/python -m uvicorn app.main:app --host 127.0.0.1 --port $PORT --no-access-log`, cwd reference-app/backend),
 * a clean environment and a temporary tasks database; resolves once /health answers.
 */
export async function startBackend(opts: BackendOptions): Promise<RunningBackend> {
  const port = await freePort();
  const tempDir = mkdtempSync(path.join(tmpdir(), "authproof-backend-"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    AUTH_MODE: opts.mode,
    BETTER_AUTH_URL: opts.betterAuthUrl,
    DATABASE_PATH: path.join(tempDir, "tasks.db"),
    REFERENCE_FLAWS: (opts.flaws ?? []).join(","),
    ...(opts.secret ? { BETTER_AUTH_SECRET: opts.secret } : {}),
    ...(opts.jwksUrl ? { JWKS_URL: opts.jwksUrl } : {}),
    ...(opts.authDatabasePath ? { AUTH_DATABASE_PATH: opts.authDatabasePath } : {}),
    ...(opts.corsOrigins ? { CORS_ORIGINS: opts.corsOrigins.join(",") } : {}),
    ...opts.env,
  };
  const child = spawn(BACKEND_PYTHON, ["-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", String(port), "--no-access-log"], {
    cwd: BACKEND_DIR,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-8000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => resolve(code));
    child.on("error", (error) => {
      output += `\ncould not start ${BACKEND_PYTHON}: ${error.message}`;
      resolve(null);
    });
  });
  let alive = true;
  void exited.then(() => (alive = false));

  const cleanup = () => rmSync(tempDir, { recursive: true, force: true });
  const stop = async () => {
    if (alive) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!alive) {
      const code = await exited;
      cleanup();
      throw new BackendExitedError(code, output);
    }
    const healthy = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`reference backend did not become healthy within 60 s:\n${output}`);
}

export interface HttpResult {
  status: number;
  headers: IncomingMessage["headers"];
  text: string;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
}

/**
 * One HTTP request with full control over headers: `headers` as [name, value] pairs may repeat a
 * name (two Authorization headers), which fetch would merge.
 */
export function httpCall(
  baseUrl: string,
  method: string,
  pathAndQuery: string,
  options: { headers?: Array<[string, string]>; body?: unknown } = {},
): Promise<HttpResult> {
  const url = new URL(pathAndQuery, baseUrl);
  // The raw-array form sends exactly these headers: Node adds no Host of its own.
  const headers: string[] = ["Host", url.host];
  for (const [name, value] of options.headers ?? []) headers.push(name, value);
  let payload: Buffer | undefined;
  if (options.body !== undefined) {
    payload = Buffer.from(JSON.stringify(options.body));
    headers.push("Content-Type", "application/json", "Content-Length", String(payload.length));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

export interface JsonServer {
  origin: string;
  /** Serve `body` as JSON at `path` (GET). */
  set(path: string, body: unknown): void;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  stop(): Promise<void>;
}

/** A loopback HTTP server answering GET requests with JSON documents (a stand-in JWKS endpoint). */
export async function startJsonServer(): Promise<JsonServer> {
  const documents = new Map<string, unknown>();
  const requests: string[] = [];
  const server = createHttpServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    requests.push(pathname);
    if (req.method === "GET" && documents.has(pathname)) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(documents.get(pathname)));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    set: (p, body) => void documents.set(p, body),
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Tokens for the backend tests: a JWKS issuer (Ed25519, like Better Auth's jwt() plugin), an HS256
// issuer (shared-secret mode) and raw compact-JWS assembly for headers jose refuses to sign.

/** base64url of a string, bytes or JSON value. */
export function b64url(value: string | Buffer | object): string {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(typeof value === "string" ? value : JSON.stringify(value));
  return bytes.toString("base64url");
}

/** `header.payload.signature` from parts; `sign` receives the signing input. */
export function compactJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: (signingInput: string) => Buffer = () => Buffer.alloc(0),
): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  return `${signingInput}.${b64url(sign(signingInput))}`;
}

/** An HMAC signer over any key bytes (including empty ones). */
export function hmacSigner(key: string | Buffer, hash: "sha256" | "sha384" | "sha512" = "sha256") {
  return (input: string) => createHmac(hash, key).update(input).digest();
}

/** An Ed25519 signer. */
export function ed25519Signer(privateKey: KeyObject) {
  return (input: string) => cryptoSign(null, Buffer.from(input), privateKey);
}

export interface ClaimOptions {
  /** Claims to set or replace. */
  claims?: Record<string, unknown>;
  /** Claims to leave out (e.g. "exp"). */
  omit?: string[];
}

/** Better Auth-shaped claims for `sub`, valid for 15 minutes, iss = aud = `origin`. */
export function claimsFor(sub: string, origin: string, options: ClaimOptions = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    sub,
    email: `${sub}@example.test`,
    name: sub,
    iat: now,
    exp: now + 900,
    iss: origin,
    aud: origin,
    ...options.claims,
  };
  for (const name of options.omit ?? []) delete claims[name];
  return claims;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
  /** SubjectPublicKeyInfo PEM (OpenSSL's encoding, trailing newline). */
  publicPem: string;
}

/** A fresh Ed25519 key made with jose, with its public JWK as Better Auth publishes it. */
export async function newEd25519Key(kid: string = randomUUID()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), alg: "EdDSA", kid };
  const publicKeyObject = KeyObject.from(publicKey);
  return {
    kid,
    privateKey: KeyObject.from(privateKey),
    publicJwk,
    publicPem: publicKeyObject.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** Something that signs valid tokens for one backend mode. */
export interface TokenIssuer {
  mode: "jwks" | "shared-secret";
  /** iss = aud = this origin. */
  origin: string;
  /** A validly signed token for `sub` (claims adjustable). */
  token(sub: string, options?: ClaimOptions & { header?: Record<string, unknown> }): Promise<string>;
}

/** Better Auth stand-in: publishes an Ed25519 JWKS at `/api/auth/jwks` on `server`, signs EdDSA tokens. */
export async function jwksIssuer(server: JsonServer): Promise<TokenIssuer & { keys: SigningKey[]; rotate(): Promise<SigningKey> }> {
  const keys = [await newEd25519Key()];
  const publish = () => server.set("/api/auth/jwks", { keys: keys.map((k) => k.publicJwk) });
  publish();
  return {
    mode: "jwks",
    origin: server.origin,
    keys,
    async rotate() {
      const key = await newEd25519Key();
      keys.push(key);
      publish();
      return key;
    },
    async token(sub, options = {}) {
      const key = keys[0]!;
      return new SignJWT(claimsFor(sub, server.origin, options))
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid, ...options.header })
        .sign(key.privateKey);
    },
  };
}

/** The shared-secret mode's issuer: HS256 with `secret`, iss = aud = `origin`. */
export function secretIssuer(secret: string, origin: string): TokenIssuer {
  const key = new TextEncoder().encode(secret);
  return {
    mode: "shared-secret",
    origin,
    async token(sub, options = {}) {
      return new SignJWT(claimsFor(sub, origin, options)).setProtectedHeader({ alg: "HS256", ...options.header }).sign(key);
    },
  };
}
