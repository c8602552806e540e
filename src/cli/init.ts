import { existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { request } from "undici";
import { UsageError } from "./errors.ts";

/** Routes a Next.js app commonly mints its backend JWT on, tried when Better Auth serves no JWKS. */
const CUSTOM_TOKEN_ROUTES = ["/api/backend-token", "/api/token", "/api/jwt", "/api/auth/backend-token"];
const BETTER_AUTH_TOKEN = "/api/auth/token";
const PROBE_TIMEOUT_MS = 5000;

interface Probe {
  url: string;
  status?: number;
  json?: unknown;
  error?: string;
}

export interface InitOptions {
  api: string;
  auth?: string;
  output: string;
  force?: boolean;
  cwd?: string;
  log?: (line: string) => void;
}

/** What the probes found, and the config they lead to. */
export interface InitPlan {
  mode: "jwks" | "shared-secret";
  tokenPath?: string;
  openapi: "served" | "missing";
  operations?: number;
  notes: string[];
}

async function probe(url: string): Promise<Probe> {
  try {
    const response = await request(url, { method: "GET", headersTimeout: PROBE_TIMEOUT_MS, bodyTimeout: PROBE_TIMEOUT_MS, headers: { accept: "application/json" } });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { url, status: response.statusCode, json };
  } catch (error) {
    return { url, error: (error as Error).message };
  }
}

function trimUrl(value: string, flag: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    return value.replace(/\/+$/, "");
  } catch {
    throw new UsageError(`${flag}: expected a URL (http:// or https://), got "${value}"`);
  }
}

/**
 * Probes the URLs given (the OpenAPI document, Better Auth's JWKS and token routes) and decides the mode: a
 * JWKS at `<auth>/api/auth/jwks` means jwks mode (Better Auth's jwt() plugin); otherwise a custom token route
 * that exists (anything but 404) means shared-secret mode with that route.
 */
export async function planConfig(apiUrl: string, authUrl: string | undefined): Promise<InitPlan> {
  const notes: string[] = [];
  const openapi = await probe(`${apiUrl}/openapi.json`);
  if (openapi.error) throw new UsageError(`--api: cannot reach ${openapi.url} (${openapi.error})`);
  const doc = openapi.json as { openapi?: string; paths?: Record<string, Record<string, unknown>> } | undefined;
  const served = openapi.status === 200 && typeof doc?.openapi === "string";
  const operations = served ? Object.values(doc!.paths ?? {}).reduce((n, item) => n + Object.keys(item).filter((m) => /^(get|post|put|patch|delete)$/i.test(m)).length, 0) : undefined;
  notes.push(served ? `${openapi.url}: OpenAPI ${doc!.openapi}, ${operations} operations` : `${openapi.url}: ${openapi.status} (no OpenAPI document served: set api.openapiFile)`);
  if (!authUrl) {
    notes.push("no --auth: the audit mints its users' tokens itself and needs the signing key (BETTER_AUTH_SECRET or AUTHPROOF_PRIVATE_JWK)");
    return { mode: "shared-secret", openapi: served ? "served" : "missing", ...(operations !== undefined ? { operations } : {}), notes };
  }
  const jwks = await probe(`${authUrl}/api/auth/jwks`);
  if (jwks.error) throw new UsageError(`--auth: cannot reach ${jwks.url} (${jwks.error})`);
  const keys = (jwks.json as { keys?: Array<{ alg?: string; kty?: string; crv?: string }> } | undefined)?.keys;
  if (jwks.status === 200 && Array.isArray(keys) && keys.length > 0) {
    const algs = [...new Set(keys.map((k) => k.alg ?? (k.crv ? `${k.kty}/${k.crv}` : k.kty ?? "?")))].join(", ");
    notes.push(`${jwks.url}: 200, ${keys.length} key(s) (${algs}) → mode "jwks"`);
    const token = await probe(`${authUrl}${BETTER_AUTH_TOKEN}`);
    notes.push(`${token.url}: ${token.status ?? token.error} (${token.status === 404 ? "missing: set auth.tokenPath to the route that gives the backend JWT" : "Better Auth's token route"})`);
    return { mode: "jwks", ...(token.status !== 404 ? { tokenPath: BETTER_AUTH_TOKEN } : {}), openapi: served ? "served" : "missing", ...(operations !== undefined ? { operations } : {}), notes };
  }
  notes.push(`${jwks.url}: ${jwks.status} (no JWKS) → mode "shared-secret" (HS256 with BETTER_AUTH_SECRET)`);
  for (const route of CUSTOM_TOKEN_ROUTES) {
    const found = await probe(`${authUrl}${route}`);
    if (found.status !== undefined && found.status !== 404) {
      notes.push(`${found.url}: ${found.status} → auth.tokenPath "${route}"`);
      return { mode: "shared-secret", tokenPath: route, openapi: served ? "served" : "missing", ...(operations !== undefined ? { operations } : {}), notes };
    }
  }
  notes.push(`no token route found (tried ${CUSTOM_TOKEN_ROUTES.join(", ")}): set auth.tokenPath`);
  return { mode: "shared-secret", openapi: served ? "served" : "missing", ...(operations !== undefined ? { operations } : {}), notes };
}

