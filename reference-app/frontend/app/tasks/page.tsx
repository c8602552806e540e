import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { TaskList } from "@/components/task-list";
import { auth, authReady } from "@/lib/auth";
import { flawEnabled } from "@/lib/flaws";

function tokenMode(value: string | undefined): "jwks" | "shared-secret" | "session" {
  return value === "shared-secret" || value === "session" ? value : "jwks";
}

/**
 * The tasks page. Server-rendered per request so the backend URL and token mode come from the runtime
 * environment (API_URL, AUTH_MODE) rather than being baked in at build time.
 */
export default async function TasksPage() {
  await authReady();
  const session = await auth.api.getSession({ headers: await headers() });
  if (!session) redirect("/sign-in");
  const settings = {
    apiUrl: process.env.API_URL ?? "http://127.0.0.1:8000",
    mode: tokenMode(process.env.AUTH_MODE),
    tokenInStorage: flawEnabled("token-in-storage"),
  };
  return <TaskList settings={settings} userName={session.user.name || session.user.email} />;
}
