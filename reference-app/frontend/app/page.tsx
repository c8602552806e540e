import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { auth, authReady } from "@/lib/auth";

/** "/" sends signed-in users to their tasks and everyone else to the sign-in page. */
export default async function Home() {
  await authReady();
  const session = await auth.api.getSession({ headers: await headers() });
  redirect(session ? "/tasks" : "/sign-in");
}
