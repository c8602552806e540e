import type { HttpRequest } from "./types.ts";

/** Quotes a string for a POSIX shell with single quotes. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A copy-pasteable curl command reproducing `req`: one `-H` per header line (repeated headers repeated),
 * `--data-raw` for the body. Header values, the body and the URL pass through `redact` (secrets, long tokens).
 */
export function toCurl(req: HttpRequest, redact: (s: string) => string): string {
  const parts = ["curl", "-sS", "-i"];
  const method = req.method.toUpperCase();
  const body = bodyText(req);
  if (method !== "GET" || body !== undefined) parts.push("-X", shellQuote(req.method));
  let hasContentType = false;
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    if (name.toLowerCase() === "content-type") hasContentType = true;
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push("-H", shellQuote(v === "" ? `${name};` : `${name}: ${redact(v)}`));
    }
  }
  if (body !== undefined) {
    if (req.body === undefined && !hasContentType) parts.push("-H", shellQuote("content-type: application/json"));
    parts.push("--data-raw", shellQuote(redact(body)));
  }
  parts.push(shellQuote(redact(req.url)));
  return parts.join(" ");
}

function bodyText(req: HttpRequest): string | undefined {
  if (req.body !== undefined) return typeof req.body === "string" ? req.body : Buffer.from(req.body).toString("utf8");
  if (req.json !== undefined) return JSON.stringify(req.json);
  return undefined;
}
