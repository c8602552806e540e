import type { ReferenceApp } from "./launch.ts";

/**
 * The environment that points an audit at a running reference app: its URLs, mode, CORS origin, the
 * secret, and the signing key (jwks mode: the harness becomes a signing oracle); the pace is the loopback default.
 */
export function auditEnvFor(app: ReferenceApp): Record<string, string> {
  return {
    AUTHPROOF_API_URL: app.apiUrl,
    AUTHPROOF_AUTH_URL: app.webUrl,
    AUTHPROOF_MODE: app.mode,
    AUTHPROOF_CORS_ORIGINS: app.webUrl,
    BETTER_AUTH_SECRET: app.secret,
    ...(app.signingJwk ? { AUTHPROOF_PRIVATE_JWK: JSON.stringify(app.signingJwk) } : {}),
    ...(app.mode === "shared-secret" ? { AUTHPROOF_TOKEN_PATH: "/api/backend-token" } : {}),
    ...(app.mode === "session" ? { AUTHPROOF_SESSION_DATABASE: app.databaseUrl ?? app.authDatabasePath } : {}),
  };
}
