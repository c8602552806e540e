import { decodeJwt, decodeProtectedHeader } from "jose";
import type { AuthproofConfig } from "../config/schema.ts";
import type { HttpDriver } from "../http/driver.ts";
import type { Exchange, HttpRequest } from "../http/types.ts";
import { OWNER_FIELDS, synthesizeBody, unlikelyId } from "./bodies.ts";
import { DOCUMENT_MAX_BYTES, fetchBackendToken, fetchJwks, makeTestUser, signIn, signUp, type Identity } from "./identities.ts";
import { discoverOperations, type Operation } from "./openapi.ts";
import { fillPath, inferResources, looksLikeUserIdParam, type Resource } from "./resources.ts";
import { HarnessError } from "../errors.ts";
import { apiUrl, bearer } from "../model/endpoint.ts";
import type { AuditUser, CreatedObject, OracleKind, Probe, TargetModel } from "../model/target.ts";

const SAFE_METHODS = new Set(["GET", "HEAD"]);

/**
 * What preparation has created on the target so far (filled in as it goes), so that a run that fails or is
 * interrupted half-way can still remove it.
 */
export interface PrepareLedger {
  users: AuditUser[];
  objects: CreatedObject[];
  resources: Resource[];
}

/**
 * Builds the target model: reachability, operations from the OpenAPI document, two test users with real
 * backend JWTs, the public keys, one object per user and resource, and the controls of every protected operation.
 */
export async function prepareTarget(
  config: AuthproofConfig,
  driver: HttpDriver,
  log: (line: string) => void,
  ledger: PrepareLedger = { users: [], objects: [], resources: [] },
): Promise<TargetModel> {
  const seed = config.run.seed ?? Math.floor(Math.random() * 2 ** 31);
  const apiOrigin = new URL(config.api.baseUrl).origin;
  const authOrigin = new URL(config.auth.baseUrl).origin;
  const warnings: string[] = [];

  const doc = await fetchOpenApi(driver, config);
  const operations = discoverOperations(doc, {
    publicRoutes: config.api.publicRoutes,
    include: config.api.include,
    exclude: config.api.exclude,
  });
  log(`discovered ${operations.length} operations (${operations.filter((op) => !op.isPublic).length} not public)`);

  const users = await prepareUsers(config, driver, seed, log, ledger);
  const [a] = users;
  const jwksUrl = new URL(config.keys.jwksPath, config.auth.baseUrl).href;
  let publicJwks: JsonWebKey[] = [];
  let jwksDocument: unknown;
  if (config.mode === "jwks") {
    jwksDocument = await getJson(driver, jwksUrl, "the JWKS", DOCUMENT_MAX_BYTES);
    publicJwks = await fetchJwks(driver, jwksUrl);
  }
  const expected = {
    issuer: config.claims.issuer ?? stringClaim(a!.claims.iss),
    audience: config.claims.audience ?? audienceOf(a!.claims.aud),
    identityClaim: config.claims.identityClaim,
    leewaySec: config.claims.leewaySec,
  };
  for (const user of users) {
    if (user.claims[expected.identityClaim] !== user.userId)
      warnings.push(`user ${user.label}'s token carries ${expected.identityClaim}=${String(user.claims[expected.identityClaim])}, not the Better Auth user id ${user.userId}`);
  }

  const resources = inferResources(operations, config.resources);
  ledger.resources.push(...resources);
  const objects = await createObjects(driver, config, resources, users, seed, warnings, ledger);
  log(`created ${objects.length} objects in ${resources.length} resources`);

  const protectedOps = operations.filter((op) => !op.isPublic);
  const probes: Probe[] = [];
  for (const op of protectedOps) {
    const probe = await buildProbe(driver, config, op, resources, objects, users);
    const anonymousStatus = probe?.controls.negative.response?.status ?? 0;
    if (probe && anonymousStatus >= 200 && anonymousStatus < 300)
      warnings.push(`${op.method} ${op.path}: answers ${anonymousStatus} without a token; token attacks on it prove nothing`);
    else if (probe) probes.push(probe);
    else warnings.push(`${op.method} ${op.path}: no way to fill its path parameters; only the no-token check runs on it`);
  }
  const anonymous = await Promise.all(
    operations
      .filter((op) => !op.isPublic)
      .map(async (op) => {
        const probe = probes.find((candidate) => candidate.op === op);
        const request = probe?.request ??
          probeRequest(config, op, resources, objects, users, "write") ?? { method: op.method, url: apiUrl(config, op.path), operation: op.path };
        return { op, request, exchange: probe?.controls.negative ?? (await driver.send(request)) };
      }),
  );

  return {
    config,
    seed,
    startedAt: new Date().toISOString(),
    apiOrigin,
    authOrigin,
    oracle: oracleKind(config),
    publicJwks,
    jwksDocument,
    expected,
    users,
    operations,
    resources,
    objects,
    probes,
    anonymous,
    warnings,
  };
}

