import type { HttpRequest } from "../../http/types.ts";
import type { CheckOutcome, Endpoint, LabelledExchange as Labelled } from "../../judge/types.ts";
import type { AuditContext } from "../../model/context.ts";
import { apiUrl, bearer, endpointOf } from "../../model/endpoint.ts";
import type { AuditUser } from "../../model/target.ts";
import { OWNER_FIELDS, synthesizeBody, synthesizeUpdate } from "../../target/bodies.ts";
import { deleteUser, makeTestUser } from "../../target/identities.ts";
import { planProbe } from "../../target/probes.ts";
import { fillPath, looksLikeUserIdParam } from "../../target/resources.ts";
import { oracleHeader, validClaims } from "../attack/context.ts";
import type { AttackContext } from "../attack/types.ts";
import { judgeFunctionLevel, judgeRoleAssignment, judgeRoleAtSignUp, judgeRoleClaim, showsAdmin, type RaisedAttempt } from "./judge.ts";
import { authPath, type AdminUnit, type RoleTarget } from "./units.ts";

/** Raised role claims, each merged into B's own claims and signed with the oracle. */
export const RAISED_CLAIMS: ReadonlyArray<[variant: string, changes: Record<string, unknown>]> = [
  ["role=admin", { role: "admin" }],
  ["roles=[admin]", { roles: ["admin"] }],
  ["permissions=[admin]", { permissions: ["admin"] }],
  ["is_admin=true", { is_admin: true, isAdmin: true }],
  ["scope=admin", { scope: "admin" }],
];

/** Role fields B slips into a body that updates its own user. */
export const ROLE_BODIES: ReadonlyArray<[variant: string, fields: Record<string, unknown>]> = [
  ["role=admin", { role: "admin" }],
  ["roles=[admin]", { roles: ["admin"] }],
];

const NO_ADMIN = "no admin operation found: configure authorization.adminOperations (or tag or route admin operations as admin)";
const OWN_USER = "the audit's own user B";

/** B's request to an admin operation, as planned: or why it is not sent. */
type Baseline = { attempt: Labelled; request: HttpRequest; endpoint: Endpoint; aimedAtMissingId: boolean; because: string } | { skip: string };

async function send(ctx: AuditContext, label: string, request: HttpRequest, authorization: Record<string, string>): Promise<Labelled> {
  const exchange = await ctx.driver.send({ ...request, headers: { ...request.headers, ...authorization } });
  return { label, exchange };
}

function authUrl(ctx: AuditContext, path: string): string {
  return `${(ctx.model.config.auth.baseUrl ?? "").replace(/\/+$/, "")}${path}`;
}

/** B's own request to one admin operation, sent once and shared by the checks of the unit. */
function baseline(ctx: AuditContext, unit: Exclude<AdminUnit, { kind: "none" }>): Promise<Baseline> {
  const key = unit.kind === "backend" ? `${unit.admin.op.method} ${unit.admin.op.path}` : unit.path;
  return ctx.shared(`authorization baseline ${key}`, async (): Promise<Baseline> => {
    const { userB } = ctx;
    if (unit.kind === "better-auth") {
      const request: HttpRequest = { method: "GET", url: `${authUrl(ctx, unit.path)}?limit=1`, operation: unit.path };
      const attempt = await send(ctx, "B (a normal user, its session): GET the user list", request, bearer(userB.sessionToken));
      return { attempt, request, endpoint: { method: "GET", path: unit.path, url: request.url }, aimedAtMissingId: false, because: "Better Auth's admin plugin" };
    }
    const { op, because } = unit.admin;
    const { model } = ctx;
    const plan = planProbe(op, { config: model.config, resources: model.resources, objects: model.objects, owner: ctx.userA, seed: model.seed });
    if (plan.kind === "unsafe") return { skip: `not sent: ${plan.reason} (--allow-destructive sends it)` };
    if (plan.kind === "unfillable") return { skip: plan.reason };
    // A write goes out with a schema-valid body where the plan has one, so a 422 for the body cannot stand for a refusal.
    const request = plan.kind === "read" ? plan.request : { ...plan.requests.at(-1)!, aim: plan.requests.at(-1)!.aim ?? plan.aim };
    const aimedAtMissingId = plan.kind === "write" && op.pathParams.some((p) => !looksLikeUserIdParam(p.name) && !model.resources.some((r) => r.userIdParam === p.name));
    const attempt = await send(ctx, `B (a normal user): ${op.method} ${op.path}`, request, bearer(userB.token));
    return { attempt, request, endpoint: endpointOf(op, request.url), aimedAtMissingId, because };
  });
}

