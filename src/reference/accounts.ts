import { randomBytes } from "node:crypto";
import { request } from "undici";
import type { ReferenceApp } from "./launch.ts";

/** A user signed up on the reference app, with what a non-browser client needs to call the backend. */
export interface ReferenceUser {
  id: string;
  email: string;
  password: string;
  /** The bearer() plugin's session credential (`set-auth-token` header: token.signature). */
  sessionToken: string;
}

/**
 * Signs a fresh user up through Better Auth (POST /api/auth/sign-up/email, JSON, no cookie, no Origin —
 * a server-to-server call). Uses undici's request(): fetch() adds `Sec-Fetch-Mode: cors`, which makes
 * Better Auth demand an Origin header.
 */
export async function signUpUser(app: Pick<ReferenceApp, "webUrl">, name = "Reference User"): Promise<ReferenceUser> {
  const email = `user-${randomBytes(6).toString("hex")}@example.com`;
  const password = randomBytes(12).toString("base64url");
  const response = await request(`${app.webUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, email, password }),
  });
  const body = (await response.body.json()) as { user?: { id: string } };
  const sessionToken = response.headers["set-auth-token"];
  if (response.statusCode !== 200 || typeof sessionToken !== "string" || !body.user) {
    throw new Error(`sign-up failed: HTTP ${response.statusCode} ${JSON.stringify(body)}`);
  }
  return { id: body.user.id, email, password, sessionToken };
}

/**
 * Gets the JWT the backend accepts for a signed-in user: Better Auth's GET /api/auth/token in jwks mode,
 * the app's GET /api/backend-token in shared-secret mode (both with `Authorization: Bearer <session token>`).
 */
export async function backendTokenFor(app: Pick<ReferenceApp, "webUrl" | "mode">, user: Pick<ReferenceUser, "sessionToken">): Promise<string> {
  const path = app.mode === "jwks" ? "/api/auth/token" : "/api/backend-token";
  const response = await request(`${app.webUrl}${path}`, { headers: { authorization: `Bearer ${user.sessionToken}` } });
  const body = (await response.body.json()) as { token?: string };
  if (response.statusCode !== 200 || !body.token) throw new Error(`${path} failed: HTTP ${response.statusCode}`);
  return body.token;
}
