import type { AuthproofConfig } from "../config/schema.ts";
import type { HttpDriver } from "../http/driver.ts";
import type { Exchange, HttpRequest } from "../http/types.ts";
import { apiUrl, bearer } from "../model/endpoint.ts";
import type { AnonymousProbe, AuditUser, CreatedObject, Probe, WriteAim } from "../model/target.ts";
import { OWNER_FIELDS, synthesizeBody, unlikelyId } from "./bodies.ts";
import type { Operation } from "./openapi.ts";
import { fillPath, looksLikeUserIdParam, type Resource } from "./resources.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Path segments that mark an admin or bulk operation: never sent by default, whatever its parameters. */
const ADMIN_OR_BULK = /^(?:admin|administration|internal|bulk|batch|all|clear|clear-all|delete-all|reset|purge|wipe|truncate|flush|drop|seed|import|migrate)$/i;
/** A token no verifier accepts: the third control, which tells "the token check is reached" from "any answer". */
export const INVALID_TOKEN = "authproof-invalid-token";

/** Whether the operation only reads (GET, HEAD, OPTIONS): its probe addresses user A's own object; a write's needs none. */
export function readsOnly(op: Operation): boolean {
  return SAFE_METHODS.has(op.method);
}

/** What the audit may send to one operation, decided before anything is sent. */
export type ProbePlan =
  | { op: Operation; kind: "read"; request: HttpRequest }
  | { op: Operation; kind: "write"; aim: WriteAim; requests: HttpRequest[] }
  | { op: Operation; kind: "unsafe"; reason: string }
  | { op: Operation; kind: "unfillable"; reason: string };

interface PlanContext {
  config: AuthproofConfig;
  resources: Resource[];
  objects: CreatedObject[];
  owner: AuditUser;
  seed: number;
}

/**
 * How to probe an operation without changing anything the audit did not create. Reads address user A's own
 * object. A state-changing operation is sent only when it can be aimed at an id that does not exist, at a new
 * object of the audit's own (a known resource's create), or when its body cannot be applied; an admin or bulk
 * route, or one with nothing to aim at (a DELETE or POST without an id of ours), is not sent unless
 * `run.allowDestructive` opts in.
 */
export function planProbe(op: Operation, ctx: PlanContext): ProbePlan {
  const { config, resources, objects, owner } = ctx;
  const read = readsOnly(op);
  const allowDestructive = config.run.allowDestructive;
  if (!read && !allowDestructive && segmentsOf(op.path).some((s) => ADMIN_OR_BULK.test(s)))
    return { op, kind: "unsafe", reason: "would change data the audit did not create (an admin or bulk route)" };

  const values: Record<string, string> = {};
  let aimsAtId = false;
  for (const param of op.pathParams) {
    if (isUserParam(param.name, resources)) {
      values[param.name] = owner.userId;
      continue;
    }
    const resource = resources.find((r) => r.idParam === param.name && op.path.startsWith(r.item));
    if (!read) {
      values[param.name] = unlikelyId(param.schema, 0);
      aimsAtId = true;
      continue;
    }
    const object = resource && objects.find((o) => o.resource === resource.collection && o.owner === owner.label);
    if (!object) return { op, kind: "unfillable", reason: "no way to fill its path parameters" };
    values[param.name] = object.id;
  }
  const url = apiUrl(config, fillPath(op.path, values));
  const operation = op.path;
  if (read) return { op, kind: "read", request: { method: op.method, url, headers: {}, operation } };

  const creates = resources.some((r) => r.create === op);
  const validBody = op.requestBody ? synthesizeBody(op.requestBody.schema, { seed: ctx.seed, omit: OWNER_FIELDS }) : undefined;
  const unappliable: HttpRequest | undefined = op.requestBody
    ? { method: op.method, url, headers: { "content-type": "application/json" }, body: unappliableBody(op.requestBody.schema), operation }
    : undefined;
  const valid: HttpRequest = { method: op.method, url, headers: {}, operation, ...(validBody !== undefined ? { json: validBody } : {}) };
  if (allowDestructive) return { op, kind: "write", aim: "opted in (--allow-destructive)", requests: [unappliable ?? valid, ...(unappliable ? [valid] : [])] };
  if (aimsAtId) return { op, kind: "write", aim: "an id that does not exist", requests: [...(unappliable ? [unappliable] : []), valid] };
  if (creates) return { op, kind: "write", aim: "a new object of the audit", requests: [...(unappliable ? [{ ...unappliable, aim: "a body that cannot be applied" }] : []), valid] };
  if (unappliable) return { op, kind: "write", aim: "a body that cannot be applied", requests: [unappliable] };
  return { op, kind: "unsafe", reason: "would change data the audit did not create (no id of ours to aim it at)" };
}

