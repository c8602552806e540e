import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, openSync, writeSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { fromNodeHeaders, toNodeHandler } from "better-auth/node";
import { bearer, jwt } from "better-auth/plugins";
import type { Jwk, JWKOptions } from "better-auth/plugins/jwt";
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { ISSUER_ALGS, IssuerError, type IssuerAlg } from "./common.ts";

export { ISSUER_ALGS, IssuerError, type IssuerAlg } from "./common.ts";
export const AUTH_BASE_PATH = "/api/auth";
export const JWKS_PATH = `${AUTH_BASE_PATH}/jwks`;
/** The HS256 token route for shared-secret backends (what `auth.tokenPath=/api/backend-token` expects). */
export const BACKEND_TOKEN_PATH = "/api/backend-token";
/** Lifetime of the HS256 backend token, as the reference app's and Better Auth's jwt() default (15 min). */
const BACKEND_TOKEN_LIFETIME_SEC = 15 * 60;
/** Request header the issuer sets from the socket address, so Better Auth's rate limiter keys on the real peer. */
const PEER_IP_HEADER = "x-authproof-peer-ip";

export interface StartIssuerOptions {
  /** Loopback port; 0 or absent picks a free one. */
  port?: number;
  /** Signing algorithm; default the private JWK's `alg`, else EdDSA (Better Auth's default). */
  alg?: IssuerAlg;
  /** Key Better Auth signs with; a fresh key pair is generated when absent. */
  privateJwk?: JWK;
  /** `iss` of the tokens; default the issuer's origin (Better Auth's default for its base URL). */
  issuer?: string;
  /** `aud` of the tokens; default the issuer's origin (Better Auth's default for its base URL). */
  audience?: string;
  /** Better Auth's secret, also the HS256 key of the backend-token route; ≥ 32 random bytes are generated when absent. */
  secret?: string;
  /** SQLite file for users and sessions (created when missing); default an in-memory database. */
  db?: string;
  /** Origins trusted besides the issuer's own (Better Auth `trustedOrigins`; `*` wildcards allowed). */
  trustedOrigins?: string[];
  /** Better Auth's rate limiting (sign-in / sign-up 3 per 10 s per IP); off by default, as this is a test issuer. */
  rateLimit?: boolean;
  /** Write the key, the secret and the URLs to this file (mode 0600), for `set -a; . file` or `node --env-file` (not a CLI flag name: Node 20 takes `--env-file` anywhere in argv). */
  envFile?: string;
  /** Also write the secret under this variable name (the backend's), besides BETTER_AUTH_SECRET. */
  secretEnv?: string;
}

export interface RunningIssuer {
  origin: string;
  jwksUrl: string;
  /** GET with a session → `{token}`: Better Auth's own JWT (jwks mode). */
  tokenUrl: string;
  /** GET with a session → `{token}`: an HS256 JWT signed with `secret` (shared-secret mode). */
  backendTokenUrl: string;
  privateJwk: JWK;
  publicJwk: JWK;
  kid: string;
  alg: IssuerAlg;
  /** `iss` of the tokens. */
  issuer: string;
  /** `aud` of the tokens. */
  audience: string;
  secret: string;
  /** The env file written, when `envFile` was given. */
  envFile?: string;
  stop(): Promise<void>;
}

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function algFor(jwk: JWK): IssuerAlg | undefined {
  if (typeof jwk.alg === "string") return ISSUER_ALGS.find((a) => a === jwk.alg);
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return "EdDSA";
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  if (jwk.kty === "EC" && jwk.crv === "P-521") return "ES512";
  if (jwk.kty === "RSA") return "RS256";
  return undefined;
}

/** The public half of a JWK: private members removed. */
export function publicPart(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const m of PRIVATE_MEMBERS) delete copy[m];
  return copy as JWK;
}

interface KeyMaterial {
  alg: IssuerAlg;
  kid: string;
  /** As jose exports it (no kid, alg, use): what Better Auth stores for keys it generates itself. */
  exportedPrivate: JWK;
  exportedPublic: JWK;
}

