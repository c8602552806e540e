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
  return curlCommand(req, (text) => shellQuote(redact(text)));
}

/** `curl -sS -i [-X M] -H … [--data-raw …] URL`, every header line, the body and the URL through `quote`. */
function curlCommand(req: HttpRequest, quote: (text: string) => string): string {
  const parts = ["curl", "-sS", "-i"];
  const method = req.method.toUpperCase();
  const body = bodyText(req);
  if (method !== "GET" || body !== undefined) parts.push("-X", shellQuote(req.method));
  let hasContentType = false;
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    if (name.toLowerCase() === "content-type") hasContentType = true;
    for (const v of Array.isArray(value) ? value : [value]) parts.push("-H", v === "" ? shellQuote(`${name};`) : quote(`${name}: ${v}`));
  }
  if (body !== undefined) {
    if (req.body === undefined && !hasContentType) parts.push("-H", shellQuote("content-type: application/json"));
    parts.push("--data-raw", quote(body));
  }
  parts.push(quote(req.url));
  return parts.join(" ");
}

function bodyText(req: HttpRequest): string | undefined {
  if (req.body !== undefined) return typeof req.body === "string" ? req.body : Buffer.from(req.body).toString("utf8");
  if (req.json !== undefined) return JSON.stringify(req.json);
  return undefined;
}

/** Quotes a string for a POSIX shell with double quotes, so that `$NAME` inside stays a variable. */
function doubleQuote(s: string): string {
  return `"${s.replace(/["\\$`]/g, (c) => `\\${c}`)}"`;
}

/**
 * A complete, pasteable curl command for `req` in which every occurrence of a variable's value (a token, a
 * session cookie) is the shell variable instead: `-H "authorization: Bearer $AUTHPROOF_TOKEN"`. Parts holding
 * a variable are double-quoted, the others single-quoted. Nothing is shortened; `redact` applies to the rest.
 *
 * @example toCurlWithVariables(req, { AUTHPROOF_TOKEN: forged }, redact)
 */
export function toCurlWithVariables(req: HttpRequest, variables: Readonly<Record<string, string>>, redact: (s: string) => string = (s) => s): string {
  const named = Object.entries(variables)
    .filter(([, value]) => value.length > 0)
    .sort(([, a], [, b]) => b.length - a.length);
  const quote = (text: string): string => {
    if (!named.some(([, value]) => text.includes(value))) return shellQuote(redact(text));
    // Split around the values, redact and escape the text between them, and put the variables in.
    let pieces: Array<{ text: string } | { variable: string }> = [{ text }];
    for (const [name, value] of named) {
      pieces = pieces.flatMap((piece) =>
        "text" in piece ? piece.text.split(value).flatMap((part, i) => (i === 0 ? [{ text: part }] : [{ variable: name }, { text: part }])) : [piece],
      );
    }
    return `"${pieces.map((p) => ("text" in p ? doubleQuote(redact(p.text)).slice(1, -1) : `\${${p.variable}}`)).join("")}"`;
  };
  return curlCommand(req, quote);
}
