import type { TestContext } from "vitest";
import type { Exchange } from "../http/types.ts";
import type { CheckOutcome } from "../judge/types.ts";

/** Key under which a test case carries its check outcomes in vitest's task meta. */
export const META_KEY = "authproof";

const WEIGHT = { pass: 0, skip: 1, error: 2, fail: 3 } as const;

/**
 * Records a test's check outcomes on the running vitest test (the CLI's collector reads them back), and
 * mirrors the worst verdict in vitest's own terms: skip → skipped, fail / error → failed.
 */
export function record(context: TestContext, outcomes: CheckOutcome[]): void {
  Object.assign(context.task.meta, { [META_KEY]: outcomes.map(toPlain) });
  const worst = [...outcomes].sort((a, b) => WEIGHT[b.status] - WEIGHT[a.status])[0];
  if (!worst) return;
  if (worst.status === "skip") context.skip(worst.reason);
  if (worst.status === "fail" || worst.status === "error") {
    const where = worst.endpoint ? ` ${worst.endpoint.method} ${worst.endpoint.path}` : "";
    throw new Error(`${worst.checkId}${where}: ${worst.status}: ${worst.reason ?? ""}`);
  }
}

function toPlain(outcome: CheckOutcome): CheckOutcome {
  return {
    ...outcome,
    ...(outcome.exchanges ? { exchanges: outcome.exchanges.map(({ label, exchange }) => ({ label, exchange: plainExchange(exchange) })) } : {}),
  };
}

function plainExchange(exchange: Exchange): Exchange {
  const body = exchange.request.body;
  const request = {
    ...exchange.request,
    body: body instanceof Uint8Array ? Buffer.from(body).toString("utf8") : body,
  };
  return JSON.parse(JSON.stringify({ ...exchange, request })) as Exchange;
}
