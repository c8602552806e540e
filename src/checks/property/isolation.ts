import fc from "fast-check";
import type { AuditContext } from "../../model/context.ts";
import type { AuditUser } from "../../model/target.ts";
import { apiUrl, bearer } from "../../model/endpoint.ts";
import { OWNER_FIELDS } from "../../target/bodies.ts";
import type { Exchange, HttpRequest } from "../../http/types.ts";
import { synthesizeBody, synthesizeUpdate } from "../../target/bodies.ts";
import type { Operation } from "../../target/openapi.ts";
import { fillPath, idOf, type Resource } from "../../target/resources.ts";
import type { RequestBudget } from "./budget.ts";

/*
 * Model-based isolation: the model is the set of objects each user owns (with the field values the owner
 * last wrote). Commands create, read, update and delete as A or B, on their own objects or the other's;
 * after each command both users' list views must show exactly their own objects, unchanged by the other.
 * Only objects created in the current run are compared, so runs are independent of each other and of
 * data the target already holds.
 */

export type Label = "A" | "B";

export interface ModelObject {
  owner: Label;
  id: string;
  /** Values of the fields the owner wrote, as the target answered them. */
  fields: Record<string, unknown>;
}

export interface IsolationModel {
  objects: ModelObject[];
}

/** The live side of a run: the target, and what this run created. */
export interface IsolationReal {
  ctx: AuditContext;
  resource: Resource;
  budget: RequestBudget;
  /** Ids created in this run, with their creator (for cleanup). */
  created: Map<string, Label>;
  /** The exchange that showed the last violation. */
  lastFailure?: { detail: string; exchange: Exchange };
}

/** Thrown by a command when the target breaks the model. */
export class ModelViolation extends Error {}

/**
 * Thrown when a user's own request fails (a create answered 422 for the harness's body, a list that is not a
 * list): no isolation verdict can be drawn from such a run.
 */
export class ModelInconclusive extends Error {}

/** Statuses that count as refusing another user's object (RFC 9110 §15.5.4 allows 404 to hide it). */
const REFUSED = new Set([403, 404]);

/** The first resource P3 can drive: create and list operations, no parent ids to fill. */
export function isolationResource(resources: Resource[]): Resource | undefined {
  return resources.find((r) => r.create && r.list && !(r.parentParams && r.parentParams.length > 0));
}

/**
 * The command arbitraries available for a resource (read / update / delete only where the operation exists).
 * Creates come twice as often: every other command needs an object to act on.
 */
export function commandArbs(resource: Resource): Array<fc.Arbitrary<fc.AsyncCommand<IsolationModel, IsolationReal>>> {
  const actor = fc.constantFrom<Label>("A", "B");
  const index = fc.nat(7);
  const create = fc.tuple(actor, fc.nat(10_000)).map(([a, seed]) => new CreateCommand(a, seed));
  const arbs: Array<fc.Arbitrary<fc.AsyncCommand<IsolationModel, IsolationReal>>> = [create, create];
  if (resource.read) arbs.push(fc.tuple(actor, index).map(([a, i]) => new ReadCommand(a, i)));
  for (const op of resource.update ?? [])
    arbs.push(fc.tuple(actor, index, fc.nat(10_000)).map(([a, i, seed]) => new UpdateCommand(a, i, op, seed)));
  if (resource.remove) arbs.push(fc.tuple(actor, index).map(([a, i]) => new DeleteCommand(a, i)));
  return arbs;
}

/** A command on an existing object: the `index`-th (modulo) of all live objects, the actor's own or the other user's. */
abstract class ObjectCommand implements fc.AsyncCommand<IsolationModel, IsolationReal> {
  /** Set when run: whose object it was (for the description of a counterexample). */
  private resolved?: string;

  constructor(
    readonly actor: Label,
    readonly index: number,
  ) {}

  check(model: Readonly<IsolationModel>): boolean {
    return model.objects.length > 0;
  }

  protected target(model: IsolationModel): ModelObject {
    const object = model.objects[this.index % model.objects.length]!;
    this.resolved = `${object.owner}'s #${model.objects.filter((o) => o.owner === object.owner).indexOf(object)}`;
    return object;
  }

  protected label(verb: string, extra = ""): string {
    return `${verb}(${this.actor} → ${this.resolved ?? `object #${this.index}`}${extra})`;
  }

  abstract run(model: IsolationModel, real: IsolationReal): Promise<void>;
  abstract toString(): string;
}

class CreateCommand implements fc.AsyncCommand<IsolationModel, IsolationReal> {
  constructor(
    readonly actor: Label,
    readonly seed: number,
  ) {}

