import { attackGenerators, ORACLE_CHECKS } from "../../attacks/index.ts";
import type { Attack } from "./types.ts";
import type { Exchange, HttpRequest } from "../../http/types.ts";
import { judgeAttack, type AttackOutcome } from "../../judge/attack.ts";
import { foldAttackOutcomes } from "../../judge/fold.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import type { AuditContext } from "../../run/context.ts";
import type { Probe } from "../../model/target.ts";

/** Variants per check sent to write operations (the full set goes to every read operation). */
const WRITE_PROBE_VARIANTS = 3;
/**
 * Dictionary checks send hundreds of tokens; whether a verifier accepts one does not depend on the route,
 * so the full dictionary goes to the first read operation and its head (the most common values) elsewhere,
 * which still catches a route with a verifier of its own.
 */
const DICTIONARY_CHECKS = new Set(["token.guessable-secret", "token.magic-value"]);
const DICTIONARY_HEAD = 12;

function variantBudget(ctx: AuditContext, checkId: string, probe: Probe): number {
  if (probe.kind === "write") return WRITE_PROBE_VARIANTS;
  const primary = ctx.model.probes.find((p) => p.kind === "read");
  if (DICTIONARY_CHECKS.has(checkId) && probe !== primary) return DICTIONARY_HEAD;
  return Number.POSITIVE_INFINITY;
}

const NO_VARIANTS_REASON: Record<string, string> = {
  "token.alg-confusion": "the target publishes no public key to confuse (shared-secret mode)",
};

const NEEDS_VICTIM_VIEW = new Set(["transport.identity-override"]);

export interface AttackCheckRun {
  outcome: CheckOutcome;
  attacks: AttackOutcome[];
}

/** Judged from the probes' negative controls by the transport suite (which also demands the challenge header). */
const JUDGED_ELSEWHERE = new Set(["transport.missing-token"]);

/** The attack checks, in the order the token suite runs them. */
export const ATTACK_CHECK_IDS = Object.keys(attackGenerators).filter((id) => !JUDGED_ELSEWHERE.has(id));

/** Runs one attack check (its generated variants) against one probed operation and judges it. */
export async function runAttackCheck(ctx: AuditContext, checkId: string, probe: Probe): Promise<AttackCheckRun> {
  const endpoint = { method: probe.op.method, path: probe.op.path, url: probe.request.url };
  const generate = attackGenerators[checkId];
  if (!generate) throw new Error(`no attack generator for ${checkId}`);
  if (ORACLE_CHECKS.has(checkId) && !ctx.signer)
    return { outcome: { checkId, endpoint, status: "skip", reason: "needs a signing key (shared secret or a private key the target trusts)" }, attacks: [] };
  if (NEEDS_VICTIM_VIEW.has(checkId) && probe.op.pathParams.length > 0)
    return { outcome: { checkId, endpoint, status: "skip", reason: "runs on operations without path parameters, where both users get an answer" }, attacks: [] };

  const all = await generate(await ctx.attackContext());
  const attacks = all.slice(0, variantBudget(ctx, checkId, probe));
  const fetchesBefore = checkId === "token.jku-x5u" ? (await ctx.listener()).fetches().length : 0;
  const outcomes = await Promise.all(attacks.map((attack) => sendAttack(ctx, probe, attack)));
  const outcome = foldAttackOutcomes(checkId, endpoint, probe.controls, outcomes, NO_VARIANTS_REASON[checkId]);
  if (checkId === "token.jku-x5u") return { outcome: await withListenerVerdict(ctx, outcome, fetchesBefore), attacks: outcomes };
  return { outcome, attacks: outcomes };
}

async function sendAttack(ctx: AuditContext, probe: Probe, attack: Attack): Promise<AttackOutcome> {
  const outcome = await sendAndJudge(ctx, probe, attack);
  if (outcome.kind !== "slow") return outcome;
  // A slow answer on a busy machine is not a finding: it must be slow again, and much slower than a valid request.
  const [again, control] = await Promise.all([
    sendAndJudge(ctx, probe, attack),
    ctx.driver.send({ ...probe.request, headers: { ...probe.request.headers, authorization: `Bearer ${ctx.userA.token}` } }),
  ]);
  const againMs = again.exchange.response?.durationMs ?? Number.POSITIVE_INFINITY;
  const controlMs = control.response?.durationMs ?? 0;
  if (again.kind === "slow" && againMs > SLOW_FACTOR * controlMs) return again;
  return again.kind === "slow" ? { ...again, kind: "rejected", failed: false, detail: `${again.detail}, but a valid request took ${Math.round(controlMs)} ms too` } : again;
}

/** How many times slower than a valid request an attack must be, twice in a row, to count as a delay. */
const SLOW_FACTOR = 4;

async function sendAndJudge(ctx: AuditContext, probe: Probe, attack: Attack): Promise<AttackOutcome> {
  const exchange = await ctx.driver.send(applyAttack(probe.request, attack));
  const actsAsVictim = attack.identity === ctx.userB.userId;
  const other = actsAsVictim ? ctx.userA : ctx.userB;
  const baseline = actsAsVictim ? await victimBaseline(ctx, probe) : probe.controls.positive;
  const baselineBody = baseline.response?.body ?? "";
  const foreignMarkers = [other.userId, ...ctx.model.objects.filter((o) => o.owner === other.label).map((o) => o.id)].filter(
    (marker) => !baselineBody.includes(marker),
  );
  return judgeAttack(attack, exchange, probe.controls, {
    maxLatencyMs: ctx.model.config.policy.maxLatencyMs,
    foreignMarkers,
  });
}

const victimBaselines = new WeakMap<Probe, Promise<Exchange>>();

/**
 * What the second user's own token gets on the probe, without any attack: data already in this answer
 * (a list that leaks, say) is an isolation finding, not a sign that the attack switched the identity.
 */
function victimBaseline(ctx: AuditContext, probe: Probe): Promise<Exchange> {
  let baseline = victimBaselines.get(probe);
  if (!baseline) {
    baseline = ctx.driver.send({ ...probe.request, headers: { ...probe.request.headers, authorization: `Bearer ${ctx.userB.token}` } });
    victimBaselines.set(probe, baseline);
  }
  return baseline;
}

/** The probe request with the attack's credentials, query parameters and extra headers. */
export function applyAttack(request: HttpRequest, attack: Attack): HttpRequest {
  const url = new URL(request.url);
  for (const [name, value] of Object.entries(attack.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string | string[]> = { ...request.headers, ...attack.headers };
  if (attack.authorization !== null) headers.authorization = attack.authorization;
  return { ...request, url: url.href, headers };
}

async function withListenerVerdict(ctx: AuditContext, outcome: CheckOutcome, fetchesBefore: number): Promise<CheckOutcome> {
  const fetches = (await ctx.listener()).fetches().slice(fetchesBefore);
  if (fetches.length === 0 || outcome.status === "error" || outcome.status === "skip") return outcome;
  const seen = fetches.map((f) => `${f.method} ${f.path}`).join(", ");
  return {
    ...outcome,
    status: "fail",
    reason: `the target fetched the attacker's key URL ${fetches.length} time(s) (${seen})${outcome.status === "fail" ? `; ${outcome.reason}` : ", though it rejected the tokens"}`,
    notes: [...(outcome.notes ?? []), `listener saw: ${seen}`],
  };
}