/** authorization.function-level on one unit. */
export async function functionLevel(ctx: AuditContext, unit: AdminUnit): Promise<CheckOutcome> {
  if (unit.kind === "none") return { checkId: "authorization.function-level", status: "skip", reason: NO_ADMIN };
  const sent = await baseline(ctx, unit);
  const endpoint = unit.kind === "backend" ? endpointOf(unit.admin.op) : { method: "GET", path: unit.path };
  if ("skip" in sent) return { checkId: "authorization.function-level", endpoint, status: "skip", reason: sent.skip };
  // Better Auth answers 401 to a session it does not recognise: the admin check itself was not reached.
  if (unit.kind === "better-auth" && sent.attempt.exchange.response?.status === 401)
    return { checkId: "authorization.function-level", endpoint: sent.endpoint, exchanges: [sent.attempt], status: "skip", reason: "inconclusive: B's session got 401, so Better Auth's admin check was not reached" };
  return judgeFunctionLevel(sent.endpoint, sent.attempt, sent.aimedAtMissingId, sent.because);
}

/** B's view for the oracle: its own token and claims as the real ones. */
function attackContextOfB(ctx: AuditContext): AttackContext {
  const { model, userB } = ctx;
  return {
    realToken: userB.token,
    realClaims: userB.claims,
    publicJwks: model.publicJwks,
    ...(ctx.signer ? { signer: ctx.signer } : {}),
    expected: model.expected,
    attackerKeys: ctx.attackerKeys,
    nowSec: Math.floor(Date.parse(model.startedAt) / 1000),
  };
}

/** authorization.role-claim on one backend admin operation (Better Auth's admin plugin reads the session, not a claim). */
export async function roleClaim(ctx: AuditContext, unit: AdminUnit): Promise<CheckOutcome | CheckOutcome[]> {
  if (unit.kind === "none") return { checkId: "authorization.role-claim", status: "skip", reason: NO_ADMIN };
  if (unit.kind === "better-auth") return [];
  const sent = await baseline(ctx, unit);
  if ("skip" in sent) return { checkId: "authorization.role-claim", endpoint: endpointOf(unit.admin.op), status: "skip", reason: sent.skip };
  const signer = ctx.signer!;
  const actx = attackContextOfB(ctx);
  const header = oracleHeader(actx);
  const claims = validClaims(actx);
  const control = await send(ctx, "B's claims re-signed unchanged (control)", sent.request, bearer(await signer.sign(header, claims)));
  const raised: RaisedAttempt[] = [];
  for (const [variant, changes] of RAISED_CLAIMS) {
    const token = await signer.sign(header, { ...claims, ...changes });
    raised.push({ variant, labelled: await send(ctx, `B's claims re-signed with ${variant}`, sent.request, bearer(token)) });
  }
  return judgeRoleClaim(sent.endpoint, sent.attempt, control, raised, sent.aimedAtMissingId);
}

/** authorization.role-assignment on one target: each role body in turn, B's record read back after each. */
export async function roleAssignment(ctx: AuditContext, target: RoleTarget): Promise<CheckOutcome> {
  if (target.kind === "none") return { checkId: "authorization.role-assignment", status: "skip", reason: target.why };
  if (target.kind === "better-auth-sign-up") return roleAtSignUp(ctx, target.path);
  const channel = target.kind === "better-auth" ? betterAuthChannel(ctx, target.path) : backendChannel(ctx, target);
  const outcomes: CheckOutcome[] = [];
  for (const [variant, fields] of ROLE_BODIES) {
    const before = await channel.read("before");
    const attempt = await send(ctx, `B: ${channel.method} ${channel.path} with ${variant}`, channel.write(fields, before.record), channel.auth);
    const after = await channel.read("after");
    const outcome = judgeRoleAssignment({ method: channel.method, path: channel.path, url: channel.url }, attempt, before, after);
    outcomes.push(outcome.status === "fail" ? { ...outcome, failedVariants: [variant] } : outcome);
    // The attempt worked: give B its role back, so the checks after this one judge a normal user again.
    if (showsAdmin(after.record) && !showsAdmin(before.record)) await send(ctx, "B: restore its role", channel.write(restoring(fields, before.record), before.record), channel.auth);
  }
  return fold(outcomes);
}

/**
 * A throw-away user signs up asking for role=admin; its session is read back, and it is deleted again (a user the
 * run made, so the run's clean-up also removes it if this fails).
 */
