import type { Exchange } from "../../http/types.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import type { AuditContext } from "../../model/context.ts";
import { endpointOf } from "../../model/endpoint.ts";
import { cookieHeader } from "../../target/identities.ts";

/** The foreign site of the cross-site requests. */
export const EVIL_ORIGIN = "https://evil.example";

/**
 * csrf.cookie-backend (session mode): every state-changing probe aimed at an id that does not exist, sent the way a
 * foreign page's form or fetch would send it: user A's session cookie, no Authorization, Origin: https://evil.example.
 * Refused means 401/403, or the very status the request gets without any credential.
 */
export async function cookieBackendCsrf(ctx: AuditContext): Promise<CheckOutcome[]> {
  const base = { checkId: "csrf.cookie-backend" as const };
  if (ctx.model.config.mode !== "session") return [{ ...base, status: "skip", reason: "session mode only (mode: session): the backend takes JWTs here" }];
  const cookie = cookieHeader(ctx.userA.cookies);
  if (!cookie) return [{ ...base, status: "skip", reason: "user A has no session cookie" }];
  const probes = ctx.model.probes.filter((p) => p.kind === "write" && p.aim === "an id that does not exist");
  if (probes.length === 0) return [{ ...base, status: "skip", reason: "no state-changing operation that can be aimed at an id that does not exist" }];
  return Promise.all(
    probes.map(async (probe): Promise<CheckOutcome> => {
      const endpoint = endpointOf(probe.op, probe.request.url);
      const exchange = await ctx.driver.send({ ...probe.request, headers: { ...probe.request.headers, cookie, origin: EVIL_ORIGIN } });
      const status = exchange.response?.status;
      const anonymous = probe.controls.negative.response?.status;
      const exchanges = [
        { label: `session cookie with Origin: ${EVIL_ORIGIN}`, exchange },
        { label: "control: no credentials", exchange: probe.controls.negative },
      ];
      if (status === undefined) return { ...base, endpoint, status: "error", reason: `no answer: ${describe(exchange)}`, exchanges };
      if (status === 401 || status === 403 || status === anonymous)
        return { ...base, endpoint, status: "pass", exchanges, notes: [`refused with ${status}`] };
      return { ...base, endpoint, status: "fail", reason: `a cross-site ${probe.op.method} with the session cookie got ${status} (without credentials: ${anonymous ?? "no answer"}): the backend acted on the cookie`, exchanges };
    }),
  );
}

function describe(exchange: Exchange): string {
  return exchange.error ? `${exchange.error.kind}: ${exchange.error.message}` : "no response";
}
