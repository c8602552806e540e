import { AuthproofError } from "../errors.ts";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload } from "jose";

export type IssuerAlg = "EdDSA" | "ES256" | "ES512" | "RS256" | "PS256";
export const ISSUER_ALGS: readonly IssuerAlg[] = ["EdDSA", "ES256", "ES512", "RS256", "PS256"];
export const JWKS_PATH = "/api/auth/jwks";

/** Could not start the stand-in issuer (bad key, bad algorithm, port taken). */
export class IssuerError extends AuthproofError<"ISSUER_KEY_INVALID" | "ISSUER_ALG_UNSUPPORTED" | "ISSUER_PORT_IN_USE" | "ISSUER_LISTEN_FAILED"> {}

export interface StartIssuerOptions {
  /** Loopback port; 0 or absent picks a free one. */
  port?: number;
  /** Signing algorithm; default the private JWK's `alg`, else EdDSA (Better Auth's default). */
  alg?: IssuerAlg;
  /** Key to serve; a fresh key pair is generated when absent. */
  privateJwk?: JWK;
  /** `iss` and `aud` of tokens from `sign`; default the issuer's origin (as Better Auth does for its base URL). */
  issuer?: string;
}

export interface RunningIssuer {
  origin: string;
  jwksUrl: string;
  privateJwk: JWK;
  publicJwk: JWK;
  kid: string;
  alg: IssuerAlg;
  /** The `iss` / `aud` that `sign` puts in tokens. */
  issuer: string;
  /** Signs a Better-Auth-shaped token: header `{alg, kid}`, `iat`, `exp` = iat + 15 min, `iss` = `aud` = issuer; `claims` override. */
  sign(claims: JWTPayload): Promise<string>;
  stop(): Promise<void>;
}

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

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

async function keyMaterial(opts: StartIssuerOptions): Promise<{ alg: IssuerAlg; privateJwk: JWK; publicJwk: JWK; kid: string }> {
  if (opts.alg !== undefined && !ISSUER_ALGS.includes(opts.alg)) {
    throw new IssuerError("ISSUER_ALG_UNSUPPORTED", `issuer: unsupported algorithm ${JSON.stringify(opts.alg)} (use one of ${ISSUER_ALGS.join(", ")})`);
  }
  if (opts.privateJwk) {
    const given = opts.privateJwk;
    const alg = opts.alg ?? algFor(given);
    if (!alg) throw new IssuerError("ISSUER_KEY_INVALID", `issuer: cannot tell the algorithm of the private JWK (kty ${String(given.kty)}); pass alg`);
    if (typeof given.d !== "string") throw new IssuerError("ISSUER_KEY_INVALID", "issuer: the JWK has no private member d");
    try {
      await importJWK(given, alg);
    } catch (err) {
      throw new IssuerError("ISSUER_KEY_INVALID", `issuer: the private JWK does not fit ${alg} (${err instanceof Error ? err.message : String(err)})`);
    }
    const pub = publicPart(given);
    const kid = given.kid ?? (await calculateJwkThumbprint(pub));
    return { alg, privateJwk: { ...given, kid }, publicJwk: { ...pub, kid }, kid };
  }
  const alg = opts.alg ?? "EdDSA";
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
  const pub = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(pub);
  return { alg, privateJwk: { ...(await exportJWK(pair.privateKey)), kid }, publicJwk: { ...pub, kid }, kid };
}

/**
 * The JWKS document exactly as Better Auth's jwt() plugin serves it: each key is
 * `{alg, crv?, ...exported public JWK, kid}` (no `use`).
 */
export function betterAuthJwks(publicJwk: JWK, alg: IssuerAlg, kid: string): { keys: JWK[] } {
  const { kid: _kid, alg: _alg, ...exported } = publicJwk;
  const key = { alg, crv: typeof exported.crv === "string" ? exported.crv : undefined, ...exported, kid };
  return JSON.parse(JSON.stringify({ keys: [key] })) as { keys: JWK[] };
}

/**
 * Starts the stand-in issuer (SPEC §1) on 127.0.0.1: `GET /api/auth/jwks` serves the public key shaped like
 * Better Auth's; everything else is 404. Point a backend's JWKS URL (or BETTER_AUTH_URL) at `origin` and the
 * harness can sign tokens it trusts.
 */
export async function startIssuer(opts: StartIssuerOptions = {}): Promise<RunningIssuer> {
  const { alg, privateJwk, publicJwk, kid } = await keyMaterial(opts);
  const body = JSON.stringify(betterAuthJwks(publicJwk, alg, kid));

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === JWKS_PATH) {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    } else {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Not Found" }));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new IssuerError("ISSUER_PORT_IN_USE", `issuer: port ${opts.port} on 127.0.0.1 is already in use`)
          : new IssuerError("ISSUER_LISTEN_FAILED", `issuer: cannot listen on 127.0.0.1:${opts.port ?? 0} (${err.message})`),
      );
    });
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });

  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = opts.issuer ?? origin;
  const signingKey = await importJWK(privateJwk, alg);

  return {
    origin,
    jwksUrl: `${origin}${JWKS_PATH}`,
    privateJwk,
    publicJwk,
    kid,
    alg,
    issuer,
    async sign(claims: JWTPayload) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iat: now, exp: now + 15 * 60, iss: issuer, aud: issuer, ...claims })
        .setProtectedHeader({ alg, kid })
        .sign(signingKey);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