  check(): boolean {
    return true;
  }

  async run(model: IsolationModel, real: IsolationReal): Promise<void> {
    const { resource } = real;
    const body = (resource.createBody ?? synthesizeBody(resource.create!.requestBody?.schema ?? { type: "object" }, { seed: this.seed, omit: OWNER_FIELDS })) as unknown;
    const exchange = await send(real, this.actor, { method: "POST", url: collectionUrl(real, this.actor), json: body });
    const status = exchange.response?.status ?? 0;
    const json = exchange.response?.json as Record<string, unknown> | undefined;
    const id = idOf(json, resource.idField);
    if (status < 200 || status >= 300 || id === undefined)
      inconclusive(exchange, `${this} answered ${status || describe(exchange)} without an id`);
    real.created.set(String(id), this.actor);
    model.objects.push({ owner: this.actor, id: String(id), fields: written(body, json) });
    await verifyViews(model, real, this.toString());
  }

  toString(): string {
    return `create(${this.actor})`;
  }
}

class ReadCommand extends ObjectCommand {
  async run(model: IsolationModel, real: IsolationReal): Promise<void> {
    const object = this.target(model);
    const exchange = await send(real, this.actor, { method: "GET", url: itemUrl(real, this.actor, object.id) });
    const status = exchange.response?.status ?? 0;
    if (object.owner !== this.actor) {
      if (!REFUSED.has(status)) violate(real, exchange, `${this}: ${this.actor} read ${object.owner}'s object ${object.id} and got ${status || describe(exchange)}, not 403/404`);
    } else {
      const json = exchange.response?.json as Record<string, unknown> | undefined;
      if (status < 200 || status >= 300 || idOf(json, real.resource.idField) !== object.id)
        inconclusive(exchange, `${this}: ${this.actor} could not read its own object ${object.id} (${status || describe(exchange)})`);
    }
    await verifyViews(model, real, this.toString());
  }

  toString(): string {
    return this.label("read");
  }
}

class UpdateCommand extends ObjectCommand {
  constructor(
    actor: Label,
    index: number,
    readonly op: Operation,
    readonly seed: number,
  ) {
    super(actor, index);
  }

  async run(model: IsolationModel, real: IsolationReal): Promise<void> {
    const object = this.target(model);
    const method = this.op.method === "PUT" ? "PUT" : "PATCH";
    const body = synthesizeUpdate(this.op.requestBody?.schema ?? { type: "object" }, { method, seed: this.seed, base: object.fields, omit: OWNER_FIELDS });
    const exchange = await send(real, this.actor, { method, url: itemUrl(real, this.actor, object.id), json: body });
    const status = exchange.response?.status ?? 0;
    if (object.owner !== this.actor) {
      if (!REFUSED.has(status)) violate(real, exchange, `${this}: ${this.actor}'s ${method} of ${object.owner}'s object ${object.id} got ${status || describe(exchange)}, not 403/404`);
    } else {
      if (status < 200 || status >= 300) inconclusive(exchange, `${this}: ${this.actor}'s ${method} of its own object ${object.id} got ${status || describe(exchange)}`);
      object.fields = { ...object.fields, ...written(body, exchange.response?.json) };
    }
    await verifyViews(model, real, this.toString());
  }

  toString(): string {
    return this.label("update", `, ${this.op.method}`);
  }
}

class DeleteCommand extends ObjectCommand {
  async run(model: IsolationModel, real: IsolationReal): Promise<void> {
    const object = this.target(model);
    const exchange = await send(real, this.actor, { method: "DELETE", url: itemUrl(real, this.actor, object.id) });
    const status = exchange.response?.status ?? 0;
    if (object.owner !== this.actor) {
      if (!REFUSED.has(status)) violate(real, exchange, `${this}: ${this.actor}'s DELETE of ${object.owner}'s object ${object.id} got ${status || describe(exchange)}, not 403/404`);
    } else {
      if (status < 200 || status >= 300) inconclusive(exchange, `${this}: ${this.actor}'s DELETE of its own object ${object.id} got ${status || describe(exchange)}`);
      model.objects.splice(model.objects.indexOf(object), 1);
    }
    await verifyViews(model, real, this.toString());
  }

  toString(): string {
    return this.label("delete");
  }
}

/**
 * Lists the collection as A and as B and compares, over the objects this run created, each user's view with
 * the model: exactly their own objects, with the values they wrote.
 */
