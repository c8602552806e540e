import type { TestContext } from "vitest";
import type { Exchange } from "../http/types.ts";
import type { CheckOutcome } from "../judge/types.ts";

/** Key under which a test case carries its check outcome in vitest's task meta. */
export const META_KEY = "authproof";
/** Key under which a test case carries isolation matrix cells. */
export const MATRIX_KEY = "authproofMatrix";

/**
 * Records a check outcome on the running vitest test (the CLI's collector reads it back), and mirrors
 * the verdict in vitest's own terms: skip → skipped, fail / error → failed.
 */
export function record(context: TestContext, outcome: CheckOutcome, extra: Record<string, unknown> = {}): void {
  Object.assign(context.task.meta, extra, { [META_KEY]: toPlain(outcome) });
  if (outcome.status === "skip") context.skip(outcome.reason);
  if (outcome.status === "fail" || outcome.status === "error") {
    const where = outcome.endpoint ? ` ${outcome.endpoint.method} ${outcome.endpoint.path}` : "";
    throw new Error(`${outcome.checkId}${where}: ${outcome.status}: ${outcome.reason ?? ""}`);
  }
}

function toPlain(outcome: CheckOutcome): CheckOutcome {
  return {
    ...outcome,
    exchanges: outcome.exchanges?.map(({ label, exchange }) => ({ label, exchange: plainExchange(exchange) })),
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
