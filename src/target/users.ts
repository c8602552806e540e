import { createHash } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, type JWK } from "jose";
import type { AuthproofConfig } from "../config/schema.ts";
import { ConfigError } from "../config/load.ts";
import { signerFromPrivateJwk, signerFromSecret, type Signer } from "../forge/signers.ts";
import type { HttpDriver } from "../http/driver.ts";
import type { AuditUser } from "../model/target.ts";
import { fetchBackendToken, makeTestUser, signIn, signUp, type Identity } from "./identities.ts";

type Log = (line: string) => void;
const LABELS = ["A", "B"] as const;
/** Claims of a real token that belong to its user or its moment, not to the template minted tokens follow. */
const PER_USER_CLAIMS = new Set(["sub", "id", "user_id", "userId", "email", "name", "image", "emailVerified", "createdAt", "updatedAt", "iat", "exp", "nbf", "jti"]);

/** How the two test users were had: through Better Auth, or minted with the signing key. */
export interface PreparedUsers {
  users: AuditUser[];
  source: "better-auth" | "minted";
}

/**
 * The two test users. With `auth.baseUrl` (the default when one is given) they sign up or sign in through
 * Better Auth and carry the tokens the target issues. Without one, or with `identities.mode: "mint"`, the
 * audit mints their tokens itself with its signing key (shared secret or trusted private key), from a claims
 * template: learned from one real token when Better Auth can give one, else from the configuration
 * (`claims.identityClaim`, `claims.issuer`, `claims.audience`, `identities.claims`).
 */
export async function prepareUsers(config: AuthproofConfig, driver: HttpDriver, seed: number, log: Log, created: AuditUser[] = []): Promise<PreparedUsers> {
  const mode = config.identities.mode === "auto" ? (config.auth.baseUrl ? "sign-up" : "mint") : config.identities.mode;
  if (mode === "sign-up") {
    if (!config.auth.baseUrl) throw new ConfigError("auth.baseUrl", "required to sign users up through Better Auth (or set identities.mode to mint, with a signing key)");
    return { users: await betterAuthUsers(config, config.auth.baseUrl, driver, seed, log, created), source: "better-auth" };
  }
  if (config.mode === "session") throw new ConfigError("identities.mode", "session mode needs real Better Auth sessions: give auth.baseUrl and leave identities.mode at auto or sign-up");
  const signer = await mintingSigner(config);
  const learned = config.auth.baseUrl ? (await betterAuthUsers(config, config.auth.baseUrl, driver, seed, log, created, 1))[0] : undefined;
  const template = { ...(learned ? templateOf(learned.claims) : configuredTemplate(config)), ...config.identities.claims };
  const ids = config.identities.userIds ?? LABELS.map((label) => `authproof-${label.toLowerCase()}-${tag(`${seed}:${label}`)}`);
  const nowSec = Math.floor(Date.now() / 1000);
  const users: AuditUser[] = [];
  for (const [index, label] of LABELS.entries()) {
    const userId = ids[index]!;
    const claims = { ...template, [config.claims.identityClaim]: userId, iat: nowSec, exp: nowSec + config.identities.lifetimeSec };
    const token = await signer.sign(learned ? headerOf(learned.header) : { typ: "JWT" }, claims);
    users.push(mintedUser(label, userId, token));
    log(`user ${label}: minted (${config.claims.identityClaim}=${userId}), token alg ${signer.alg}${learned ? ", claims learned from a Better Auth token" : ""}`);
  }
  return { users, source: "minted" };
}

/** Signs users up (or in); each is in `created` as soon as it exists, so that a later failure still cleans it up. */
async function betterAuthUsers(config: AuthproofConfig, baseUrl: string, driver: HttpDriver, seed: number, log: Log, created: AuditUser[], count = 2): Promise<AuditUser[]> {
  const auth = { baseUrl, basePath: config.auth.basePath };
  const tokenSource = { ...auth, tokenPath: config.auth.tokenPath, tokenField: config.auth.tokenField };
  const users: AuditUser[] = [];
  for (const [index, label] of LABELS.slice(0, count).entries()) {
    const account = config.users.accounts?.[index];
    const identity: Identity = account
      ? await signIn(driver, auth, { email: account.email, password: account.password })
      : await signUp(driver, auth, makeTestUser(seed, index));
    const user: AuditUser = {
      label,
      userId: identity.userId,
      email: identity.email,
      password: identity.password,
      sessionToken: identity.sessionToken,
      cookies: identity.cookies,
      token: "",
      header: {},
      claims: {},
      ...(account ? {} : { createdByAudit: true }),
    };
    created.push(user);
    users.push(user);
    if (config.mode === "session") {
      // Session mode: the backend takes Better Auth's own session token (the bearer() plugin's token.signature).
      user.token = identity.sessionToken;
      log(`user ${label}: ${account ? "signed in" : "signed up"} (${identity.userId}), Better Auth session token`);
      continue;
    }
    user.token = await fetchBackendToken(driver, tokenSource, identity);
    user.header = decodeProtectedHeader(user.token) as Record<string, unknown>;
    user.claims = decodeJwt(user.token) as Record<string, unknown>;
    log(`user ${label}: ${account ? "signed in" : "signed up"} (${identity.userId}), token alg ${String(user.header.alg)}`);
  }
  return users;
}

async function mintingSigner(config: AuthproofConfig): Promise<Signer> {
  const { keys } = config;
  if (keys.privateJwk) return signerFromPrivateJwk((typeof keys.privateJwk === "string" ? JSON.parse(keys.privateJwk) : keys.privateJwk) as JWK);
  if (config.mode === "shared-secret" && keys.secret) return signerFromSecret(keys.secret);
  throw new ConfigError(
    "identities",
    `minting the users' tokens needs a signing key: BETTER_AUTH_SECRET (mode shared-secret) or AUTHPROOF_PRIVATE_JWK${config.auth.baseUrl ? "" : "; or give auth.baseUrl to sign users up through Better Auth"}`,
  );
}

function configuredTemplate(config: AuthproofConfig): Record<string, unknown> {
  return {
    ...(config.claims.issuer !== undefined ? { iss: config.claims.issuer } : {}),
    ...(config.claims.audience !== undefined ? { aud: config.claims.audience } : {}),
  };
}

function templateOf(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !PER_USER_CLAIMS.has(name)));
}

function headerOf(header: Record<string, unknown>): Record<string, unknown> {
  const { alg: _alg, kid: _kid, ...rest } = header;
  return rest;
}

function mintedUser(label: "A" | "B", userId: string, token: string): AuditUser {
  return {
    label,
    userId,
    email: `${userId}@authproof.invalid`,
    password: "",
    sessionToken: "",
    cookies: [],
    token,
    header: decodeProtectedHeader(token) as Record<string, unknown>,
    claims: decodeJwt(token) as Record<string, unknown>,
  };
}

function tag(material: string): string {
  return createHash("sha256").update(material).digest("hex").slice(0, 12);
}
