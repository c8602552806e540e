import type { AuthproofConfig } from "./schema.ts";
import { escapeRegExp } from "../regexp.ts";

export const REDACTED = "[REDACTED]";

/** Secrets shorter than this are only redacted where they stand alone, so a secret such as `secret` cannot mangle `secret.strength`. */
const SHORT_SECRET = 8;
const JWT_SHAPED = /eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){1,4}/g;

export interface RedactorOptions {
  /** Keep JWTs (and `tokens`) whole instead of shortening them (`run.includeTokens`). */
  includeTokens?: boolean;
  /** Other bearer credentials to shorten like JWTs (e.g. opaque session tokens). */
  tokens?: string[];
}

/**
 * The forms a secret takes in text: itself, and the base64 / base64url text of any string containing it
 * at each of the three byte alignments (so `Basic <base64(user:secret)>` is caught too).
 */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const bytes = Buffer.from(secret, "utf8");
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64").replace(/=+$/, "");
    // Characters that depend on the filler bytes or on whatever follows the secret are dropped.
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const core = b64.slice(start, end);
    if (core.length >= SHORT_SECRET) {
      forms.add(core);
      forms.add(core.replace(/\+/g, "-").replace(/\//g, "_"));
    }
  }
  forms.add(bytes.toString("base64"));
  forms.add(bytes.toString("base64url"));
  return [...forms].filter((f) => f.length > 0);
}

/** Shortens a token for display: `eyJhbGc…<last 6>`. */
export function shortenToken(token: string): string {
  return token.length <= 16 ? token : `${token.slice(0, 7)}…${token.slice(-6)}`;
}

/**
 * Returns a function that replaces every secret (and its base64 / base64url forms) with `[REDACTED]` and
 * shortens JWT-shaped strings to `eyJhbGc…<last 6>` unless `includeTokens`.
 */
export function makeRedactor(secrets: string[], opts: RedactorOptions = {}): (text: string) => string {
  const long = new Set<string>();
  const short = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    if (secret.length < SHORT_SECRET) short.add(secret);
    for (const form of secretForms(secret)) if (form.length >= SHORT_SECRET) long.add(form);
  }
  const byLength = (a: string, b: string) => b.length - a.length;
  const longRe = long.size ? new RegExp([...long].sort(byLength).map(escapeRegExp).join("|"), "g") : undefined;
  const shortRe = short.size
    ? new RegExp(`(^|[\\s"'=:,;(\\[{<>])(?:${[...short].sort(byLength).map(escapeRegExp).join("|")})(?=$|[\\s"',;)\\]}<>&])`, "g")
    : undefined;
  const tokens = (opts.tokens ?? []).filter((t) => t.length > 16);
  const tokenRe = tokens.length ? new RegExp(tokens.sort(byLength).map(escapeRegExp).join("|"), "g") : undefined;

  return (text: string) => {
    let out = text;
    if (longRe) out = out.replace(longRe, REDACTED);
    if (shortRe) out = out.replace(shortRe, (_m, lead: string) => `${lead}${REDACTED}`);
    if (!opts.includeTokens) {
      out = out.replace(JWT_SHAPED, (jwt) => (jwt.length > 20 ? shortenToken(jwt) : jwt));
      if (tokenRe) out = out.replace(tokenRe, shortenToken);
    }
    return out;
  };
}

const PRIVATE_JWK_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k"];

/** Every secret the configuration holds: shared secret, private JWK members and JSON, account passwords. */
export function secretsFromConfig(config: AuthproofConfig): string[] {
  const out: string[] = [];
  if (config.keys.secret) out.push(config.keys.secret);
  const jwk = config.keys.privateJwk as Record<string, unknown> | undefined;
  if (jwk) {
    for (const m of PRIVATE_JWK_MEMBERS) if (typeof jwk[m] === "string") out.push(jwk[m] as string);
    out.push(JSON.stringify(jwk));
  }
  if (config.users.password) out.push(config.users.password);
  for (const a of config.users.accounts ?? []) out.push(a.password);
  return out;
}
