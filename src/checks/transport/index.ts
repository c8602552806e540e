import { attackCheck } from "../attack/record.ts";
import { anonymousScope, probeScope } from "../scopes.ts";
import type { CheckRecord, Family } from "../types.ts";
import { endpointOf } from "../../model/endpoint.ts";
import { judgeMissingToken, judgeUnprotected } from "./judge.ts";
import { identityOverride, scheme, tokenInQuery } from "./sends.ts";

const missingToken: CheckRecord = {
  id: "transport.missing-token",
  scope: probeScope,
  run: async (_ctx, probe) => judgeMissingToken(endpointOf(probe.op, probe.request.url), probe.controls.negative),
};

const unprotectedRoute: CheckRecord = {
  id: "transport.unprotected-route",
  scope: anonymousScope,
  run: async (_ctx, { op, request, exchange }) => judgeUnprotected(endpointOf(op, request.url), exchange),
};

/** How the token travels: the header, its scheme, the query string, identity headers beside it. */
export const transport: Family = {
  name: "transport",
  checks: [
    missingToken,
    attackCheck({ id: "transport.scheme", generate: scheme }),
    attackCheck({ id: "transport.token-in-query", generate: tokenInQuery }),
    attackCheck({ id: "transport.identity-override", needs: { victimView: true }, generate: identityOverride }),
    unprotectedRoute,
  ],
};
