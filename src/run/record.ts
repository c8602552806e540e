import type { TestContext } from "@vitest/runner";
import type { HttpDriver } from "../http/driver.ts";
import type { WriteEntry } from "../http/writes.ts";
import type { Exchange } from "../http/types.ts";
import type { CheckOutcome } from "../judge/types.ts";
import { mintedTestUsers, type TestUser } from "../target/identities.ts";

/** Key under which a test case carries its check outcomes in its task meta. */
export const META_KEY = "authproof";
/** Key under which a test case carries the state of the run when it ended (see RunMeta). */
export const RUN_META_KEY = "authproofRun";

/**
 * What the worker tells the CLI's process with every test, since the shared driver lives in the worker: the
 * origins that stopped answering, whether the driver had been halted (the run is ending), and the users made
 * in the worker (a UI sign-up) so the CLI can delete them.
 */
export interface RunMeta {
  stopped: string[];
  halted?: string;
  users: TestUser[];
  /** The state-changing requests the worker's driver sent during this test. */
  writes: WriteEntry[];
  /** The worker driver's totals when the test ended: requests sent, ms from the first out to the last answer, most in flight. */
  traffic: { sent: number; activeMs: number; maxInFlight: number };
}

/** Records the run's state on the test (after its outcomes, even when the check threw). */
export function recordRunState(context: TestContext, driver: HttpDriver): void {
  const halted = driver.haltedBecause();
  const meta: RunMeta = { stopped: driver.stoppedOrigins(), ...(halted ? { halted } : {}), users: [...mintedTestUsers()], writes: driver.takeWrites(), traffic: trafficOf(driver) };
  Object.assign(context.task.meta, { [RUN_META_KEY]: meta });
}

function trafficOf(driver: HttpDriver): RunMeta["traffic"] {
  const { sent, activeMs, maxInFlight } = driver.stats();
  return { sent, activeMs, maxInFlight };
}

const WEIGHT = { pass: 0, skip: 1, error: 2, fail: 3 } as const;

/**
 * Records a test's check outcomes on the running test (the CLI's collector reads them back), and mirrors the
 * worst verdict in the test runner's own terms: skip → skipped, fail / error → failed.
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
