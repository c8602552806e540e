import type { AuthproofConfig } from "../config/schema.ts";
import type { HttpDriver } from "../http/driver.ts";
import type { Exchange } from "../http/types.ts";
import { OWNER_FIELDS, synthesizeBody } from "./bodies.ts";
import { DOCUMENT_MAX_BYTES, fetchJwks } from "./identities.ts";
import { prepareUsers } from "./users.ts";
import { discoverOperations } from "./openapi.ts";
import { fillPath, idOf, inferResources, type Resource } from "./resources.ts";
import { planProbe, probeOperation, readsOnly, type ProbePlan } from "./probes.ts";
import { strayItemUrl } from "./strays.ts";
import { openapiDocument } from "./openapi-source.ts";
import { mineCandidates } from "./mining.ts";
import { HarnessError } from "../errors.ts";
import { apiUrl, bearer } from "../model/endpoint.ts";
import type { AnonymousProbe, AuditUser, CreatedObject, OracleKind, Probe, TargetModel } from "../model/target.ts";

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
  cwd = process.cwd(),
): Promise<TargetModel> {
  const seed = config.run.seed ?? Math.floor(Math.random() * 2 ** 31);
  const apiOrigin = new URL(config.api.baseUrl).origin;
  const authOrigin = config.auth.baseUrl ? new URL(config.auth.baseUrl).origin : undefined;
  const warnings: string[] = [];

  const doc = await openapiDocument(config, driver, log, cwd);
  const operations = discoverOperations(doc, {
    publicRoutes: config.api.publicRoutes,
    include: config.api.include,
    exclude: config.api.exclude,
  });
  log(`discovered ${operations.length} operations (${operations.filter((op) => !op.isPublic).length} not public)`);

  const { users, source: identities } = await prepareUsers(config, driver, seed, log, ledger.users);
  const [a] = users;
  let publicJwks: JsonWebKey[] = [];
  let jwksDocument: unknown;
  if (config.mode === "jwks" && config.auth.baseUrl) {
    const jwksUrl = new URL(config.keys.jwksPath, config.auth.baseUrl).href;
    jwksDocument = await getJson(driver, jwksUrl, "the JWKS");
    publicJwks = await fetchJwks(driver, jwksUrl);
  } else if (config.mode === "jwks" && config.keys.privateJwk) {
    publicJwks = [publicPartOf(config.keys.privateJwk)];
  }
  const expected = {
    issuer: config.claims.issuer ?? stringClaim(a!.claims.iss),
    audience: config.claims.audience ?? audienceOf(a!.claims.aud),
    identityClaim: config.claims.identityClaim,
    leewaySec: config.claims.leewaySec,
    requireKnownSubject: config.claims.requireKnownSubject,
  };
  for (const user of config.mode === "session" ? [] : users) {
    if (user.claims[expected.identityClaim] !== user.userId)
      warnings.push(`user ${user.label}'s token carries ${expected.identityClaim}=${String(user.claims[expected.identityClaim])}, not the Better Auth user id ${user.userId}`);
  }

  const resources = inferResources(operations, config.resources);
  ledger.resources.push(...resources);
  const targets = operations.filter((op) => !op.isPublic);
  const probes: Probe[] = [];
  const anonymous: AnonymousProbe[] = [];
  const strays: string[] = [];
  // No probe changes what another reads (writes aim at ids that do not exist, new objects or bodies that
  // cannot be applied), so they are built at once. Writes need none of the audit's objects: they go out while
  // the objects are made, and reads, which address user A's object, once it exists. Writes the user opted into
  // (--allow-destructive) go after, one by one. The results are folded in operation order.
  const planContext = { config, resources, objects: [] as CreatedObject[], owner: users[0]!, seed };
  const build = async (plan: ProbePlan) => ({ plan, ...(await probeOperation(driver, plan, users, config)) });
  const optedIn = (plan: ProbePlan) => plan.kind === "write" && plan.aim === "opted in (--allow-destructive)";
  const writes = targets.filter((op) => !readsOnly(op)).map((op) => planProbe(op, planContext));
  const made = createObjects(driver, config, resources, users, seed, warnings, ledger);
  const [objects, safeWrites, reads] = await Promise.all([
    made,
    Promise.all(writes.filter((plan) => !optedIn(plan)).map(build)),
    made.then((objects) => Promise.all(targets.filter(readsOnly).map((op) => build(planProbe(op, { ...planContext, objects }))))),
  ]);
  log(`created ${objects.length} objects in ${resources.length} resources`);
  const destructive: Awaited<ReturnType<typeof build>>[] = [];
  for (const plan of writes.filter(optedIn)) destructive.push(await build(plan));
  const all = [...safeWrites, ...reads, ...destructive];
  const built = targets.map((op) => all.find((b) => b.plan.op === op)!);
  for (const { plan, probe, sent } of built) {
    for (const exchange of probe ? [probe.controls.positive] : []) {
      const stray = strayItemUrl(config, resources, plan.op, exchange, users[0]!);
      if (stray) strays.push(stray);
    }
    const anonymousStatus = probe?.controls.negative.response?.status ?? 0;
    if (plan.kind === "unsafe") warnings.push(`${plan.op.method} ${plan.op.path}: not sent: ${plan.reason} (--allow-destructive sends it)`);
    else if (!probe) warnings.push(`${plan.op.method} ${plan.op.path}: no way to fill its path parameters; only the no-token check runs on it`);
    else if (anonymousStatus >= 200 && anonymousStatus < 300)
      warnings.push(`${plan.op.method} ${plan.op.path}: answers ${anonymousStatus} without a token; token attacks on it prove nothing`);
    else probes.push(probe);
    const stray = sent.exchange && strayItemUrl(config, resources, plan.op, sent.exchange, users[0]!);
    if (stray) strays.push(stray);
    anonymous.push(sent);
  }

  return {
    config,
    seed,
    startedAt: new Date().toISOString(),
    apiOrigin,
    ...(authOrigin ? { authOrigin } : {}),
    identities,
    oracle: oracleKind(config),
    publicJwks,
    jwksDocument,
    expected,
    users,
    operations,
    resources,
    objects,
    strays,
    probes,
    anonymous,
    candidates: mineCandidates(doc, probes, anonymous, config.run.source),
    warnings,
  };
}

function oracleKind(config: AuthproofConfig): OracleKind {
  if (config.keys.privateJwk) return "private-key";
  if (config.mode === "shared-secret" && config.keys.secret) return "secret";
  return "none";
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
      const exchange = await driver.send({ method: "POST", url, headers: bearer(user.token), json: body, operation: resource.collection, aim: "a new object of the audit" });
      const status = exchange.response?.status ?? 0;
      const json = exchange.response?.json as Record<string, unknown> | undefined;
      const id = idOf(json, resource.idField);
      if (status < 200 || status >= 300 || id === undefined) {
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

async function getJson(driver: HttpDriver, url: string, what: string): Promise<unknown> {
  const exchange = await driver.send({ method: "GET", url, maxBodyBytes: DOCUMENT_MAX_BYTES });
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

/** The public members of a private JWK (the key the target trusts when the audit mints its tokens). */
function publicPartOf(jwk: string | Record<string, unknown>): JsonWebKey {
  const parsed = (typeof jwk === "string" ? JSON.parse(jwk) : jwk) as Record<string, unknown>;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...publicMembers } = parsed;
  return publicMembers as JsonWebKey;
}
