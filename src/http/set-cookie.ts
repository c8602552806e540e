/** One `Set-Cookie` header line, parsed the way RFC 6265bis §5.6 reads it (attribute names case-insensitive). */
export interface SetCookie {
  name: string;
  value: string;
  httpOnly: boolean;
  secure: boolean;
  /** The SameSite attribute as written (e.g. "Lax", "none"), absent when the server sent none. */
  sameSite?: string;
  path?: string;
  domain?: string;
  /** Max-Age in seconds, when present and numeric. */
  maxAge?: number;
  /** Expires as epoch milliseconds, when present and parseable. */
  expires?: number;
  /** The line as received. */
  raw: string;
}

/** Parses one Set-Cookie line; undefined when it has no `name=value` pair. */
export function parseSetCookie(line: string): SetCookie | undefined {
  const [pair = "", ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return undefined;
  const cookie: SetCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    httpOnly: false,
    secure: false,
    raw: line,
  };
  for (const attribute of attributes) {
    const at = attribute.indexOf("=");
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? "" : attribute.slice(at + 1).trim();
    if (key === "httponly") cookie.httpOnly = true;
    else if (key === "secure") cookie.secure = true;
    else if (key === "samesite") cookie.sameSite = value;
    else if (key === "path") cookie.path = value;
    else if (key === "domain") cookie.domain = value;
    else if (key === "max-age" && /^-?\d+$/.test(value)) cookie.maxAge = Number(value);
    else if (key === "expires") {
      const at = Date.parse(value);
      if (!Number.isNaN(at)) cookie.expires = at;
    }
  }
  return cookie;
}

/** Parses every line, skipping those without a name. */
export function parseSetCookies(lines: string[]): SetCookie[] {
  return lines.map(parseSetCookie).filter((c): c is SetCookie => c !== undefined);
}

/** True when the line deletes the cookie: Max-Age ≤ 0 (which wins over Expires) or an Expires in the past. */
export function isExpired(cookie: SetCookie, now = Date.now()): boolean {
  if (cookie.maxAge !== undefined) return cookie.maxAge <= 0;
  return cookie.expires !== undefined && cookie.expires <= now;
}

/** Lifetime in seconds the browser keeps the cookie (Max-Age, else Expires − now); undefined for a browser-session cookie. */
export function lifetimeSec(cookie: SetCookie, now = Date.now()): number | undefined {
  if (cookie.maxAge !== undefined) return cookie.maxAge;
  if (cookie.expires !== undefined) return Math.round((cookie.expires - now) / 1000);
  return undefined;
}
