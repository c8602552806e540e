import type { Exchange, HttpRequest } from "../../http/types.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import type { AuditContext } from "../../model/context.ts";
import { apiUrl, bearer, endpointOf } from "../../model/endpoint.ts";
import type { Probe } from "../../model/target.ts";
import { foreignDataIn } from "../../judge/leaks.ts";
import { deleteStrays, strayItemUrl } from "../../target/strays.ts";
import { foldAttackOutcomes } from "./fold.ts";
import { judgeAttack, type AttackOutcome } from "./judge.ts";
import type { Attack, AttackCheckSpec, AttackContext, ProbeView } from "./types.ts";
import { fillPath, looksLikeUserIdParam } from "../../target/resources.ts";

/** Variants per check sent to write operations (the full set goes to every read operation). */
const WRITE_PROBE_VARIANTS = 3;
/** Variants of a dictionary check sent to operations other than the first read operation. */
const DICTIONARY_HEAD = 12;
/** How many times slower than a valid request an attack must be, twice in a row, to count as a delay. */
const SLOW_FACTOR = 4;

export interface AttackCheckRun {
  outcome: CheckOutcome;
  attacks: AttackOutcome[];
}

/** What the generators know about the target and the harness, built once per audit. */
export function attackContextOf(ctx: AuditContext): Promise<AttackContext> {
  return ctx.shared("attack-context", async (): Promise<AttackContext> => {
    const live = await ctx.listener();
    const { model, userA, userB } = ctx;
    return {
      realToken: userA.token,
      realClaims: userA.claims,
      victim: { id: userB.userId, token: userB.token },
      publicJwks: model.publicJwks,
      ...(ctx.signer ? { signer: ctx.signer } : {}),
      expected: model.expected,
      listener: { jkuUrl: live.jkuUrl, x5uUrl: live.x5uUrl },
      attackerKeys: ctx.attackerKeys,
      nowSec: Math.floor(Date.parse(model.startedAt) / 1000),
      candidates: model.candidates ?? [],
    };
  });
}

/** Every attack sent to an operation so far, by any check (hygiene.error-leak judges them together). */
export function attacksSentTo(ctx: AuditContext, probe: Probe): AttackOutcome[] {
  return ctx.shared(`attacks sent to ${probe.op.method} ${probe.op.path}`, (): AttackOutcome[] => []);
}

/** Runs one attack check (its generated variants, within its budget) against one probed operation and judges it. */
export async function runAttackCheck(ctx: AuditContext, spec: AttackCheckSpec, probe: Probe): Promise<AttackCheckRun> {
  const endpoint = endpointOf(probe.op, probe.request.url);
  const all = await spec.generate(await attackContextOf(ctx), probeView(ctx, probe));
  const attacks = all.slice(0, variantBudget(ctx, spec, probe));
  const listener = spec.needs?.listener ? await ctx.listener() : undefined;
  const fetchesBefore = listener?.fetches().length ?? 0;
  const outcomes = await Promise.all(attacks.map((attack) => sendAttack(ctx, spec, probe, attack)));
  attacksSentTo(ctx, probe).push(...outcomes);
  const outcome = foldAttackOutcomes(spec.id, endpoint, probe.controls, outcomes);
  if (!listener) return { outcome, attacks: outcomes };
  const fetches = listener.fetches().slice(fetchesBefore);
  return { outcome: withListenerVerdict(outcome, fetches), attacks: outcomes };
}

function variantBudget(ctx: AuditContext, spec: AttackCheckSpec, probe: Probe): number {
  if (probe.kind === "write") return WRITE_PROBE_VARIANTS;
  const primary = ctx.model.probes.find((p) => p.kind === "read");
  if (spec.budget === "dictionary" && probe !== primary) return DICTIONARY_HEAD;
  return Number.POSITIVE_INFINITY;
}

async function sendAttack(ctx: AuditContext, spec: AttackCheckSpec, probe: Probe, attack: Attack): Promise<AttackOutcome> {
  const outcome = await sendAndJudge(ctx, spec, probe, attack);
  if (outcome.kind !== "slow") return outcome;
  // A slow answer on a busy machine is not a finding: it must be slow again, and much slower than a valid request.
  const [again, control] = await Promise.all([
    sendAndJudge(ctx, spec, probe, attack),
    ctx.driver.send({ ...probe.request, headers: { ...probe.request.headers, ...bearer(ctx.userA.token) } }),
  ]);
  const againMs = again.exchange.response?.durationMs ?? Number.POSITIVE_INFINITY;
  const controlMs = control.response?.durationMs ?? 0;
  if (again.kind === "slow" && againMs > SLOW_FACTOR * controlMs) return again;
  return again.kind === "slow" ? { ...again, kind: "rejected", failed: false, detail: `${again.detail}, but a valid request took ${Math.round(controlMs)} ms too` } : again;
}

