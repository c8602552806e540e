import type { Exchange } from "../../http/types.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import { maskSetCookie } from "../../http/mask.ts";
import { isExpired, lifetimeSec, parseSetCookies, type SetCookie } from "../../http/set-cookie.ts";
import type { CheckId } from "../../catalogue/checks.ts";

type Endpoint = NonNullable<CheckOutcome["endpoint"]>;

/** Longest session cookie lifetime accepted when the policy names none: 30 days. */
export const DEFAULT_MAX_COOKIE_LIFETIME_SEC = 30 * 24 * 3600;

/** What the cookie judges know about where the cookies came from. */
export interface CookieScene {
  endpoint: Endpoint;
  /** The raw Set-Cookie lines of the answer (sign-in). */
  lines: string[];
  /** Secure is required (https, or cookies.expectSecure: true). */
  expectSecure: boolean;
  /** Why Secure is (not) expected, for the reason text. */
  secureBasis: string;
  /** Host name of the site that set the cookies (for Domain). */
  host: string;
  maxLifetimeSec: number;
  /** The exchange that set them (evidence). */
  exchange?: Exchange;
  now?: number;
}

/** Better Auth's session cookies (`[__Secure-]<prefix>.session_token`, `.session_data`), or any cookie named like a session. */
export function isSessionCookie(name: string): boolean {
  return /session/i.test(name);
}

/** The cookies a scene sets (lines that delete a cookie are left out). */
export function liveCookies(scene: Pick<CookieScene, "lines" | "now">): SetCookie[] {
  return parseSetCookies(scene.lines).filter((c) => !isExpired(c, scene.now));
}

/** cookie.httponly: every cookie the sign-in sets is HttpOnly. */
export function judgeHttpOnly(scene: CookieScene): CheckOutcome {
  return judgeEach(scene, "cookie.httponly", liveCookies(scene), (c) => (c.httpOnly ? undefined : "no HttpOnly: document.cookie exposes it to every script"));
}

/** cookie.secure: with https (or expectSecure), every cookie the sign-in sets is Secure. */
export function judgeSecure(scene: CookieScene): CheckOutcome {
  if (!scene.expectSecure) return skipOrNone(scene, "cookie.secure", `Secure is not expected: ${scene.secureBasis} (set cookies.expectSecure: true to require it)`);
  return judgeEach(scene, "cookie.secure", liveCookies(scene), (c) => (c.secure ? undefined : `no Secure although ${scene.secureBasis}`));
}

/** cookie.samesite: session cookies are SameSite=Lax or Strict; None (worse without Secure), missing and invalid values fail. */
export function judgeSameSite(scene: CookieScene): CheckOutcome {
  const session = liveCookies(scene).filter((c) => isSessionCookie(c.name));
  return judgeEach(scene, "cookie.samesite", session, (c) => {
    const value = c.sameSite?.toLowerCase();
    if (value === "lax" || value === "strict") return undefined;
    if (value === undefined) return "no SameSite attribute: browsers other than Chromium send it on cross-site requests";
    if (value === "none")
      return c.secure ? "SameSite=None: the session cookie rides every cross-site request" : "SameSite=None without Secure: cross-site requests carry it (and browsers that require Secure drop it)";
    return `invalid SameSite=${c.sameSite}: browsers fall back to their default`;
  }, "no session cookie was set");
}

/** cookie.prefix: `__Secure-` needs Secure; `__Host-` needs Secure, Path=/ and no Domain; session cookies on https carry a prefix. */
export function judgePrefix(scene: CookieScene): CheckOutcome {
  return judgeEach(scene, "cookie.prefix", liveCookies(scene), (c) => {
    if (/^__host-/i.test(c.name)) {
      const broken = [!c.secure && "no Secure", c.path !== "/" && `Path=${c.path ?? "(none)"}`, c.domain !== undefined && `Domain=${c.domain}`].filter(Boolean);
      return broken.length ? `__Host- prefix with ${broken.join(", ")}: browsers reject it` : undefined;
    }
    if (/^__secure-/i.test(c.name)) return c.secure ? undefined : "__Secure- prefix without Secure: browsers reject it";
    if (scene.expectSecure && isSessionCookie(c.name)) return `session cookie without a __Secure- or __Host- prefix although ${scene.secureBasis}`;
    return undefined;
  });
}

