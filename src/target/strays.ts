import type { AuthproofConfig } from "../config/schema.ts";
import type { HttpDriver } from "../http/driver.ts";
import type { Exchange } from "../http/types.ts";
import { apiUrl, bearer } from "../model/endpoint.ts";
import type { AuditUser } from "../model/target.ts";
import type { Operation } from "./openapi.ts";
import { fillPath, idOf, type Resource } from "./resources.ts";

/**
 * The item URL of an object a request created by accident (a create probe's valid body let through, a forged
 * token accepted on a create): the audit deletes it at the end, since it must leave nothing it created.
 */
export function strayItemUrl(config: AuthproofConfig, resources: Resource[], op: Operation, exchange: Exchange, owner: AuditUser): string | undefined {
  const status = exchange.response?.status ?? 0;
  if (status < 200 || status >= 300) return undefined;
  const resource = resources.find((r) => r.create === op);
  const id = resource && idOf(exchange.response?.json, resource.idField);
  if (!resource || id === undefined) return undefined;
  const userParams = resource.userIdParam ? { [resource.userIdParam]: owner.userId } : {};
  return apiUrl(config, fillPath(resource.item, { ...userParams, [resource.idParam]: String(id) }));
}

/** Deletes stray objects, as each of the audit's users in turn (the one who owns it succeeds). */
export async function deleteStrays(driver: HttpDriver, urls: string[], users: AuditUser[]): Promise<number> {
  const removeOne = async (url: string) => {
    for (const user of users) {
      const exchange = await driver.send({ method: "DELETE", url, headers: bearer(user.token), aim: "an object the audit created" });
      const status = exchange.response?.status ?? 0;
      if (status >= 200 && status < 300) return true;
    }
    return false;
  };
  // The strays are independent of one another: all at once, each tried as one user after the other.
  const removed = await Promise.all([...new Set(urls)].map(removeOne));
  return removed.filter(Boolean).length;
}