/** Objects that accepted attacks on a create created: deleted when the audit ends. */
function strays(ctx: AuditContext): string[] {
  return ctx.shared("strays", (): string[] => [], (urls) => deleteStrays(ctx.driver, urls, [ctx.userA, ctx.userB]));
}

async function sendAndJudge(ctx: AuditContext, spec: AttackCheckSpec, probe: Probe, attack: Attack): Promise<AttackOutcome> {
  const exchange = await ctx.driver.send(applyAttack(probe.request, attack));
  const stray = probe.aim === "a new object of the audit" && strayItemUrl(ctx.model.config, ctx.model.resources, probe.op, exchange, ctx.userA);
  if (stray) strays(ctx).push(stray);
  const actsAsVictim = attack.identity === ctx.userB.userId || attack.expect === "as-victim";
  const other = actsAsVictim ? ctx.userA : ctx.userB;
  const baseline = actsAsVictim ? await victimBaseline(ctx, probe, attack.url) : probe.controls.positive;
  // Data the baseline answer already shows (a list that leaks, say) is an isolation finding, not the attack's doing.
  const baselineBody = baseline.response?.body ?? "";
  const unlessInBaseline = (ids: string[]) => ids.filter((id) => !foreignDataIn(baselineBody, { userIds: [id], objectIds: [id] }));
  const foreign = {
    userIds: unlessInBaseline([other.userId]),
    objectIds: unlessInBaseline(ctx.model.objects.filter((o) => o.owner === other.label).map((o) => o.id)),
  };
  return judgeAttack(attack, exchange, probe.controls, {
    maxLatencyMs: ctx.model.config.policy.maxLatencyMs,
    foreign,
    crashIsFailure: spec.crashIsFailure === true,
    ...(spec.impact ? { impact: spec.impact } : {}),
    identityClaim: ctx.model.expected.identityClaim,
    ...(attack.expect === "as-victim" ? { victimAnswer: baseline } : {}),
  });
}

/**
 * What a generator may know of the operation: the probe's URL as the victim (user B) would address it, with
 * B's user id and B's own object in place of A's, for operations with a user path parameter.
 */
function probeView(ctx: AuditContext, probe: Probe): ProbeView {
  const names = probe.op.pathParams.map((p) => p.name);
  const userParams = names.filter((name) => looksLikeUserIdParam(name) || ctx.model.resources.some((r) => r.userIdParam === name));
  if (userParams.length === 0) return {};
  const template = probe.op.path.split("/");
  const actual = new URL(probe.request.url).pathname.split("/").slice(-template.length);
  const values: Record<string, string> = {};
  template.forEach((segment, i) => {
    const name = /^\{(.+)\}$/.exec(segment)?.[1];
    if (!name) return;
    const value = decodeURIComponent(actual[i] ?? "");
    const objectOfA = ctx.model.objects.find((o) => o.owner === "A" && o.id === value);
    const twin = objectOfA && ctx.model.objects.find((o) => o.owner === "B" && o.resource === objectOfA.resource);
    values[name] = userParams.includes(name) ? ctx.userB.userId : (twin?.id ?? value);
  });
  return { victimUrl: apiUrl(ctx.model.config, fillPath(probe.op.path, values)) };
}

/**
 * What the second user's own token gets on the probe, without any attack: data already in this answer
 * (a list that leaks, say) is an isolation finding, not a sign that the attack switched the identity.
 */
function victimBaseline(ctx: AuditContext, probe: Probe, url = probe.request.url): Promise<Exchange> {
  return ctx.shared(`victim baseline ${probe.op.method} ${url}`, () =>
    ctx.driver.send({ ...probe.request, url, headers: { ...probe.request.headers, ...bearer(ctx.userB.token) } }),
  );
}

/** The probe request with the attack's credentials, query parameters and extra headers. */
export function applyAttack(request: HttpRequest, attack: Pick<Attack, "authorization" | "query" | "headers" | "url">): HttpRequest {
  const url = new URL(attack.url ?? request.url);
  for (const [name, value] of Object.entries(attack.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string | string[]> = { ...request.headers, ...attack.headers };
  if (attack.authorization !== null) headers.authorization = attack.authorization;
  return { ...request, url: url.href, headers };
}

function withListenerVerdict(outcome: CheckOutcome, fetches: Array<{ method: string; path: string }>): CheckOutcome {
  if (fetches.length === 0 || outcome.status === "error" || outcome.status === "skip") return outcome;
  const seen = fetches.map((f) => `${f.method} ${f.path}`).join(", ");
  return {
    ...outcome,
    status: "fail",
    reason: `the target fetched the attacker's key URL ${fetches.length} time(s) (${seen})${outcome.status === "fail" ? `; ${outcome.reason}` : ", though it rejected the tokens"}`,
    notes: [...(outcome.notes ?? []), `listener saw: ${seen}`],
  };
}