/** cookie.lifetime: session cookies live no longer than the policy and are not scoped to a parent Domain. */
export function judgeCookieLifetime(scene: CookieScene): CheckOutcome {
  const now = scene.now ?? Date.now();
  const notes: string[] = [];
  const outcome = judgeEach(scene, "cookie.lifetime", liveCookies(scene).filter((c) => isSessionCookie(c.name)), (c) => {
    const problems: string[] = [];
    const lifetime = lifetimeSec(c, now);
    if (lifetime !== undefined && lifetime > scene.maxLifetimeSec)
      problems.push(`lives ${lifetime} s (${(lifetime / 86400).toFixed(1)} days), more than the policy's ${scene.maxLifetimeSec} s`);
    if (c.domain !== undefined) {
      const domain = c.domain.replace(/^\./, "").toLowerCase();
      if (domain !== scene.host.toLowerCase()) problems.push(`Domain=${c.domain} sends it to every host under ${domain}, not only ${scene.host}`);
      else notes.push(`${c.name}: Domain=${c.domain} also covers subdomains of ${scene.host}; a host-only cookie (no Domain) is narrower`);
    }
    if (lifetime !== undefined) notes.push(`${c.name}: ${lifetime} s`);
    return problems.length ? problems.join("; ") : undefined;
  }, "no session cookie was set");
  return notes.length ? { ...outcome, notes: [...(outcome.notes ?? []), ...notes] } : outcome;
}

/**
 * cookie.cleared-on-signout: each session cookie the sign-in set is deleted (Max-Age ≤ 0 or a past Expires)
 * by the sign-out answer.
 */
export function judgeClearedOnSignout(signIn: CookieScene, signOut: Exchange): CheckOutcome {
  const base = { checkId: "cookie.cleared-on-signout" as const, endpoint: { method: signOut.request.method, path: new URL(signOut.request.url).pathname, url: signOut.request.url } };
  const exchanges = [{ label: "sign-out with the session cookie", exchange: signOut }];
  const response = signOut.response;
  if (!response) return { ...base, status: "error", reason: `sign-out got no answer: ${signOut.error?.message ?? "no response"}`, exchanges };
  if (response.status < 200 || response.status >= 300)
    return { ...base, status: "error", reason: `sign-out answered ${response.status}; cannot judge the cookies it should clear`, exchanges };
  const session = liveCookies(signIn).filter((c) => isSessionCookie(c.name));
  if (session.length === 0) return { ...base, status: "skip", reason: "the sign-in set no session cookie" };
  const lines = headerList(response.headers, "set-cookie");
  const cleared = parseSetCookies(lines).filter((c) => isExpired(c, signIn.now));
  const left = session.filter((c) => !cleared.some((d) => d.name === c.name));
  if (left.length === 0) return { ...base, status: "pass", notes: cleared.map((c) => `cleared: ${maskSetCookie(c.raw)}`), exchanges };
  return {
    ...base,
    status: "fail",
    reason: `sign-out does not expire ${left.map((c) => c.name).join(", ")}`,
    failedVariants: left.map((c) => `${c.name}: ${lines.some((l) => l.startsWith(`${c.name}=`)) ? "re-set without expiry" : "no Set-Cookie for it in the sign-out answer"}`),
    exchanges,
  };
}

/** Judges each cookie with `problem`; fails naming every cookie (with its masked Set-Cookie line) that has one. */
function judgeEach(
  scene: CookieScene,
  checkId: CheckId,
  cookies: SetCookie[],
  problem: (cookie: SetCookie) => string | undefined,
  noneReason = "the sign-in set no cookies",
): CheckOutcome {
  const base = { checkId, endpoint: scene.endpoint, ...(scene.exchange ? { exchanges: [{ label: "sign-in", exchange: scene.exchange }] } : {}) };
  if (cookies.length === 0) return { ...base, status: "skip", reason: noneReason };
  const bad = cookies.flatMap((c) => {
    const why = problem(c);
    return why ? [{ cookie: c, why }] : [];
  });
  const variants = { total: cookies.length, failed: bad.length };
  if (bad.length === 0) return { ...base, status: "pass", variants, notes: cookies.map((c) => maskSetCookie(c.raw)) };
  return {
    ...base,
    status: "fail",
    reason: bad.map(({ cookie, why }) => `${cookie.name}: ${why}`).join("; "),
    variants,
    failedVariants: bad.map(({ cookie, why }) => `${maskSetCookie(cookie.raw)} — ${why}`),
  };
}

function skipOrNone(scene: CookieScene, checkId: CheckId, reason: string): CheckOutcome {
  return { checkId, endpoint: scene.endpoint, status: "skip", reason };
}

function headerList(headers: Record<string, string | string[]>, name: string): string[] {
  const value = headers[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
