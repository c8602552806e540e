import { endpointOf } from "../../model/endpoint.ts";
import { attacksSentTo } from "../attack/runner.ts";
import { probeScope, readProbeScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { judgeErrorLeak } from "./error-leak.ts";
import { judgeNoStore } from "./no-store.ts";

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

/** What answers give away: errors, leaks, caching. */
export const hygiene: Family = { name: "hygiene", checks: [errorLeak, noStore] };
