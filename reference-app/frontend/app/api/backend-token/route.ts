import { auth, authReady } from "@/lib/auth";
import { mintBackendToken } from "@/lib/backend-token";

/**
 * GET /api/backend-token → {token}: an HS256 JWT for the FastAPI backend (shared-secret mode only).
 * Needs a Better Auth session (cookie, or Authorization: Bearer <session token> via the bearer() plugin).
 */
export async function GET(request: Request): Promise<Response> {
  const noStore = { "cache-control": "no-store" };
  if (process.env.AUTH_MODE !== "shared-secret") {
    return Response.json({ message: "Not found" }, { status: 404, headers: noStore });
  }
  await authReady();
  const session = await auth.api.getSession({ headers: request.headers });
  if (!session) return Response.json({ message: "Unauthorized" }, { status: 401, headers: noStore });
  const { role } = session.user as { role?: string | null };
  const token = await mintBackendToken({ id: session.user.id, email: session.user.email, role });
  return Response.json({ token }, { headers: noStore });
}
