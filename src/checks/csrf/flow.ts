import type { CsrfAttempt, CsrfEvidence } from "./judge.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import type { CookieAuditView } from "../cookie/scene.ts";
import { authEndpointUrl, sessionAlive, signInForCookies, signOutWithCookie, stateChangingCall } from "../../target/cookie-session.ts";

/**
 * The cross-site attempts of csrf.untrusted-origin on a fresh cookie session of user A: a no-op profile update
 * (POST update-user with the user's own name) with a foreign Origin and with `Origin: null`, the same call with
 * the site's own Origin (positive control), and a sign-out with the foreign Origin followed by a session check.
 * The session is signed out properly at the end. Returns the evidence, or an `error` verdict when no session
 * could be had.
 */
export async function runCsrfAttempts(ctx: CookieAuditView, foreignOrigin: string): Promise<{ endpoint: NonNullable<CheckOutcome["endpoint"]>; evidence: CsrfEvidence } | { outcome: CheckOutcome }> {
  const { config } = ctx.model;
  const auth = { baseUrl: config.auth.baseUrl, basePath: config.auth.basePath };
  const updateUrl = authEndpointUrl(auth, "/update-user");
  const endpoint = { method: "POST", path: new URL(updateUrl).pathname, url: updateUrl };
  const session = await signInForCookies(ctx.driver, auth, ctx.userA);
  if ("problem" in session)
    return {
      outcome: {
        checkId: "csrf.untrusted-origin",
        endpoint,
        status: "error",
        reason: `cannot get a cookie session: ${session.problem}`,
        exchanges: [{ label: "sign-in", exchange: session.exchange }],
      },
    };
  if (!session.cookie)
    return { outcome: { checkId: "csrf.untrusted-origin", endpoint, status: "skip", reason: "the sign-in set no session cookie: there is no cookie session to ride" } };
  const attempts: CsrfAttempt[] = [];
  const attempt = async (call: "update-user" | "sign-out", origin: string) => {
    const exchange = await stateChangingCall(ctx.driver, auth, session, call, origin);
    attempts.push({ label: `POST ${call} with the session cookie and Origin: ${origin}`, origin, exchange });
  };
  try {
    await attempt("update-user", foreignOrigin);
    await attempt("update-user", "null");
    const control = await stateChangingCall(ctx.driver, auth, session, "update-user", ctx.model.authOrigin);
    await attempt("sign-out", foreignOrigin);
    const sessionSurvived = await sessionAlive(ctx.driver, auth, session);
    return { endpoint, evidence: { attempts, control, sessionSurvived } };
  } finally {
    await signOutWithCookie(ctx.driver, auth, session, ctx.model.authOrigin);
  }
}