async function roleAtSignUp(ctx: AuditContext, path: string): Promise<CheckOutcome> {
  const { config, seed } = ctx.model;
  const user = makeTestUser(seed, 31);
  const url = authUrl(ctx, path);
  const body = { name: user.name, email: user.email, password: user.password, role: "admin" };
  const attempt = await send(ctx, `POST ${path} with role=admin`, { method: "POST", url, json: body, aim: "a new user of the audit", operation: path }, {});
  const endpoint = { method: "POST", path, url };
  const created = attempt.exchange.response;
  const sessionToken = created?.headers["set-auth-token"];
  if (!created || created.status < 200 || created.status >= 300 || typeof sessionToken !== "string") return judgeRoleAtSignUp(endpoint, attempt);
  const session = authPath(ctx.model, "/get-session");
  const labelled = await send(ctx, `the new user: GET ${session}`, { method: "GET", url: authUrl(ctx, session), operation: session }, bearer(sessionToken));
  const outcome = judgeRoleAtSignUp(endpoint, attempt, { labelled, record: (labelled.exchange.response?.json as { user?: unknown } | undefined)?.user });
  await deleteUser(ctx.driver, { baseUrl: config.auth.baseUrl!, basePath: config.auth.basePath }, { sessionToken, password: user.password });
  return outcome.status === "fail" ? { ...outcome, failedVariants: ["sign-up role=admin"] } : outcome;
}

/** How to write B's own user record and read it back. */
interface Channel {
  method: string;
  path: string;
  url: string;
  auth: Record<string, string>;
  read(when: string): Promise<{ labelled: Labelled; record: unknown }>;
  write(fields: Record<string, unknown>, current: unknown): HttpRequest;
}

function betterAuthChannel(ctx: AuditContext, path: string): Channel {
  const auth = bearer(ctx.userB.sessionToken);
  const url = authUrl(ctx, path);
  const session = authPath(ctx.model, "/get-session");
  return {
    method: "POST",
    path,
    url,
    auth,
    read: async (when) => {
      const labelled = await send(ctx, `B: GET ${session} (${when})`, { method: "GET", url: authUrl(ctx, session), operation: session }, auth);
      return { labelled, record: (labelled.exchange.response?.json as { user?: unknown } | undefined)?.user };
    },
    write: (fields) => ({ method: "POST", url, json: fields, aim: OWN_USER, operation: path }),
  };
}

function backendChannel(ctx: AuditContext, target: Extract<RoleTarget, { kind: "backend" }>): Channel {
  const { op, read } = target;
  const { model } = ctx;
  const url = apiUrl(model.config, fillPath(op.path, userParams(op.path, op.pathParams, ctx.userB)));
  const auth = bearer(ctx.userB.token);
  const omit = [...OWNER_FIELDS, ...ROLE_BODIES.flatMap(([, f]) => Object.keys(f))];
  return {
    method: op.method,
    path: op.path,
    url,
    auth,
    read: async (when) => {
      const labelled = await send(ctx, `B: GET ${read.path} (${when})`, { method: "GET", url, operation: read.path }, auth);
      return { labelled, record: labelled.exchange.response?.json };
    },
    write: (fields, current) => {
      const schema = op.requestBody?.schema ?? { type: "object" };
      const body =
        op.method === "POST"
          ? synthesizeBody(schema, { seed: model.seed, omit })
          : synthesizeUpdate(schema, { method: op.method === "PUT" ? "PUT" : "PATCH", base: current, seed: model.seed, omit });
      return { method: op.method, url, json: { ...((body ?? {}) as object), ...fields }, aim: OWN_USER, operation: op.path };
    },
  };
}

function userParams(path: string, params: Array<{ name: string }>, user: AuditUser): Record<string, string> {
  return Object.fromEntries(params.filter((p) => path.includes(`{${p.name}}`)).map((p) => [p.name, user.userId]));
}

/** The body that puts B's role fields back as they were (a missing role becomes Better Auth's default, "user"). */
function restoring(fields: Record<string, unknown>, before: unknown): Record<string, unknown> {
  const old = (before && typeof before === "object" ? before : {}) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(fields).map((key) => [key, old[key] ?? (key === "role" ? "user" : null)]));
}

/** One result for the target: the first failure (with every failed variant), else the first error, skip or pass. */
function fold(outcomes: CheckOutcome[]): CheckOutcome {
  const failed = outcomes.filter((o) => o.status === "fail");
  if (failed.length > 0)
    return { ...failed[0]!, failedVariants: failed.flatMap((o) => o.failedVariants ?? []), exchanges: failed.flatMap((o) => o.exchanges ?? []), variants: { total: outcomes.length, failed: failed.length } };
  return outcomes.find((o) => o.status === "error") ?? outcomes.find((o) => o.status === "skip") ?? { ...outcomes[0]!, notes: outcomes.flatMap((o) => o.notes ?? []) };
}