function oracleKind(config: AuthproofConfig): OracleKind {
  if (config.keys.privateJwk) return "private-key";
  if (config.mode === "shared-secret" && config.keys.secret) return "secret";
  return "none";
}

/** GET the API's OpenAPI document (read whole, however large: the response cap is for attack answers). */
export function fetchOpenApi(driver: HttpDriver, config: AuthproofConfig): Promise<unknown> {
  const openapiUrl = new URL(config.api.openapiPath, config.api.baseUrl).href;
  return getJson(driver, openapiUrl, "the API's OpenAPI document", DOCUMENT_MAX_BYTES);
}

async function prepareUsers(
  config: AuthproofConfig,
  driver: HttpDriver,
  seed: number,
  log: (line: string) => void,
  ledger: PrepareLedger,
): Promise<AuditUser[]> {
  const auth = { baseUrl: config.auth.baseUrl, basePath: config.auth.basePath };
  const tokenSource = { ...auth, tokenPath: config.auth.tokenPath, tokenField: config.auth.tokenField };
  const labels = ["A", "B"] as const;
  const users: AuditUser[] = [];
  for (const [index, label] of labels.entries()) {
    const account = config.users.accounts?.[index];
    let identity: Identity;
    if (account) {
      identity = await signIn(driver, auth, { email: account.email, password: account.password });
    } else {
      identity = await signUp(driver, auth, makeTestUser(seed, index));
    }
    const user: AuditUser = {
      label,
      userId: identity.userId,
      email: identity.email,
      password: identity.password,
      sessionToken: identity.sessionToken,
      cookies: identity.cookies,
      token: "",
      header: {},
      claims: {},
      ...(account ? {} : { createdByAudit: true }),
    };
    ledger.users.push(user); // before the token: a user whose token fails must still be cleaned up
    user.token = await fetchBackendToken(driver, tokenSource, identity);
    user.header = decodeProtectedHeader(user.token) as Record<string, unknown>;
    user.claims = decodeJwt(user.token) as Record<string, unknown>;
    users.push(user);
    log(`user ${label}: ${account ? "signed in" : "signed up"} (${identity.userId}), token alg ${String(users.at(-1)!.header.alg)}`);
  }
  return users;
}

async function createObjects(
  driver: HttpDriver,
  config: AuthproofConfig,
  resources: Resource[],
  users: AuditUser[],
  seed: number,
  warnings: string[],
  ledger: PrepareLedger,
): Promise<CreatedObject[]> {
  const objects: CreatedObject[] = [];
  for (const [index, resource] of resources.entries()) {
    if (!resource.create) continue;
    if (resource.parentParams && resource.parentParams.length > 0) {
      warnings.push(`${resource.collection}: needs parent ids (${resource.parentParams.join(", ")}); configure resources to test it`);
      continue;
    }
    for (const [userIndex, user] of users.entries()) {
      const bodySeed = seed + index * 10 + userIndex;
      const body = resource.createBody ?? synthesizeBody(resource.create.requestBody?.schema ?? { type: "object" }, { seed: bodySeed, omit: OWNER_FIELDS });
      const url = apiUrl(config, fillPath(resource.collection, userParams(resource, user)));
      const exchange = await driver.send({ method: "POST", url, headers: bearer(user.token), json: body, operation: resource.collection });
      const status = exchange.response?.status ?? 0;
      const json = exchange.response?.json as Record<string, unknown> | undefined;
      const id = json?.[resource.idField];
      if (status < 200 || status >= 300 || (typeof id !== "string" && typeof id !== "number")) {
        warnings.push(`could not create an object in ${resource.collection} as ${user.label}: ${status || exchange.error?.message} ${exchange.response?.body.slice(0, 200) ?? ""}`);
        break;
      }
      const itemUrl = apiUrl(config, fillPath(resource.item, { ...userParams(resource, user), [resource.idParam]: String(id) }));
      const object: CreatedObject = { resource: resource.collection, owner: user.label, id: String(id), url: itemUrl, body, created: json };
      objects.push(object);
      ledger.objects.push(object);
    }
  }
  return objects;
}


