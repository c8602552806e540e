import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { JWK } from "jose";
import type { RunningIssuer } from "../issuer/issuer.ts";
import { ISSUER_ALGS, IssuerError, type IssuerAlg } from "../issuer/common.ts";
import { UsageError } from "./errors.ts";
import { port } from "./port.ts";

export interface IssuerOptions {
  port?: string;
  alg?: string;
  db?: string;
  privateJwk?: string;
  secretEnv?: string;
  envOut?: string;
  issuer?: string;
  audience?: string;
  trustedOrigins?: string;
  rateLimit?: boolean;
}

/** `authproof issuer`: a stand-in Better Auth on loopback until SIGINT/SIGTERM; key and secret go to a mode-600 env file. */
export async function runIssuer(values: IssuerOptions): Promise<number> {
  const alg = values.alg as IssuerAlg | undefined;
  if (alg !== undefined && !ISSUER_ALGS.includes(alg)) throw new UsageError(`--alg: expected ${ISSUER_ALGS.join(", ")}, got "${values.alg}"`);
  const secretEnv = values.secretEnv ?? "BETTER_AUTH_SECRET";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretEnv)) throw new UsageError(`--secret-env: expected an environment variable name, got "${secretEnv}"`);
  const secret = process.env[secretEnv] || undefined;
  if (secret !== undefined && Buffer.byteLength(secret) < 32) console.error(`warning: ${secretEnv} is shorter than 32 bytes; Better Auth and HS256 backends should get at least 32 random bytes`);
  const privateJwk = issuerKey(values.privateJwk);

  // The key and the secret go to a mode-600 file, never to the terminal. Without --env-out: a private
  // temporary directory, removed on exit.
  const tempDir = values.envOut === undefined ? mkdtempSync(path.join(tmpdir(), "authproof-issuer-")) : undefined;
  const envFile = values.envOut ?? path.join(tempDir!, "issuer.env");
  const removeTemp = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  let running: RunningIssuer;
  try {
    const { startIssuer } = await import("../issuer/issuer.ts"); // loads Better Auth: only this command pays for it
    running = await startIssuer({
      port: port(values.port, "--port"),
      ...(alg ? { alg } : {}),
      ...(privateJwk ? { privateJwk } : {}),
      ...(secret ? { secret } : {}),
      ...(values.db ? { db: values.db } : {}),
      ...(values.issuer ? { issuer: values.issuer } : {}),
      ...(values.audience ? { audience: values.audience } : {}),
      trustedOrigins: (values.trustedOrigins ?? "").split(",").map((o) => o.trim()).filter(Boolean),
      rateLimit: values.rateLimit ?? false,
      envFile,
      secretEnv,
    });
  } catch (error) {
    removeTemp();
    throw error;
  }
  const names = ["AUTHPROOF_AUTH_URL", "BETTER_AUTH_URL", "AUTHPROOF_PRIVATE_JWK", "BETTER_AUTH_SECRET", ...(secretEnv !== "BETTER_AUTH_SECRET" ? [secretEnv] : [])];
  for (const line of [
    `authproof issuer: Better Auth at ${running.origin} (${running.alg}, kid ${running.kid}; ${values.db ? `database ${values.db}` : "in-memory database"}${values.rateLimit ? "; rate limited" : ""})`,
    `  JWKS          ${running.jwksUrl}`,
    `  JWT           GET ${running.tokenUrl} (with a session; iss ${running.issuer}, aud ${running.audience})`,
    `  HS256 token   GET ${running.backendTokenUrl} (with a session; signed with the secret)`,
    `  env file      ${envFile} (mode 600: ${names.join(", ")}${tempDir ? "; removed on exit" : ""})`,
    `Point the backend's BETTER_AUTH_URL at ${running.origin} (or give it the secret from the env file), then:`,
    `  set -a; . ${envFile}; set +a; authproof audit --api <backend URL>`,
    `Stop with Ctrl-C.`,
  ]) {
    console.log(line);
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await running.stop();
  removeTemp();
  console.log("authproof issuer: stopped");
  return 0;
}

/** The private JWK from --private-jwk (a JSON file) or AUTHPROOF_PRIVATE_JWK; undefined means generate one. Never echoes the key. */
function issuerKey(file: string | undefined): JWK | undefined {
  let text: string | undefined;
  let source: string;
  if (file !== undefined) {
    source = file;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new UsageError(`--private-jwk: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  } else {
    source = "AUTHPROOF_PRIVATE_JWK";
    text = process.env.AUTHPROOF_PRIVATE_JWK || undefined;
    if (text === undefined) return undefined;
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new IssuerError("ISSUER_KEY_INVALID", `issuer: ${source} is not a JSON private JWK`);
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) throw new IssuerError("ISSUER_KEY_INVALID", `issuer: ${source} is not a JSON private JWK`);
  return jwk as JWK;
}
