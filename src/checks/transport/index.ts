import { attackCheck } from "../attack/record.ts";
import { anonymousScope, probeScope } from "../scopes.ts";
import { check, type CheckRecord, type Family } from "../types.ts";
import { endpointOf } from "../../model/endpoint.ts";
import { judgeChallengeHeader, judgeMissingToken, judgeUnprotected } from "./judge.ts";
import { identityOverride, scheme, tokenInQuery } from "./sends.ts";

const missingToken = check({
  id: "transport.missing-token",
  scope: probeScope,
  run: async (_ctx, probe) => judgeMissingToken(endpointOf(probe.op, probe.request.url), probe.controls.negative),
});

const challengeHeader = check({
  id: "transport.challenge-header",
  scope: probeScope,
  run: async (_ctx, probe) =>
    judgeChallengeHeader(endpointOf(probe.op, probe.request.url), [
      { label: "no Authorization header", exchange: probe.controls.negative },
      ...(probe.controls.invalid ? [{ label: "an invalid token", exchange: probe.controls.invalid }] : []),
    ]),
});

const unprotectedRoute = check({
  id: "transport.unprotected-route",
  scope: anonymousScope,
  run: async ({ model }, { op, request, exchange, skipped, withToken }) =>
    judgeUnprotected(
      endpointOf(op, request.url),
      exchange,
      {
        method: op.method,
        declaresSecurity: op.declaresSecurity,
        auditData: { userIds: model.users.map((u) => u.userId), objectIds: model.objects.map((o) => o.id) },
        ...(withToken ? { withToken } : {}),
      },
      skipped,
    ),
});

/** How the token travels: the header, its scheme, the query string, identity headers beside it. */
export const transport: Family = {
  name: "transport",
  // Attacks on the probes (as token's are) and verdicts on the controls preparation recorded.
  concurrent: true,
  checks: [
    missingToken,
    challengeHeader,
    attackCheck({ id: "transport.scheme", generate: scheme }),
    attackCheck({ id: "transport.token-in-query", generate: tokenInQuery }),
    attackCheck({ id: "transport.identity-override", generate: identityOverride }),
    unprotectedRoute,
  ],
};
