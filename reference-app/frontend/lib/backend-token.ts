import { SignJWT } from "jose";
import { backendTokenLifetime } from "./flaws";

/**
 * Shared-secret mode: mints the HS256 JWT the FastAPI backend verifies with BETTER_AUTH_SECRET.
 * Better Auth's jwt() plugin has no HS256, so this is our own code: sub = user id, iss = aud = the
 * origin of BETTER_AUTH_URL (the same values the jwt() plugin puts in its EdDSA tokens), the user's role, 15 min lifetime.
 */
export async function mintBackendToken(user: { id: string; email: string; role?: string | null }): Promise<string> {
  const secret = process.env.BETTER_AUTH_SECRET;
  const baseUrl = process.env.BETTER_AUTH_URL;
  if (!secret || !baseUrl) throw new Error("BETTER_AUTH_SECRET and BETTER_AUTH_URL must be set");
  const origin = new URL(baseUrl).origin;
  const iat = Math.floor(Date.now() / 1000);
  // role: what the jwt() plugin's tokens carry too; the backend looks the role up instead of trusting it.
  return new SignJWT({ email: user.email, role: user.role ?? "user" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + backendTokenLifetime().seconds) // FLAW long-lived-token: 24 h
    .setIssuer(origin)
    .setAudience(origin)
    .sign(new TextEncoder().encode(secret));
}