async function keyMaterial(opts: StartIssuerOptions): Promise<KeyMaterial> {
  if (opts.alg !== undefined && !ISSUER_ALGS.includes(opts.alg)) {
    throw new IssuerError("ISSUER_ALG_UNSUPPORTED", `issuer: unsupported algorithm ${JSON.stringify(opts.alg)} (use one of ${ISSUER_ALGS.join(", ")})`);
  }
  if (opts.privateJwk) {
    const given = opts.privateJwk;
    const alg = opts.alg ?? algFor(given);
    if (!alg) throw new IssuerError("ISSUER_KEY_INVALID", `issuer: cannot tell the algorithm of the private JWK (kty ${String(given.kty)}); pass alg`);
    if (typeof given.d !== "string") throw new IssuerError("ISSUER_KEY_INVALID", "issuer: the JWK has no private member d");
    let exportedPrivate: JWK;
    try {
      // Re-exported, so the stored key is canonical (public members recomputed from the private ones).
      exportedPrivate = await exportJWK(await importJWK({ ...given, alg, ext: true }, alg, { extractable: true }));
    } catch (err) {
      throw new IssuerError("ISSUER_KEY_INVALID", `issuer: the private JWK does not fit ${alg} (${err instanceof Error ? err.message : String(err)})`);
    }
    const exportedPublic = publicPart(exportedPrivate);
    const kid = typeof given.kid === "string" && given.kid !== "" ? given.kid : await calculateJwkThumbprint(exportedPublic);
    return { alg, kid, exportedPrivate, exportedPublic };
  }
  const alg = opts.alg ?? "EdDSA";
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
  const exportedPublic = await exportJWK(pair.publicKey);
  return { alg, kid: await calculateJwkThumbprint(exportedPublic), exportedPrivate: await exportJWK(pair.privateKey), exportedPublic };
}

/** The key as a row of Better Auth's `jwks` table, private key unencrypted (`jwks.disablePrivateKeyEncryption`). */
function jwksRow(key: KeyMaterial): Jwk {
  const crv = key.exportedPublic.crv;
  return {
    id: key.kid,
    alg: key.alg,
    ...(crv === "Ed25519" || crv === "P-256" || crv === "P-521" ? { crv } : {}),
    publicKey: JSON.stringify(key.exportedPublic),
    privateKey: JSON.stringify(key.exportedPrivate),
    createdAt: new Date(0),
  };
}

function keyPairConfig(alg: IssuerAlg): JWKOptions {
  return alg === "EdDSA" ? { alg, crv: "Ed25519" } : { alg };
}

function createAuth(o: { origin: string; secret: string; database: Database.Database; key: KeyMaterial; opts: StartIssuerOptions }) {
  const row = jwksRow(o.key);
  return betterAuth({
    appName: "authproof issuer",
    baseURL: o.origin,
    basePath: AUTH_BASE_PATH,
    secret: o.secret,
    database: o.database,
    emailAndPassword: { enabled: true, requireEmailVerification: false },
    user: { deleteUser: { enabled: true } },
    trustedOrigins: [o.origin, ...(o.opts.trustedOrigins ?? [])],
    rateLimit: { enabled: o.opts.rateLimit ?? false },
    telemetry: { enabled: false },
    advanced: {
      // Explicit, so a NODE_ENV=test parent (vitest) does not switch the origin (CSRF) check off.
      disableOriginCheck: false,
      disableCSRFCheck: false,
      ipAddress: { ipAddressHeaders: [PEER_IP_HEADER] },
    },
    plugins: [
      jwt({
        jwks: { keyPairConfig: keyPairConfig(o.key.alg), disablePrivateKeyEncryption: true },
        ...(o.opts.issuer !== undefined || o.opts.audience !== undefined
          ? { jwt: { ...(o.opts.issuer !== undefined ? { issuer: o.opts.issuer } : {}), ...(o.opts.audience !== undefined ? { audience: o.opts.audience } : {}) } }
          : {}),
        // The harness's key is the only key: Better Auth signs with it and serves it at /jwks, never makes another.
        adapter: { getJwks: async () => [row], createJwk: async () => row },
      }),
      bearer(),
    ],
  });
}

type Auth = ReturnType<typeof createAuth>;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** GET /api/backend-token → `{token}`: HS256 `{sub, email, iat, exp, iss, aud}` with the secret, for a Better Auth session (cookie or bearer). */
async function backendToken(auth: Auth, claims: { issuer: string; audience: string; secret: string }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const noStore = { "cache-control": "no-store" };
  if (req.method !== "GET") return sendJson(res, 405, { message: "Method Not Allowed" }, { ...noStore, allow: "GET" });
  const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
  if (!session) return sendJson(res, 401, { message: "Unauthorized" }, noStore);
  const iat = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ email: session.user.email })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(session.user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + BACKEND_TOKEN_LIFETIME_SEC)
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .sign(new TextEncoder().encode(claims.secret));
  sendJson(res, 200, { token }, noStore);
}

