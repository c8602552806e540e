import type { AuthproofConfig } from "../config/schema.ts";
import type { HttpDriver } from "../http/driver.ts";
import { bearer } from "../model/endpoint.ts";
import { deleteStrays } from "./strays.ts";
import type { AuditUser, CreatedObject } from "../model/target.ts";
import { deleteUser, revokeSessions, signIn, signOut, type TestUser } from "./identities.ts";
import type { Resource } from "./resources.ts";

/** What the audit created on the target and must remove. */
export interface CleanupScope {
  config: Pick<AuthproofConfig, "auth">;
  /** Users A and B; those with `createdByAudit` are deleted, configured accounts are left alone. */
  users: AuditUser[];
  objects: CreatedObject[];
  /** Item URLs of objects requests created by accident (a create probe's valid body, an accepted forgery). */
  strays?: readonly string[];
  resources: Resource[];
  /** Users made elsewhere in the run (e.g. a sign-up through the UI): deleted when they can sign in. */
  extraUsers?: readonly TestUser[];
}

/** What cleaning up managed, and one line per kind of leftover. */
export interface CleanupReport {
  objectsRemoved: number;
  usersDeleted: number;
  /** e.g. "2 users (a@…, b@…): the deployment does not allow deleting users (Better Auth user.deleteUser)". */
  leftBehind: string[];
}

/**
 * Removes what the audit created, in the order the target needs: the objects (as their owners, while the
 * owners still exist), then the signed-up users through Better Auth's delete-user (which also ends their
 * sessions); where deletion is refused, their sessions are revoked and the users are named as left behind.
 * Configured accounts stay; only the session the audit signed in with is signed out. Never throws.
 */
export async function cleanupTarget(driver: HttpDriver, scope: CleanupScope): Promise<CleanupReport> {
  const leftBehind: string[] = [];
  const objects = await cleanupObjects(driver, scope);
  if (objects.left.length > 0) leftBehind.push(`${plural(objects.left.length, "object")} (${objects.left.join(", ")}): no delete operation answered 2xx`);

  // Minted identities have no Better Auth account or session to remove.
  if (!scope.config.auth.baseUrl) return { objectsRemoved: objects.removed, usersDeleted: 0, leftBehind };
  const auth = { baseUrl: scope.config.auth.baseUrl, basePath: scope.config.auth.basePath };
  const left = new Map<string, string[]>();
  let usersDeleted = 0;
  const remove = async (identity: { email: string; password: string; sessionToken: string }) => {
    let outcome = await deleteUser(driver, auth, identity);
    if (!outcome.deleted && !outcome.reason?.includes("does not allow")) {
      // The audit's session may have ended (a check signed it out): sign in afresh and try once more.
      const fresh = await signIn(driver, auth, identity).catch(() => undefined);
      if (fresh) outcome = await deleteUser(driver, auth, fresh);
    }
    if (outcome.deleted) return void usersDeleted++;
    await revokeSessions(driver, auth, identity);
    const reason = outcome.reason ?? "not deleted";
    left.set(reason, [...(left.get(reason) ?? []), identity.email]);
  };
  for (const user of scope.users) {
    if (user.createdByAudit) await remove(user);
    else await signOut(driver, auth, user).catch(() => undefined);
  }
  const known = new Set(scope.users.map((u) => u.email));
  for (const extra of scope.extraUsers ?? []) {
    if (known.has(extra.email)) continue;
    const identity = await signIn(driver, auth, extra).catch(() => undefined); // never signed up: nothing to delete
    if (identity) await remove(identity);
  }
  for (const [reason, emails] of left) leftBehind.push(`${plural(emails.length, "user")} (${emails.join(", ")}): ${reason}`);
  return { objectsRemoved: objects.removed, usersDeleted, leftBehind };
}

/** Deletes the objects the harness created, as their owners, where the API has a delete operation. */
export async function cleanupObjects(
  driver: HttpDriver,
  scope: Pick<CleanupScope, "users" | "objects" | "resources" | "strays">,
): Promise<{ removed: number; left: string[] }> {
  // Each object is deleted by its owner, independently of the others: all at once.
  const deleted = await Promise.all(
    scope.objects.map(async (object) => {
      const resource = scope.resources.find((r) => r.collection === object.resource);
      const owner = scope.users.find((u) => u.label === object.owner);
      const exchange = resource?.remove && owner ? await driver.send({ method: "DELETE", url: object.url, headers: bearer(owner.token), operation: resource.remove.path, aim: "an object the audit created" }) : undefined;
      const status = exchange?.response?.status ?? 0;
      return status >= 200 && status < 300;
    }),
  );
  const left = scope.objects.filter((_, i) => !deleted[i]).map((object) => object.url);
  const removed = deleted.filter(Boolean).length + (await deleteStrays(driver, [...(scope.strays ?? [])], scope.users));
  return { removed, left };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