export async function verifyViews(model: IsolationModel, real: IsolationReal, after: string): Promise<void> {
  for (const label of ["A", "B"] as const) {
    const exchange = await send(real, label, { method: "GET", url: collectionUrl(real, label) });
    const status = exchange.response?.status ?? 0;
    const items = listItems(exchange.response?.json);
    if (status < 200 || status >= 300 || !items) inconclusive(exchange, `after ${after}: ${label}'s list answered ${status || describe(exchange)} without a list`);
    const seen = new Map<string, Record<string, unknown>>();
    for (const item of items) {
      const id = idOf(item, real.resource.idField);
      if (id !== undefined && real.created.has(id)) seen.set(id, item);
    }
    for (const [id] of seen) {
      const object = model.objects.find((o) => o.id === id);
      if (!object) {
        // Its owner's DELETE was answered 2xx and did not hold (a lost write): a consistency fault of the target, not
        // a view of another user's data, so this run cannot judge isolation.
        if (real.created.get(id) === label) inconclusive(exchange, `after ${after}: ${label}'s list still shows its own object ${id}, which its DELETE answered as deleted`);
        violate(real, exchange, `after ${after}: ${label}'s list shows ${id}, which the model says was deleted`);
      }
      if (object.owner !== label) violate(real, exchange, `after ${after}: ${label}'s list shows ${object.owner}'s object ${id}`);
    }
    for (const object of model.objects.filter((o) => o.owner === label)) {
      const item = seen.get(object.id);
      if (!item) violate(real, exchange, `after ${after}: ${label}'s list lacks its own object ${object.id}`);
      for (const [field, value] of Object.entries(object.fields)) {
        if (field in item && JSON.stringify(item[field]) !== JSON.stringify(value))
          violate(real, exchange, `after ${after}: ${label}'s object ${object.id} has ${field}=${JSON.stringify(item[field])}, the owner wrote ${JSON.stringify(value)}`);
      }
    }
  }
}

/** Deletes, as their creator, every object this run created (best effort; failures are left to the engine's cleanup). */
export async function cleanupRun(real: IsolationReal): Promise<void> {
  if (!real.resource.remove) return;
  for (const [id, creator] of real.created) {
    if (!real.budget.take()) return;
    await real.ctx.driver.send({ method: "DELETE", url: itemUrl(real, creator, id), headers: bearer(userOf(real, creator).token), aim: "an object the audit created" });
  }
}

async function send(real: IsolationReal, label: Label, request: HttpRequest): Promise<Exchange> {
  real.budget.take();
  // Every command of the model addresses objects this run created (or ids of them, as the other user).
  return real.ctx.driver.send({ ...request, headers: { ...request.headers, ...bearer(userOf(real, label).token) }, aim: request.aim ?? "objects of the audit (property.isolation-model)" });
}

function userOf(real: IsolationReal, label: Label): AuditUser {
  return label === "A" ? real.ctx.userA : real.ctx.userB;
}

function userParams(real: IsolationReal, label: Label): Record<string, string> {
  const param = real.resource.userIdParam;
  return param ? { [param]: userOf(real, label).userId } : {};
}

function collectionUrl(real: IsolationReal, label: Label): string {
  return apiUrl(real.ctx.model.config, fillPath(real.resource.collection, userParams(real, label)));
}

function itemUrl(real: IsolationReal, label: Label, id: string): string {
  return apiUrl(real.ctx.model.config, fillPath(real.resource.item, { ...userParams(real, label), [real.resource.idParam]: id }));
}

/** The array of items in a list answer: the body itself, or its first array-valued member (`items`, `data`, …). */
export function listItems(json: unknown): Array<Record<string, unknown>> | undefined {
  if (Array.isArray(json)) return json as Array<Record<string, unknown>>;
  if (json && typeof json === "object") {
    const first = Object.values(json).find(Array.isArray);
    if (first) return first as Array<Record<string, unknown>>;
  }
  return undefined;
}

/** The fields a body wrote, with the values the target answered for them (its normalised form). */
function written(body: unknown, answer: unknown): Record<string, unknown> {
  if (!body || typeof body !== "object" || Array.isArray(body)) return {};
  const response = answer && typeof answer === "object" && !Array.isArray(answer) ? (answer as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body as Record<string, unknown>)) out[field] = field in response ? response[field] : value;
  return out;
}

function inconclusive(exchange: Exchange, detail: string): never {
  throw Object.assign(new ModelInconclusive(detail), { exchange });
}

function violate(real: IsolationReal, exchange: Exchange, detail: string): never {
  real.lastFailure = { detail, exchange };
  throw new ModelViolation(detail);
}

function describe(exchange: Exchange): string {
  return exchange.error ? `${exchange.error.kind}: ${exchange.error.message}` : "no response";
}
