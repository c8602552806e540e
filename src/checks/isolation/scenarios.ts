import type { Exchange, HttpRequest } from "../../http/types.ts";
import {
  allowedForeignStatuses,
  judgeEnumeration,
  judgeForeignList,
  judgeForeignRead,
  judgeForeignWrite,
  judgeMassAssignment,
  listedIds,
  statusOf,
} from "./judge.ts";
import type { ForeignData } from "../../judge/leaks.ts";
import type { CheckOutcome, LabelledExchange as Labelled, MatrixCell } from "../../judge/types.ts";
import { synthesizeBody, synthesizeUpdate, unlikelyId } from "../../target/bodies.ts";
import type { Operation } from "../../target/openapi.ts";
import { fillPath, idOf, looksLikeUserIdParam, type Resource } from "../../target/resources.ts";
import type { AuditContext } from "../../model/context.ts";
import type { AuditUser, CreatedObject } from "../../model/target.ts";
import { apiUrl, bearer } from "../../model/endpoint.ts";
import { OWNER_FIELDS } from "../../target/bodies.ts";



/** The isolation scenarios of one resource, between user A (owner) and user B (intruder). */
export class IsolationScenarios {
  readonly cells: MatrixCell[] = [];
  private readonly objectA: CreatedObject;
  private readonly allowed: number[];

  constructor(
    private readonly ctx: AuditContext,
    readonly resource: Resource,
  ) {
    const object = ctx.model.objects.find((o) => o.resource === resource.collection && o.owner === "A");
    if (!object) throw new Error(`no object of A in ${resource.collection}`);
    this.objectA = object;
    this.allowed = allowedForeignStatuses(ctx.model.config.policy.foreignStatus);
  }

  /** Whether the model holds an object of A in this resource (created during preparation). */
  static applicable(ctx: AuditContext, resource: Resource): boolean {
    return ctx.model.objects.some((o) => o.resource === resource.collection && o.owner === "A");
  }

  private get a(): AuditUser {
    return this.ctx.userA;
  }

  private get b(): AuditUser {
    return this.ctx.userB;
  }

  /** A's data, which must never appear in B's answers: A's user id and A's objects' ids. */
  private dataOfA(): ForeignData {
    return { userIds: [this.a.userId], objectIds: this.ctx.model.objects.filter((o) => o.owner === "A").map((o) => o.id) };
  }

  private itemUrl(pathUser: AuditUser, id: string, template = this.resource.item): string {
    const { resource } = this;
    const values: Record<string, string> = { [resource.idParam]: id };
    if (resource.userIdParam) values[resource.userIdParam] = pathUser.userId;
    return apiUrl(this.ctx.model.config, fillPath(template, values));
  }

  private collectionUrl(pathUser: AuditUser): string {
    const { resource } = this;
    return apiUrl(this.ctx.model.config, fillPath(resource.collection, resource.userIdParam ? { [resource.userIdParam]: pathUser.userId } : {}));
  }

  private async send(user: AuditUser, label: string, request: HttpRequest): Promise<Labelled> {
    const exchange = await this.ctx.driver.send({ ...request, headers: { ...request.headers, ...bearer(user.token) } });
    return { label: `${user.label}: ${label}`, exchange };
  }

  private cell(user: AuditUser, op: Operation | undefined, method: string, expected: string, exchange: Exchange, bypassed: boolean): void {
    const status = statusOf(exchange) ?? null;
    this.cells.push({
      user: user.label,
      method,
      route: op?.path ?? this.resource.item,
      objectOwner: "A",
      expected,
      status,
      verdict: status === null ? "error" : bypassed ? "bypassed" : "enforced",
    });
  }

  private endpoint(op: Operation | undefined, method: string, url: string) {
    return { method, path: op?.path ?? this.resource.item, url };
  }

  /** isolation.read-foreign for the item's read, or for a read under it (`GET …/{id}/comments`). */
  async readForeign(op: Operation | undefined = this.resource.read): Promise<CheckOutcome> {
    const template = op?.path ?? this.resource.item;
    const url = this.itemUrl(this.b, this.objectA.id, template);
    const own = await this.send(this.a, `GET own object ${this.objectA.id}`, { method: "GET", url: this.itemUrl(this.a, this.objectA.id, template) });
    const attempt = await this.send(this.b, `GET A's object ${this.objectA.id}`, { method: "GET", url });
    this.cell(this.a, op, "GET", "2xx", own.exchange, false);
    const outcome = judgeForeignRead("isolation.read-foreign", this.endpoint(op, "GET", url), attempt, own, this.dataOfA(), this.allowed);
    this.cell(this.b, op, "GET", this.allowed.join("|"), attempt.exchange, outcome.status === "fail");
    return outcome;
  }

