import { makeRedactor } from "../config/redact.ts";

/**
 * Tool arguments never carry key material: the server takes keys from its own environment only. An argument
 * that looks like a key, a token or a password is refused (its value is never echoed back).
 */
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;
const PEM = /-----BEGIN [A-Z ]*KEY-----/;
const OPAQUE = /^[A-Za-z0-9+_=-]{32,}$/;

/** The environment variables whose values are key material or passwords. */
const SECRET_ENV = ["BETTER_AUTH_SECRET", "AUTHPROOF_PRIVATE_JWK", "AUTHPROOF_PASSWORD", "AUTHPROOF_ACCOUNTS", "AUTHPROOF_REAL_TOKEN"];

/** Why `value` looks like key material, or undefined. */
export function secretShape(value: string, env: NodeJS.ProcessEnv): string | undefined {
  if (JWT.test(value)) return "a JWT";
  if (PEM.test(value)) return "a PEM key";
  if (/"(d|k|p|q)"\s*:/.test(value) && /"kty"/.test(value)) return "a private JWK";
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) return "a URL with a password";
  if (OPAQUE.test(value)) return "an opaque secret";
  for (const secret of envSecrets(env)) if (secret.length >= 6 && value.includes(secret)) return "a value of the server's secret environment";
  return undefined;
}

/** Names the first argument (a path such as `only` or `urls[1]`) that looks like a secret. */
export function firstSecretArgument(args: unknown, env: NodeJS.ProcessEnv, path = ""): string | undefined {
  if (typeof args === "string") {
    const shape = secretShape(args, env);
    return shape ? `${path || "argument"} looks like ${shape}` : undefined;
  }
  if (Array.isArray(args)) {
    for (const [i, item] of args.entries()) {
      const found = firstSecretArgument(item, env, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (args && typeof args === "object") {
    for (const [key, item] of Object.entries(args)) {
      const found = firstSecretArgument(item, env, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

/** The secret values of the environment (and a private JWK's members), for a last redaction of error messages. */
export function envSecrets(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const name of SECRET_ENV) {
    const value = env[name];
    if (!value) continue;
    values.push(value);
    try {
      const parsed = JSON.parse(value) as unknown;
      const members = Array.isArray(parsed) ? parsed : [parsed];
      for (const member of members) for (const v of Object.values(member as Record<string, unknown>)) if (typeof v === "string" && v.length >= 8) values.push(v);
    } catch {
      // not JSON: the value itself is the secret
    }
  }
  return values;
}

/** Redacts the server's secret environment out of text it did not take from a report (error messages). */
export function redactEnv(text: string, env: NodeJS.ProcessEnv): string {
  return makeRedactor(envSecrets(env))(text);
}
