import Database from "better-sqlite3";
import pg from "pg";
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { nextCookies } from "better-auth/next-js";
import { admin, bearer, jwt } from "better-auth/plugins";
import type { Jwk } from "better-auth/plugins/jwt";
import { backendTokenLifetime, flawEnabled } from "./flaws";

/*
 * Better Auth server configuration.
 *
 * Env: BETTER_AUTH_URL (public base URL; its origin is the JWT iss and aud), BETTER_AUTH_SECRET (>= 32 random
 * bytes), DATABASE_PATH (SQLite file, default ./auth.db) or DATABASE_URL (Postgres), BETTER_AUTH_TRUSTED_ORIGINS
 * (extra origins, comma-separated), REFERENCE_SIGNING_JWK (test only: a private Ed25519 JWK to sign with),
 * REFERENCE_RATE_LIMIT=off (test only: no rate limiting), REFERENCE_FLAWS (test only: seeded flaws),
 * COOKIE_CACHE_SECONDS (session.cookieCache maxAge; unset or 0: no cookie cache).
 */

// `next build` evaluates server modules once without the runtime environment: give it throwaway values.
const building = process.env.NEXT_PHASE === "phase-production-build";

function createDatabase(): BetterAuthOptions["database"] {
  if (building) return new Database(":memory:");
  if (process.env.DATABASE_URL) return new pg.Pool({ connectionString: process.env.DATABASE_URL }) as never;
  return new Database(process.env.DATABASE_PATH ?? "./auth.db");
}

function trustedOrigins(): BetterAuthOptions["trustedOrigins"] {
  if (flawEnabled("trust-any-origin")) {
    // FLAW: every Origin is trusted, so cross-site state-changing requests with the cookie pass.
    return (request?: Request) => {
      const origin = request?.headers.get("origin");
      return origin ? [origin] : [];
    };
  }
  return (process.env.BETTER_AUTH_TRUSTED_ORIGINS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function cookieAttributes(): NonNullable<BetterAuthOptions["advanced"]>["defaultCookieAttributes"] {
  const attributes: { httpOnly?: boolean; sameSite?: "none"; secure?: boolean } = {};
  if (flawEnabled("cookie-no-httponly")) attributes.httpOnly = false; // FLAW: scripts can read the session cookie
  if (flawEnabled("cookie-samesite-none")) {
    attributes.sameSite = "none"; // FLAW: the session cookie rides cross-site requests
    attributes.secure = true; // browsers drop SameSite=None cookies without Secure
  }
  return Object.keys(attributes).length > 0 ? attributes : undefined;
}

/**
 * A fixed signing key handed in by the test launcher (REFERENCE_SIGNING_JWK, a private Ed25519 JWK with a kid).
 * Whoever holds it can sign tokens this deployment accepts, so it exists only for test deployments.
 */
function fixedSigningKey(): Jwk | undefined {
  const raw = process.env.REFERENCE_SIGNING_JWK;
  if (!raw || building) return undefined;
  const { kid, ...privateJwk } = JSON.parse(raw) as { kid: string; kty: string; crv: string; x: string; d: string };
  if (!kid || privateJwk.kty !== "OKP" || privateJwk.crv !== "Ed25519" || !privateJwk.d) {
    throw new Error("REFERENCE_SIGNING_JWK must be a private Ed25519 JWK with a kid");
  }
  const { d: _private, ...publicJwk } = privateJwk;
  return {
    id: kid,
    alg: "EdDSA",
    crv: "Ed25519",
    publicKey: JSON.stringify(publicJwk),
    privateKey: JSON.stringify(privateJwk),
    createdAt: new Date(0),
  };
}

function jwtPlugin() {
  const expirationTime = backendTokenLifetime().jose; // FLAW long-lived-token: 24h instead of 15m
  const key = fixedSigningKey();
  if (!key) return jwt({ jwt: { expirationTime } });
  return jwt({
    jwt: { expirationTime },
    jwks: { disablePrivateKeyEncryption: true },
    adapter: {
      getJwks: async () => [key],
      createJwk: async () => key,
    },
  });
}

/**
 * Roles: Better Auth's admin plugin puts a `role` on every user ("user" by default, "admin" for admins), keeps it out
 * of user input (sign-up and update-user refuse it), and adds its admin API (`/api/auth/admin/*`). The jwt() plugin
 * copies the user, role included, into the backend JWT; the backend still looks the role up in the user table.
 */
function roles(): { plugins: NonNullable<BetterAuthOptions["plugins"]>; user?: BetterAuthOptions["user"] } {
  if (flawEnabled("role-mass-assignment")) {
    // FLAW: the role is an additional field with `input` left at its default (true): any user can set its own
    // role with POST /api/auth/update-user {"role":"admin"} (or at sign-up).
    return { plugins: [], user: { additionalFields: { role: { type: "string", defaultValue: "user" } } } };
  }
  return { plugins: [admin()] };
}

const roleSetup = roles();

/**
 * session.cookieCache: get-session answers from the signed `session_data` cookie for maxAge seconds without reading
 * the session table, so a signed-out session keeps working that long for whoever kept its cookies.
 */
function sessionOptions(): BetterAuthOptions["session"] {
  // FLAW guide-cookie-cache: the integration guide's 5 minutes.
  const maxAge = flawEnabled("guide-cookie-cache") ? 300 : Number(process.env.COOKIE_CACHE_SECONDS ?? 0);
  if (!(maxAge > 0)) return undefined;
  return { cookieCache: { enabled: true, maxAge } };
}

export const auth = betterAuth({
  baseURL: building ? "http://localhost:3000" : process.env.BETTER_AUTH_URL,
  secret: building ? "build-time-placeholder-secret-not-used-at-runtime" : process.env.BETTER_AUTH_SECRET,
  database: createDatabase(),
  emailAndPassword: { enabled: true },
  session: sessionOptions(),
  // Users may delete their own account (POST /api/auth/delete-user with their password; Better Auth then deletes
  // their sessions and accounts too). The harness uses it to remove the users it signed up.
  user: { deleteUser: { enabled: true }, ...roleSetup.user },
  trustedOrigins: trustedOrigins(),
  // Better Auth limits sign-in/sign-up to 3 per 10 s per IP in production; test deployments switch it off.
  rateLimit: process.env.REFERENCE_RATE_LIMIT === "off" ? { enabled: false } : undefined,
  advanced: {
    // Explicit: Better Auth skips the origin (CSRF) check when NODE_ENV=test unless this is set.
    disableOriginCheck: false,
    defaultCookieAttributes: cookieAttributes(),
  },
  plugins: [jwtPlugin(), bearer(), ...roleSetup.plugins, nextCookies()], // nextCookies() must stay last
});

let ready: Promise<void> | undefined;

/** Creates the Better Auth schema (user with its role, session, account, verification, jwks) once per process. */
export function authReady(): Promise<void> {
  ready ??= getMigrations(auth.options).then(({ runMigrations }) => runMigrations());
  return ready;
}