  async listForeign(): Promise<CheckOutcome> {
    const url = this.collectionUrl(this.b);
    const listing = await this.send(this.b, "GET the collection", { method: "GET", url });
    const outcome = judgeForeignList(this.endpoint(this.resource.list, "GET", url), listing, this.dataOfA());
    this.cell(this.b, this.resource.list, "GET", "2xx without A's objects", listing.exchange, outcome.status === "fail");
    return outcome;
  }

  async enumeration(): Promise<CheckOutcome> {
    const missingId = unlikelyId(this.resource.read?.pathParams.find((p) => p.name === this.resource.idParam)?.schema, this.ctx.model.seed);
    const foreign = await this.send(this.b, `GET A's object ${this.objectA.id}`, { method: "GET", url: this.itemUrl(this.b, this.objectA.id) });
    const missing = await this.send(this.b, `GET nonexistent object ${missingId}`, { method: "GET", url: this.itemUrl(this.b, missingId) });
    return judgeEnumeration(this.endpoint(this.resource.read, "GET", foreign.exchange.request.url), foreign, missing, this.objectA.id, missingId);
  }

  /** isolation.write-foreign for one update operation (PUT/PATCH) or the delete operation. */
  /** isolation.write-foreign for one write on the item: PUT/PATCH, a sub-route (`…/{id}/complete`), DELETE. */
  async writeForeign(op: Operation): Promise<CheckOutcome> {
    const deleting = op.method === "DELETE";
    const before = await this.send(this.a, "GET own object (before)", { method: "GET", url: this.itemUrl(this.a, this.objectA.id) });
    const url = this.itemUrl(this.b, this.objectA.id, op.path);
    const body = deleting || !op.requestBody
      ? undefined
      : op.method === "PUT" || op.method === "PATCH"
        ? synthesizeUpdate(op.requestBody.schema, { method: op.method, base: before.exchange.response?.json, seed: this.ctx.model.seed, omit: OWNER_FIELDS })
        : synthesizeBody(op.requestBody.schema, { seed: this.ctx.model.seed, omit: OWNER_FIELDS });
    const attempt = await this.send(this.b, `${op.method} A's object ${this.objectA.id}`, {
      method: op.method,
      url,
      aim: "an object of the audit (user A's, written as user B: refusal expected)",
      ...(body !== undefined ? { json: body } : {}),
    });
    const after = await this.send(this.a, "GET own object (after)", { method: "GET", url: this.itemUrl(this.a, this.objectA.id) });
    const outcome = judgeForeignWrite(this.endpoint(op, op.method, url), attempt, before, after, deleting);
    this.cell(this.b, op, op.method, this.allowed.join("|"), attempt.exchange, outcome.status === "fail");
    return outcome;
  }

  private ownerFieldsNaming(user: AuditUser): Record<string, string> {
    return Object.fromEntries(OWNER_FIELDS.filter((f) => f !== "owner" && f !== "user").map((field) => [field, user.userId]));
  }

  /** Ownership evidence for object `id` after a mass-assignment attempt. */
  private async ownership(id: string, object: unknown) {
    const ownerField = OWNER_FIELDS.find((f) => object && typeof object === "object" && typeof (object as Record<string, unknown>)[f] === "string");
    const objectOwner = ownerField ? String((object as Record<string, unknown>)[ownerField]) : undefined;
    const lists: Labelled[] = [];
    let inListOfA: boolean | undefined;
    let inListOfB: boolean | undefined;
    if (this.resource.list) {
      const listA = await this.send(this.a, "GET own list", { method: "GET", url: this.collectionUrl(this.a) });
      const listB = await this.send(this.b, "GET own list", { method: "GET", url: this.collectionUrl(this.b) });
      lists.push(listA, listB);
      inListOfA = listedIds(listA.exchange, this.resource.idField)?.includes(id);
      inListOfB = listedIds(listB.exchange, this.resource.idField)?.includes(id);
    }
    return { ...(objectOwner !== undefined ? { objectOwner } : {}), inListOfA, inListOfB, victimId: this.a.userId, lists };
  }

  /** isolation.mass-assignment on create: B creates an object with every owner field naming A. */
  async massAssignmentOnCreate(): Promise<CheckOutcome> {
    const create = this.resource.create!;
    const body = {
      ...((synthesizeBody(create.requestBody?.schema ?? { type: "object" }, { seed: this.ctx.model.seed + 17, omit: OWNER_FIELDS }) ?? {}) as object),
      ...this.ownerFieldsNaming(this.a),
    };
    const url = this.collectionUrl(this.b);
    const attempt = await this.send(this.b, "POST with owner fields naming A", { method: "POST", url, json: body, aim: "a new object of the audit" });
    const id = createdId(attempt.exchange, this.resource.idField);
    const endpoint = this.endpoint(create, "POST", url);
    if (id === undefined) return judgeMassAssignment(endpoint, attempt, { victimId: this.a.userId, lists: [] });
    const outcome = judgeMassAssignment(endpoint, attempt, await this.ownership(id, attempt.exchange.response?.json));
    await this.removeQuietly(id);
    return outcome;
  }

