import type { HttpDriver } from "../http/driver.ts";
import { bearer } from "../model/endpoint.ts";
import type { TargetModel } from "../model/target.ts";
import { deleteStrays } from "./strays.ts";

/** Deletes the objects the harness created, as their owners, where the API has a delete operation. */
export async function cleanupObjects(driver: HttpDriver, model: TargetModel): Promise<number> {
  let removed = 0;
  for (const object of model.objects) {
    const resource = model.resources.find((r) => r.collection === object.resource);
    const owner = model.users.find((u) => u.label === object.owner);
    if (!resource?.remove || !owner) continue;
    const exchange = await driver.send({ method: "DELETE", url: object.url, headers: bearer(owner.token) });
    const status = exchange.response?.status ?? 0;
    if (status >= 200 && status < 300) removed += 1;
  }
  return removed + (await deleteStrays(driver, model.strays, model.users));
}