function envValue(name: string, value: string): string {
  if (/['\r\n\0]/.test(value)) throw new IssuerError("ISSUER_ENV_FILE_FAILED", `issuer: ${name} contains a quote or line break and cannot be written to an env file`);
  return `${name}='${value}'`;
}

/** Writes the file with mode 0600 (also when it existed with a wider mode) before any secret goes in. */
function writeEnvFile(file: string, lines: string[]): void {
  let fd: number | undefined;
  try {
    fd = openSync(file, "w", 0o600);
    fchmodSync(fd, 0o600);
    writeSync(fd, `${lines.join("\n")}\n`);
  } catch (err) {
    throw new IssuerError("ISSUER_ENV_FILE_FAILED", `issuer: cannot write the env file ${file} (${err instanceof Error ? err.message : String(err)})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function listen(server: Server, port: number | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new IssuerError("ISSUER_PORT_IN_USE", `issuer: port ${port} on 127.0.0.1 is already in use`)
          : new IssuerError("ISSUER_LISTEN_FAILED", `issuer: cannot listen on 127.0.0.1:${port ?? 0} (${err.message})`),
      );
    });
    server.listen(port ?? 0, "127.0.0.1", () => resolve());
  });
}

/**
 * Starts the stand-in issuer (SPEC §1): a real Better Auth (email + password, jwt() signing with the harness's
 * key, bearer()) on 127.0.0.1, plus `GET /api/backend-token` (HS256 with the secret) for shared-secret backends.
 * Point a backend's BETTER_AUTH_URL (JWKS) or BETTER_AUTH_SECRET at it and the harness holds its signing keys.
 */
export async function startIssuer(opts: StartIssuerOptions = {}): Promise<RunningIssuer> {
  const key = await keyMaterial(opts);
  if (opts.secretEnv !== undefined && !ENV_NAME.test(opts.secretEnv)) {
    throw new IssuerError("ISSUER_ENV_FILE_FAILED", `issuer: ${JSON.stringify(opts.secretEnv)} is not an environment variable name`);
  }
  const secret = opts.secret ?? randomBytes(32).toString("base64url");

  let database: Database.Database;
  try {
    database = new Database(opts.db ?? ":memory:");
  } catch (err) {
    throw new IssuerError("ISSUER_DB_FAILED", `issuer: cannot open the database ${opts.db} (${err instanceof Error ? err.message : String(err)})`);
  }

  let handle: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  const server = createServer((req, res) => {
    if (!handle) return sendJson(res, 503, { message: "Starting" });
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { message: "Internal Server Error" });
      else res.destroy();
    });
  });
  const stopServer = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  try {
    await listen(server, opts.port);
  } catch (err) {
    database.close();
    throw err;
  }
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = opts.issuer ?? origin;
  const audience = opts.audience ?? origin;

  try {
    const auth = createAuth({ origin, secret, database, key, opts });
    try {
      const { runMigrations } = await getMigrations(auth.options);
      await runMigrations();
    } catch (err) {
      throw new IssuerError("ISSUER_DB_FAILED", `issuer: cannot create the Better Auth schema in ${opts.db ?? "the in-memory database"} (${err instanceof Error ? err.message : String(err)})`);
    }
    const betterAuthHandler = toNodeHandler(auth);
    handle = async (req, res) => {
      // Better Auth keys rate limits on a request header; this one is always the socket's peer, never the client's word.
      req.headers[PEER_IP_HEADER] = req.socket.remoteAddress ?? "unknown";
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      if (path === AUTH_BASE_PATH || path.startsWith(`${AUTH_BASE_PATH}/`)) return betterAuthHandler(req, res);
      if (path === BACKEND_TOKEN_PATH) return backendToken(auth, { issuer, audience, secret }, req, res);
      sendJson(res, 404, { message: "Not Found" });
    };

    const privateJwk: JWK = { ...key.exportedPrivate, alg: key.alg, kid: key.kid };
    const running: RunningIssuer = {
      origin,
      jwksUrl: `${origin}${JWKS_PATH}`,
      tokenUrl: `${origin}${AUTH_BASE_PATH}/token`,
      backendTokenUrl: `${origin}${BACKEND_TOKEN_PATH}`,
      privateJwk,
      publicJwk: { ...key.exportedPublic, alg: key.alg, kid: key.kid },
      kid: key.kid,
      alg: key.alg,
      issuer,
      audience,
      secret,
      stop: async () => {
        await stopServer();
        database.close();
      },
    };
    if (opts.envFile !== undefined) {
      const secretNames = ["BETTER_AUTH_SECRET", ...(opts.secretEnv && opts.secretEnv !== "BETTER_AUTH_SECRET" ? [opts.secretEnv] : [])];
      writeEnvFile(opts.envFile, [
        `# authproof issuer at ${origin} (${key.alg}, kid ${key.kid}). Holds a private key and a secret: keep it private.`,
        envValue("AUTHPROOF_AUTH_URL", origin),
        envValue("BETTER_AUTH_URL", origin),
        envValue("AUTHPROOF_PRIVATE_JWK", JSON.stringify(privateJwk)),
        ...secretNames.map((name) => envValue(name, secret)),
      ]);
      running.envFile = opts.envFile;
    }
    return running;
  } catch (err) {
    await stopServer();
    database.close();
    throw err;
  }
}
