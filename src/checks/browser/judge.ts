import { maskValue } from "../../http/mask.ts";
import { isExpired, parseSetCookies, type SetCookie } from "../../http/set-cookie.ts";
import { isSessionCookie } from "../cookie/judge.ts";
import type { CheckOutcome } from "../../judge/types.ts";
import type { JarCookie, StorageSnapshot } from "../../browser/ui.ts";

type Endpoint = NonNullable<CheckOutcome["endpoint"]>;

const JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/;

/** One place scripts can read a credential from. */
export interface StorageFinding {
  where: string;
  what: string;
}

/**
 * Credentials readable by scripts in one storage snapshot: JWT-shaped values and the known session tokens
 * (raw or inside a signed cookie value) in localStorage, sessionStorage, and in document.cookie for cookies
 * the server did not set itself (server cookies without HttpOnly are cookie.httponly's finding, returned apart).
 */
export function findReadableTokens(
  snapshot: StorageSnapshot,
  sessionTokens: string[],
  serverCookieNames: string[],
): { findings: StorageFinding[]; serverCookiesReadable: string[] } {
  const tokens = sessionTokens.filter((t) => t.length >= 16).flatMap((t) => [t, t.split(".")[0]!]).filter((t) => t.length >= 16);
  const credential = (value: string): string | undefined => {
    const decoded = safeDecode(value);
    const jwt = JWT.exec(decoded)?.[0];
    if (jwt) return `a JWT (${maskValue(jwt)})`;
    const token = tokens.find((t) => decoded.includes(t));
    return token ? `the session token (${maskValue(token)})` : undefined;
  };
  const findings: StorageFinding[] = [];
  for (const [area, entries] of [["localStorage", snapshot.localStorage], ["sessionStorage", snapshot.sessionStorage]] as const) {
    for (const [key, value] of entries) {
      const what = credential(value) ?? credential(key);
      if (what) findings.push({ where: `${area}[${JSON.stringify(key)}] on ${snapshot.url}`, what });
    }
  }
  const serverCookiesReadable: string[] = [];
  for (const pair of snapshot.documentCookie.split(";").map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf("=");
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? "" : pair.slice(eq + 1);
    if (serverCookieNames.includes(name)) {
      serverCookiesReadable.push(name);
      continue;
    }
    const what = credential(value);
    if (what) findings.push({ where: `document.cookie ${name} (set by a script) on ${snapshot.url}`, what });
  }
  return { findings, serverCookiesReadable };
}

/** browser.token-storage: nothing in the snapshots (after UI sign-up and sign-in) exposes a session token or JWT to scripts. */
export function judgeTokenStorage(
  endpoint: Endpoint,
  snapshots: StorageSnapshot[],
  sessionTokens: string[],
  serverCookieNames: string[],
): CheckOutcome {
  const base = { checkId: "browser.token-storage" as const, endpoint };
  if (snapshots.length === 0) return { ...base, status: "skip", reason: "no page was inspected" };
  const findings: StorageFinding[] = [];
  const serverReadable = new Set<string>();
  for (const snapshot of snapshots) {
    const found = findReadableTokens(snapshot, sessionTokens, serverCookieNames);
    findings.push(...found.findings);
    found.serverCookiesReadable.forEach((name) => serverReadable.add(name));
  }
  const inspected = snapshots.map((s) => `${s.url}: ${s.localStorage.length} localStorage, ${s.sessionStorage.length} sessionStorage entries`);
  const notes = [
    ...inspected,
    ...(serverReadable.size ? [`document.cookie shows server cookie(s) ${[...serverReadable].join(", ")} (no HttpOnly): reported under cookie.httponly`] : []),
  ];
  const variants = { total: snapshots.length, failed: findings.length ? 1 : 0 };
  if (findings.length === 0) return { ...base, status: "pass", variants, notes };
  return {
    ...base,
    status: "fail",
    reason: `scripts can read ${findings[0]!.what} from ${findings[0]!.where}${findings.length > 1 ? ` (and ${findings.length - 1} more)` : ""}`,
    variants,
    failedVariants: findings.map((f) => `${f.where}: ${f.what}`),
    notes,
  };
}

