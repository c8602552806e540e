import type { Exchange } from "./types.ts";

/** Shortens a cookie value for evidence: enough to recognise it, not enough to replay it. */
export function maskValue(value: string): string {
  if (value.length <= 12) return value;
  return `${value.slice(0, 4)}…${value.slice(-4)} (${value.length} chars)`;
}

/** A `Cookie` request header with every value shortened. */
export function maskCookieHeader(header: string): string {
  return header
    .split(";")
    .map((pair) => {
      const eq = pair.indexOf("=");
      return eq < 0 ? pair : `${pair.slice(0, eq)}=${maskValue(pair.slice(eq + 1))}`;
    })
    .join(";");
}

/** A `Set-Cookie` line with its value shortened and its attributes kept. */
export function maskSetCookie(line: string): string {
  const semi = line.indexOf(";");
  const pair = semi < 0 ? line : line.slice(0, semi);
  const rest = semi < 0 ? "" : line.slice(semi);
  return maskCookieHeader(pair) + rest;
}

/**
 * A copy of an exchange fit for a report: cookie values in the request's `Cookie` header and the response's
 * `Set-Cookie` lines shortened, and the session credentials Better Auth echoes (`set-auth-token`, `token`) shortened.
 */
export function maskExchange(exchange: Exchange): Exchange {
  const request = { ...exchange.request, headers: { ...(exchange.request.headers ?? {}) } };
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === "cookie") request.headers[name] = Array.isArray(value) ? value.map(maskCookieHeader) : maskCookieHeader(value);
    if (name.toLowerCase() === "authorization") {
      const mask = (v: string) => v.replace(/^(\S+\s+)(.+)$/, (_, scheme: string, credential: string) => scheme + maskValue(credential));
      request.headers[name] = Array.isArray(value) ? value.map(mask) : mask(value);
    }
  }
  if (request.json !== undefined && typeof request.json === "object" && request.json !== null && "password" in request.json)
    request.json = { ...(request.json as Record<string, unknown>), password: "[REDACTED]" };
  const masked: Exchange = { ...exchange, request };
  if (exchange.response) {
    const headers = { ...exchange.response.headers };
    const setCookie = headers["set-cookie"];
    if (setCookie !== undefined) headers["set-cookie"] = (Array.isArray(setCookie) ? setCookie : [setCookie]).map(maskSetCookie);
    const authToken = headers["set-auth-token"];
    if (typeof authToken === "string") headers["set-auth-token"] = maskValue(authToken);
    const body = exchange.response.body.replace(/("token"\s*:\s*")([^"]{13,})(")/g, (_, a: string, token: string, z: string) => a + maskValue(token) + z);
    const { json: _json, ...rest } = exchange.response;
    masked.response = { ...rest, headers, body };
  }
  return masked;
}