/** A request already on its way (the no-token request of an operation), which a control may stand for. */
export interface SentRequest {
  request: HttpRequest;
  exchange: Promise<Exchange>;
}

/**
 * Sends a plan's controls (user A's valid token, no token, an invalid token) and keeps the first request whose
 * answers tell a valid token from an invalid one: a body the target rejects before reading the token (422 for
 * every token) gives way to a schema-valid body where the plan allows one. A no-token control that is the same
 * request as `anonymous` is that request's answer, not a second send.
 */
export async function buildProbe(driver: HttpDriver, plan: ProbePlan, users: AuditUser[], anonymous?: SentRequest): Promise<Probe | undefined> {
  if (plan.kind === "unsafe" || plan.kind === "unfillable") return undefined;
  const candidates = plan.kind === "read" ? [plan.request] : plan.requests;
  const aim = plan.kind === "write" ? plan.aim : undefined;
  let probe: Probe | undefined;
  for (const candidate of candidates) {
    // A body that cannot be applied touches nothing wherever it is sent; a valid one is aimed as planned.
    const request: HttpRequest = { ...candidate, ...(aim && !candidate.aim ? { aim } : {}) };
    const [positive, negative, invalid] = await Promise.all([
      driver.send(withToken(request, users[0]!.token)),
      anonymous && sameRequest(anonymous.request, request) ? anonymous.exchange : driver.send(request),
      driver.send(withToken(request, INVALID_TOKEN)),
    ]);
    probe = { op: plan.op, request, kind: plan.kind, ...(request.aim ? { aim: request.aim as WriteAim } : {}), controls: { positive, negative, invalid } };
    if (positive.response?.status !== invalid.response?.status) return probe;
  }
  return probe;
}

/**
 * The request every non-public operation gets without any token (transport.unprotected-route), or why it is not
 * sent. A schema-valid body where one may be sent, so that a 422 for the body cannot hide a missing token check.
 */
export function anonymousRequest(plan: ProbePlan, config: AuthproofConfig): { request: HttpRequest; skipped?: string } {
  const { op } = plan;
  if (plan.kind === "unsafe") return { request: { method: op.method, url: apiUrl(config, op.path), operation: op.path }, skipped: plan.reason };
  if (plan.kind === "write") return { request: { ...plan.requests.at(-1)!, aim: plan.aim } };
  if (plan.kind === "read") return { request: plan.request };
  return { request: { method: op.method, url: apiUrl(config, op.path), operation: op.path } };
}

/**
 * Probes one operation: its controls (buildProbe) and its no-token request, which goes out with the first
 * controls (it changes nothing they read) and stands for the no-token control of the same request.
 */
export async function probeOperation(driver: HttpDriver, plan: ProbePlan, users: AuditUser[], config: AuthproofConfig): Promise<{ probe: Probe | undefined; sent: AnonymousProbe }> {
  const { op } = plan;
  const { request, skipped } = anonymousRequest(plan, config);
  if (skipped) return { probe: await buildProbe(driver, plan, users), sent: { op, request, skipped } };
  const anonymous: SentRequest = { request, exchange: driver.send(request) };
  const probe = await buildProbe(driver, plan, users, anonymous);
  const exchange = await anonymous.exchange;
  if (probe && sameRequest(probe.request, request)) return { probe, sent: { op, request, exchange, withToken: probe.controls.positive } };
  return { probe, sent: { op, request, exchange } };
}

function sameRequest(a: HttpRequest, b: HttpRequest): boolean {
  return a.url === b.url && a.body === b.body && a.json === b.json;
}

function withToken(request: HttpRequest, token: string): HttpRequest {
  return { ...request, headers: { ...request.headers, ...bearer(token) } };
}

/** A JSON body of the wrong type for `schema`, so that nothing in it can be applied. */
function unappliableBody(schema: unknown): string {
  const type = (schema as { type?: unknown } | undefined)?.type;
  return type === "array" ? "{}" : "[]";
}

function isUserParam(name: string, resources: Resource[]): boolean {
  return resources.some((r) => r.userIdParam === name) || looksLikeUserIdParam(name);
}

function segmentsOf(path: string): string[] {
  return path.split("/").filter((s) => s !== "" && !s.startsWith("{"));
}