  /** isolation.mass-assignment on update: B updates its own object with every owner field naming A. */
  async massAssignmentOnUpdate(op: Operation): Promise<CheckOutcome> {
    const endpoint = this.endpoint(op, op.method, this.resource.item);
    const create = this.resource.create;
    if (!create) return { checkId: "isolation.mass-assignment", endpoint, status: "skip", reason: "no create operation for a throw-away object of B" };
    const body = synthesizeBody(create.requestBody?.schema ?? { type: "object" }, { seed: this.ctx.model.seed + 29, omit: OWNER_FIELDS });
    const created = await this.send(this.b, "POST a throw-away object", { method: "POST", url: this.collectionUrl(this.b), json: body, aim: "a new object of the audit" });
    const id = createdId(created.exchange, this.resource.idField);
    if (id === undefined) return { checkId: "isolation.mass-assignment", endpoint, status: "error", reason: `B could not create a throw-away object (${statusOf(created.exchange)})` };
    const update = synthesizeUpdate(op.requestBody?.schema ?? { type: "object" }, {
      method: op.method === "PUT" ? "PUT" : "PATCH",
      base: created.exchange.response?.json,
      seed: this.ctx.model.seed + 23,
      omit: OWNER_FIELDS,
    });
    const url = this.itemUrl(this.b, id);
    const attempt = await this.send(this.b, `${op.method} own object with owner fields naming A`, {
      aim: "an object of the audit (user B's own)",
      method: op.method,
      url,
      json: { ...((update ?? {}) as object), ...this.ownerFieldsNaming(this.a) },
    });
    const outcome = judgeMassAssignment({ ...endpoint, url }, attempt, await this.ownership(id, attempt.exchange.response?.json));
    await this.removeQuietly(id);
    return outcome;
  }

  private async removeQuietly(id: string): Promise<void> {
    if (!this.resource.remove) return;
    for (const user of [this.b, this.a]) {
      const { exchange } = await this.send(user, "cleanup", { method: "DELETE", url: this.itemUrl(user, id), aim: "an object the audit created" });
      if ((statusOf(exchange) ?? 500) < 300) return;
    }
  }
}

/**
 * isolation.path-user on one GET operation with a user-id path parameter: B's token with A's id in the
 * path must be refused with no data, while B's own id works.
 */
export async function pathUserCheck(ctx: AuditContext, op: Operation, resources: Resource[]): Promise<CheckOutcome> {
  const { userA: a, userB: b, model } = ctx;
  const objectA = model.objects.find((o) => o.owner === "A");
  const fill = (pathUser: AuditUser): string | undefined => {
    const values: Record<string, string> = {};
    for (const param of op.pathParams) {
      if (looksLikeUserIdParam(param.name) || resources.some((r) => r.userIdParam === param.name)) values[param.name] = pathUser.userId;
      else if (objectA && resources.some((r) => r.idParam === param.name)) values[param.name] = objectA.id;
      else return undefined;
    }
    return apiUrl(model.config, fillPath(op.path, values));
  };
  const foreignUrl = fill(a);
  const ownUrl = fill(b);
  const endpoint = { method: op.method, path: op.path, ...(foreignUrl ? { url: foreignUrl } : {}) };
  if (!foreignUrl || !ownUrl) return { checkId: "isolation.path-user", endpoint, status: "skip", reason: "cannot fill the other path parameters" };
  const attempt = { label: "B: GET with A's user id in the path", exchange: await ctx.driver.send({ method: "GET", url: foreignUrl, headers: bearer(b.token) }) };
  const control = { label: "A: GET with A's own user id in the path", exchange: await ctx.driver.send({ method: "GET", url: foreignUrl, headers: bearer(a.token) }) };
  const dataOfA = { userIds: [a.userId], objectIds: model.objects.filter((o) => o.owner === "A").map((o) => o.id) };
  return judgeForeignRead("isolation.path-user", endpoint, attempt, control, dataOfA, [403, 404]);
}

/** GET operations whose path names a user (candidates for isolation.path-user). */
export function userPathOperations(ops: Operation[], resources: Resource[]): Operation[] {
  return ops.filter(
    (op) =>
      op.method === "GET" &&
      !op.isPublic &&
      op.pathParams.some((p) => looksLikeUserIdParam(p.name) || resources.some((r) => r.userIdParam === p.name)),
  );
}

function createdId(exchange: Exchange, idField: string): string | undefined {
  const status = statusOf(exchange) ?? 0;
  if (status < 200 || status >= 300) return undefined;
  return idOf(exchange.response?.json, idField);
}