export interface JarScene {
  endpoint: Endpoint;
  /** Raw Set-Cookie lines the browser received from the auth answer. */
  rawLines: string[];
  jar: JarCookie[];
  /** Names of server cookies that document.cookie showed. */
  readableByScripts: string[];
  expectSecure: boolean;
  secureBasis: string;
}

/**
 * cookie.httponly / cookie.secure / cookie.samesite as a real browser keeps the cookies: the jar's session
 * cookies against the raw Set-Cookie lines. Chromium reports SameSite=Lax when the server sent none, so a
 * missing attribute is read from the raw line (and noted), never from the jar.
 */
export function judgeJar(checkId: "cookie.httponly" | "cookie.secure" | "cookie.samesite", scene: JarScene): CheckOutcome {
  const base = { checkId, endpoint: scene.endpoint };
  const raw = parseSetCookies(scene.rawLines).filter((c) => !isExpired(c));
  const serverNames = new Set(raw.map((c) => c.name));
  const cookies = scene.jar.filter((c) => serverNames.has(c.name) || isSessionCookie(c.name));
  const notes = jarNotes(raw, scene.jar);
  if (cookies.length === 0) return { ...base, status: "skip", reason: "the browser holds no session cookie after the UI sign-in", notes };
  if (checkId === "cookie.secure" && !scene.expectSecure)
    return { ...base, status: "skip", reason: `Secure is not expected: ${scene.secureBasis}`, notes };
  const problem = (c: JarCookie): string | undefined => {
    if (checkId === "cookie.httponly")
      return c.httpOnly ? undefined : `httpOnly: false in the browser's jar${scene.readableByScripts.includes(c.name) ? "; document.cookie shows it" : ""}`;
    if (checkId === "cookie.secure") return c.secure ? undefined : `secure: false in the browser's jar although ${scene.secureBasis}`;
    if (!isSessionCookie(c.name)) return undefined;
    return c.sameSite === "None" ? "sameSite: None in the browser's jar: it rides cross-site requests" : undefined;
  };
  const bad = cookies.flatMap((c) => {
    const why = problem(c);
    return why ? [{ c, why }] : [];
  });
  const variants = { total: cookies.length, failed: bad.length };
  if (bad.length === 0) return { ...base, status: "pass", variants, notes };
  return {
    ...base,
    status: "fail",
    reason: bad.map(({ c, why }) => `${c.name}: ${why}`).join("; "),
    variants,
    failedVariants: bad.map(({ c, why }) => `${c.name} (domain ${c.domain}, path ${c.path}, httpOnly ${c.httpOnly}, secure ${c.secure}, sameSite ${c.sameSite}): ${why}`),
    notes,
  };
}

/** Where the jar and the raw headers disagree: cookies the browser refused, attributes it filled in, cookies scripts set. */
export function jarNotes(raw: SetCookie[], jar: JarCookie[]): string[] {
  const notes: string[] = [];
  for (const cookie of raw) {
    const kept = jar.find((c) => c.name === cookie.name);
    if (!kept) {
      notes.push(`${cookie.name}: set by the server but not in the browser's jar (the browser refused it)`);
      continue;
    }
    if (cookie.sameSite === undefined) notes.push(`${cookie.name}: no SameSite in the raw header; the jar says ${kept.sameSite} (Chromium's default)`);
    else if (cookie.sameSite.toLowerCase() !== kept.sameSite.toLowerCase()) notes.push(`${cookie.name}: SameSite=${cookie.sameSite} in the raw header, ${kept.sameSite} in the jar`);
    if (cookie.httpOnly !== kept.httpOnly) notes.push(`${cookie.name}: HttpOnly ${cookie.httpOnly} in the raw header, ${kept.httpOnly} in the jar`);
    if (cookie.secure !== kept.secure) notes.push(`${cookie.name}: Secure ${cookie.secure} in the raw header, ${kept.secure} in the jar`);
  }
  for (const cookie of jar) if (!raw.some((c) => c.name === cookie.name) && isSessionCookie(cookie.name)) notes.push(`${cookie.name}: in the jar but not set by this answer`);
  return notes;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