/** Whether `authproof/config` resolves from `dir` (authproof is installed there), so the config can import defineConfig. */
function canImportDefineConfig(dir: string): boolean {
  try {
    createRequire(path.join(dir, "package.json")).resolve("authproof/config");
    return true;
  } catch {
    return false;
  }
}

/** The starter config's text: TypeScript with comments (or JSON for a .json file). */
export function renderConfig(plan: InitPlan, apiUrl: string, authUrl: string | undefined, options: { json: boolean; importDefine: boolean; date?: string }): string {
  const config: Record<string, unknown> = {
    mode: plan.mode,
    api: { baseUrl: apiUrl, ...(plan.openapi === "missing" ? { openapiFile: "openapi.json" } : {}) },
    ...(authUrl ? { auth: { baseUrl: authUrl, ...(plan.tokenPath ? { tokenPath: plan.tokenPath } : {}) } } : {}),
    ...(authUrl ? { cors: { allowedOrigins: [new URL(authUrl).origin] } } : {}),
    policy: { failOn: "high" },
  };
  if (options.json) return `${JSON.stringify(config, null, 2)}\n`;
  const q = JSON.stringify;
  const lines = [
    `// authproof.config.ts, written by \`authproof init\`${options.date ? ` on ${options.date}` : ""}. What the probes found:`,
    ...plan.notes.map((n) => `//   ${n}`),
    "// Secrets never go in this file: BETTER_AUTH_SECRET (shared-secret mode) or AUTHPROOF_PRIVATE_JWK (a private",
    "// key the backend trusts, jwks mode) come from the environment and make authproof a signing oracle; without",
    "// one the checks that need a key are skipped. Every field: `authproof audit --help`; checks: `authproof checks`.",
    ...(options.importDefine ? ['import { defineConfig } from "authproof/config";', ""] : ["// (npm i -D authproof, then wrap the object in defineConfig from \"authproof/config\" for types)", ""]),
    `export default ${options.importDefine ? "defineConfig(" : ""}{`,
    `  mode: ${q(plan.mode)},`,
    "  api: {",
    `    baseUrl: ${q(apiUrl)},`,
    plan.openapi === "missing"
      ? '    openapiFile: "openapi.json", // the backend serves no /openapi.json: point at a copy of its document'
      : `    // openapiPath: "/openapi.json", // served${plan.operations !== undefined ? `: ${plan.operations} operations` : ""}`,
    '    // publicRoutes: ["/health", "/docs", "/openapi.json"], // answered without a token on purpose',
    "  },",
    ...(authUrl
      ? [
          "  auth: {",
          `    baseUrl: ${q(authUrl)}, // Better Auth (the Next.js app)`,
          plan.tokenPath ? `    tokenPath: ${q(plan.tokenPath)}, // gives a signed-in session its backend JWT` : '    // tokenPath: "/api/…", // the route that gives a signed-in session its backend JWT',
          "  },",
          `  cors: { allowedOrigins: [${q(new URL(authUrl).origin)}] }, // origins the backend's CORS must allow`,
        ]
      : ["  // auth: { baseUrl: \"https://app.example.com\" }, // without it the audit mints tokens with the key"]),
    "  // users: { signUp: false, accounts: [{ email, password }, { email, password }] }, // or AUTHPROOF_ACCOUNTS",
    '  policy: { failOn: "high" }, // lowest severity that fails the run (exit 1)',
    "  // rate: { rps: 20, concurrency: 4 }, // stay polite to a shared staging",
    '  // run: { only: ["transport", "token", "isolation"] },',
    `}${options.importDefine ? ")" : ""};`,
    "",
  ];
  return lines.join("\n");
}

/** `authproof init`: probes, writes the starter config, says what it found. */
export async function initConfig(options: InitOptions): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const log = options.log ?? ((line: string) => console.log(line));
  const apiUrl = trimUrl(options.api, "--api");
  const authUrl = options.auth ? trimUrl(options.auth, "--auth") : undefined;
  const file = path.resolve(cwd, options.output);
  if (existsSync(file) && !options.force) throw new UsageError(`${options.output} exists; pass --force to overwrite it`);
  const plan = await planConfig(apiUrl, authUrl);
  const json = file.endsWith(".json");
  const text = renderConfig(plan, apiUrl, authUrl, { json, importDefine: canImportDefineConfig(path.dirname(file)), date: new Date().toISOString().slice(0, 10) });
  writeFileSync(file, text);
  for (const note of plan.notes) log(`  ${note}`);
  log(`wrote ${path.relative(cwd, file) || file} (mode ${plan.mode}${plan.tokenPath ? `, token route ${plan.tokenPath}` : ""})`);
  log(`next: ${plan.mode === "shared-secret" ? "BETTER_AUTH_SECRET=… " : "AUTHPROOF_PRIVATE_JWK='…' (optional) "}npx authproof audit`);
  return 0;
}
