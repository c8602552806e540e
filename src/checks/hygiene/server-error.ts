import type { Exchange } from "../../http/types.ts";
import { describeError } from "../../judge/controls.ts";
import type { CheckOutcome, Controls, Endpoint } from "../../judge/types.ts";
import type { AuditContext } from "../../model/context.ts";
import { endpointOf } from "../../model/endpoint.ts";
import type { Probe } from "../../model/target.ts";
import { deleteStrays, strayItemUrl } from "../../target/strays.ts";
import { allowedMutations, mutatedRequest, mutationsFor, type Mutation } from "./mutations.ts";

const EVIDENCE_LIMIT = 3;

/** One mutated request and what came back. */
export interface SentMutation {
  mutation: Mutation;
  exchange: Exchange;
}

/**
 * hygiene.server-error on one probed operation: user A's valid token with the operation's query parameters and
 * body mutated (see mutations.ts), at most 25 requests, sent only where the probe itself is aimed. Objects a
 * mutated create made are deleted right away.
 */
export async function runServerError(ctx: AuditContext, probe: Probe): Promise<CheckOutcome> {
  const endpoint = endpointOf(probe.op, probe.request.url);
  const problem = controlProblem(probe.controls);
  if (problem) return { checkId: "hygiene.server-error", endpoint, status: "error", reason: problem, exchanges: [{ label: "positive control: valid token", exchange: probe.controls.positive }] };
  const mutations = mutationsFor(probe, ctx.model.config.run.seed ?? ctx.model.seed);
  const sent = await Promise.all(mutations.map(async (mutation) => ({ mutation, exchange: await sendOnce(ctx, mutatedRequest(probe, ctx.userA.token, mutation)) })));
  if (probe.aim === "a new object of the audit") {
    const strays = sent.flatMap(({ exchange }) => strayItemUrl(ctx.model.config, ctx.model.resources, probe.op, exchange, ctx.userA) ?? []);
    if (strays.length > 0) await deleteStrays(ctx.driver, strays, [ctx.userA]);
  }
  return judgeServerError(endpoint, probe, sent);
}

/** Sends a request; one more try when the connection broke (a server that crashed may close its keep-alive socket). */
async function sendOnce(ctx: AuditContext, request: Parameters<AuditContext["driver"]["send"]>[0]): Promise<Exchange> {
  const exchange = await ctx.driver.send(request);
  return exchange.error?.kind === "network" ? ctx.driver.send(request) : exchange;
}

/** Why the valid token's answer on this operation lets no mutation say anything about the handler. */
function controlProblem(controls: Controls): string | undefined {
  const positive = controls.positive.response;
  if (!positive) return `positive control (valid token) got no response: ${describeError(controls.positive)}`;
  if (positive.status === 401) return "the valid token got 401 here, so mutated inputs would only reach the token check";
  if (positive.status >= 300 && positive.status < 400) return `positive control (valid token) was redirected (${positive.status}): the API is not reached at this URL`;
  return undefined;
}

/**
 * The verdict over the mutated requests of one operation: any 5xx fails (medium, with the request as evidence);
 * with none, a request that got no answer makes the verdict `error` (no answer, no verdict); otherwise `pass`.
 * The probe's own request getting a 5xx from the valid token counts too.
 */
export function judgeServerError(endpoint: Endpoint, probe: Pick<Probe, "controls" | "kind" | "aim">, sent: readonly SentMutation[]): CheckOutcome {
  const base = { checkId: "hygiene.server-error" as const, endpoint };
  const allowed = allowedMutations(probe);
  const scope = allowed === "all" ? "" : " (only bodies that cannot be applied may be sent here)";
  if (sent.length === 0) return { ...base, status: "skip", reason: `no mutation of its inputs may be sent here${scope}` };
  const positive = probe.controls.positive;
  const crashes: Array<{ label: string; exchange: Exchange }> = sent
    .filter(({ exchange }) => (exchange.response?.status ?? 0) >= 500)
    .map(({ mutation, exchange }) => ({ label: mutation.label, exchange }));
  if ((positive.response?.status ?? 0) >= 500) crashes.unshift({ label: "the probe's own request (not mutated)", exchange: positive });
  const unanswered = sent.filter(({ exchange }) => !exchange.response);
  const variants = { total: sent.length, failed: crashes.length };
  const statuses = statusSummary(sent);
  if (crashes.length > 0) {
    const first = crashes[0]!;
    return {
      ...base,
      status: "fail",
      reason: `${crashes.length} of ${sent.length} requests with a valid token got a server error; first: ${first.label} → ${first.exchange.response!.status}`,
      variants,
      failedVariants: crashes.map(({ label, exchange }) => `${label}: server error ${exchange.response!.status}`),
      notes: [`answers: ${statuses}${scope}`],
      exchanges: [
        ...crashes.slice(0, EVIDENCE_LIMIT).map(({ label, exchange }) => ({ label: `${label} → ${exchange.response!.status}`, exchange })),
        ...(crashes[0]!.exchange === positive ? [] : [{ label: "positive control: valid token", exchange: positive }]),
      ],
    };
  }
  if (unanswered.length > 0) {
    const first = unanswered[0]!;
    return {
      ...base,
      status: "error",
      reason: `${unanswered.length} of ${sent.length} mutated requests got no answer (first: ${first.mutation.label} — ${describeError(first.exchange)}); no verdict without an answer`,
      variants,
      notes: [`answers: ${statuses}${scope}`],
      exchanges: [{ label: `${first.mutation.label} → no answer`, exchange: first.exchange }],
    };
  }
  return { ...base, status: "pass", variants, notes: [`answers: ${statuses}${scope}`], exchanges: [{ label: `${sent[0]!.mutation.label} → ${sent[0]!.exchange.response!.status}`, exchange: sent[0]!.exchange }] };
}

/** `422 ×18, 404 ×4, 200 ×3` */
function statusSummary(sent: readonly SentMutation[]): string {
  const counts = new Map<string, number>();
  for (const { exchange } of sent) {
    const key = exchange.response ? String(exchange.response.status) : "no answer";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${status} ×${n}`)
    .join(", ");
}
