import { endpointOf } from "../../model/endpoint.ts";
import { attacksSentTo } from "../attack/runner.ts";
import { inputProbeScope, probeScope, readProbeScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { judgeErrorLeak } from "./error-leak.ts";
import { judgeNoStore } from "./no-store.ts";
import { runServerError } from "./server-error.ts";

/** Judged over every attack the transport, token and claims checks sent to the operation (their suites run first). */
const errorLeak = check({
  id: "hygiene.error-leak",
  scope: probeScope,
  run: async (ctx, probe) => judgeErrorLeak(endpointOf(probe.op, probe.request.url), attacksSentTo(ctx, probe)),
});

const noStore = check({
  id: "hygiene.no-store",
  scope: readProbeScope,
  run: async (_ctx, probe) => judgeNoStore(endpointOf(probe.op, probe.request.url), probe.controls.positive),
});

/** The operation's inputs mutated with a valid token: never a 5xx. */
const serverError = check({
  id: "hygiene.server-error",
  scope: inputProbeScope,
  run: runServerError,
});

/** What answers give away: errors, leaks, caching, crashes on bad input. */
export const hygiene: Family = { name: "hygiene", checks: [errorLeak, noStore, serverError] };