function userParams(resource: Resource, user: AuditUser): Record<string, string> {
  return resource.userIdParam ? { [resource.userIdParam]: user.userId } : {};
}

async function buildProbe(
  driver: HttpDriver,
  config: AuthproofConfig,
  op: Operation,
  resources: Resource[],
  objects: CreatedObject[],
  users: AuditUser[],
): Promise<Probe | undefined> {
  const kind = SAFE_METHODS.has(op.method) ? "read" : "write";
  const request = probeRequest(config, op, resources, objects, users, kind);
  if (!request) return undefined;
  const [positive, negative] = await Promise.all([
    driver.send({ ...request, headers: { ...request.headers, ...bearer(users[0]!.token) } }),
    driver.send(request),
  ]);
  return { op, request, kind, controls: { positive, negative } };
}

/**
 * The request that probes an operation without side effects: reads address A's real object; writes address
 * a nonexistent object and carry a body of the wrong type, so a token that passes authentication shows as
 * 404/422 while a rejected one gets 401.
 */
export function probeRequest(
  config: AuthproofConfig,
  op: Operation,
  resources: Resource[],
  objects: CreatedObject[],
  users: AuditUser[],
  kind: "read" | "write",
): HttpRequest | undefined {
  const owner = users[0]!;
  const values: Record<string, string> = {};
  for (const param of op.pathParams) {
    const resource = resources.find((r) => r.idParam === param.name && op.path.startsWith(r.item));
    if (resource?.userIdParam === param.name || isUserParam(param.name, resources)) {
      values[param.name] = owner.userId;
      continue;
    }
    if (!resource) return undefined;
    if (kind === "write") {
      values[param.name] = unlikelyId(param.schema, 0);
      continue;
    }
    const object = objects.find((o) => o.resource === resource.collection && o.owner === owner.label);
    if (!object) return undefined;
    values[param.name] = object.id;
  }
  const url = apiUrl(config, fillPath(op.path, values));
  if (kind === "read" || !op.requestBody) return { method: op.method, url, headers: {}, operation: op.path };
  return { method: op.method, url, headers: { "content-type": "application/json" }, body: "[]", operation: op.path };
}

function isUserParam(name: string, resources: Resource[]): boolean {
  return resources.some((r) => r.userIdParam === name) || looksLikeUserIdParam(name);
}


async function getJson(driver: HttpDriver, url: string, what: string, maxBodyBytes?: number): Promise<unknown> {
  const exchange = await driver.send({ method: "GET", url, ...(maxBodyBytes ? { maxBodyBytes } : {}) });
  if (!exchange.response) throw unreachable(url, what, exchange);
  if (exchange.response.status !== 200 || exchange.response.json === undefined)
    throw new HarnessError("TARGET_UNEXPECTED", `${what} at ${url} answered ${exchange.response.status}, not JSON 200`);
  return exchange.response.json;
}

function unreachable(url: string, what: string, exchange: Exchange): HarnessError {
  return new HarnessError("TARGET_UNREACHABLE", `cannot reach ${what} at ${url} (${exchange.error?.kind}: ${exchange.error?.message})`);
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function audienceOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  return undefined;
}
