import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { createJiti } from "jiti";
import type { z } from "zod";
import { AuthproofError } from "../errors.ts";
import { configSchema, type AuthproofConfig } from "./schema.ts";

/** Bad configuration: one message naming the field, e.g. `config: api.baseUrl: expected a URL, got "localhost"`. */
export class ConfigError extends AuthproofError<"CONFIG_INVALID"> {
  constructor(
    /** Dotted path of the offending field (`api.baseUrl`, `run.reporters[1]`), or `file` for the file itself. */
    readonly field: string,
    detail: string,
    /** Every problem found, the first of which is the message. */
    readonly problems: string[] = [],
  ) {
    super("CONFIG_INVALID", `config: ${field}: ${detail}`);
  }
}

type Kind = "string" | "number" | "boolean" | "list" | "json";

/**
 * Where a field can come from besides the config file. Also the documentation of those variables and flags:
 * the CLI builds each command's options and help from this list (flag, value name, description, default from
 * the schema, environment variable), so help and config cannot disagree.
 */
export interface ConfigSource {
  path: string[];
  env?: string;
  flags?: string[];
  kind: Kind;
  /** Never echoed in messages. */
  sensitive?: boolean;
  /** One line for --help. */
  description: string;
  /** The value's name in --help (`<url>`, `<ms>`, …); booleans have none. */
  value?: string;
  /** Commands that take the flag besides audit and reference (e.g. `report`). */
  alsoFor?: string[];
}

export const CONFIG_SOURCES: ConfigSource[] = [
  { path: ["api", "baseUrl"], env: "AUTHPROOF_API_URL", flags: ["api"], kind: "string", value: "url", description: "base URL of the FastAPI backend" },
  { path: ["api", "openapiPath"], env: "AUTHPROOF_OPENAPI_PATH", flags: ["openapi"], kind: "string", value: "path", description: "path of the served OpenAPI document" },
  { path: ["api", "openapiFile"], env: "AUTHPROOF_OPENAPI_FILE", flags: ["openapi-file"], kind: "string", value: "file", description: "a local OpenAPI document (JSON or YAML) instead of the served one" },
  { path: ["auth", "baseUrl"], env: "AUTHPROOF_AUTH_URL", flags: ["auth"], kind: "string", value: "url", description: "Better Auth base URL (none: the audit mints its users' tokens with the key)" },
  { path: ["auth", "tokenPath"], env: "AUTHPROOF_TOKEN_PATH", flags: ["token-path"], kind: "string", value: "path", description: "route that gives a signed-in session its backend JWT" },
  { path: ["mode"], env: "AUTHPROOF_MODE", flags: ["mode"], kind: "string", value: "jwks|shared-secret|session", description: "how the backend checks callers: JWTs via JWKS, HS256 JWTs, or Better Auth session tokens" },
  { path: ["keys", "secret"], env: "BETTER_AUTH_SECRET", flags: ["secret"], kind: "string", sensitive: true, value: "secret", description: "the shared HS256 secret (prefer the environment variable)" },
  { path: ["keys", "privateJwk"], env: "AUTHPROOF_PRIVATE_JWK", kind: "string", sensitive: true, description: "a private JWK (JSON) the backend trusts: a signing oracle in jwks mode" },
  { path: ["claims", "issuer"], env: "AUTHPROOF_ISSUER", flags: ["issuer"], kind: "string", value: "iss", description: "expected iss (default: what real tokens carry)" },
  { path: ["claims", "audience"], env: "AUTHPROOF_AUDIENCE", flags: ["audience"], kind: "string", value: "aud", description: "expected aud (default: what real tokens carry)" },
  { path: ["claims", "identityClaim"], env: "AUTHPROOF_IDENTITY_CLAIM", flags: ["identity-claim"], kind: "string", value: "claim", description: "the claim that names the user (sub, id, user_id, …)" },
  { path: ["users", "accounts"], env: "AUTHPROOF_ACCOUNTS", kind: "json", sensitive: true, description: 'two existing accounts, JSON: [{"email":…,"password":…},{…}]' },
  { path: ["users", "password"], env: "AUTHPROOF_PASSWORD", kind: "string", sensitive: true, description: "password of the users the audit signs up" },
  { path: ["cors", "allowedOrigins"], env: "AUTHPROOF_CORS_ORIGINS", flags: ["cors-origins"], kind: "list", value: "origins", description: "origins the backend's CORS must allow, comma-separated" },
  { path: ["browser", "executablePath"], env: "AUTHPROOF_CHROMIUM", flags: ["chromium"], kind: "string", value: "path", description: "Chrome/Chromium binary for the browser checks" },
  { path: ["policy", "failOn"], env: "AUTHPROOF_FAIL_ON", flags: ["fail-on"], kind: "string", value: "severity", description: "lowest severity that fails the run: critical|high|medium|low|info", alsoFor: ["report"] },
  { path: ["policy", "foreignStatus"], env: "AUTHPROOF_FOREIGN_STATUS", flags: ["foreign-status"], kind: "string", value: "404|403|either", description: "status expected for another user's object" },
  { path: ["rate", "rps"], env: "AUTHPROOF_RPS", flags: ["rps"], kind: "number", value: "n|auto", description: "requests per second, a hard ceiling (0: none); auto: follow the target's latency and 429s (unset: loopback targets unthrottled, others auto)" },
  { path: ["rate", "concurrency"], env: "AUTHPROOF_CONCURRENCY", flags: ["concurrency"], kind: "number", value: "n", description: "requests in flight at once (unset: 32; 8 under --rps N)" },
  { path: ["timeouts", "requestMs"], env: "AUTHPROOF_TIMEOUT_MS", flags: ["timeout"], kind: "number", value: "ms", description: "deadline of one request" },
  { path: ["timeouts", "operationMs"], env: "AUTHPROOF_OPERATION_TIMEOUT_MS", flags: ["operation-timeout"], kind: "number", value: "ms", description: "time one operation may keep the run busy" },
  { path: ["run", "seed"], env: "AUTHPROOF_SEED", flags: ["seed"], kind: "number", value: "n", description: "seed: the same seed gives the same attacks and verdicts" },
  { path: ["run", "runs"], env: "AUTHPROOF_RUNS", flags: ["runs"], kind: "number", value: "n", description: "runs of each property suite" },
  { path: ["run", "only"], env: "AUTHPROOF_ONLY", flags: ["only"], kind: "list", value: "ids", description: "run only these check ids or categories, comma-separated" },
  { path: ["run", "skip"], env: "AUTHPROOF_SKIP", flags: ["skip"], kind: "list", value: "ids", description: "skip these check ids or categories" },
  { path: ["run", "reporters"], env: "AUTHPROOF_REPORTER", flags: ["reporter", "reporters"], kind: "list", value: "list", description: "reports to write: json,html,junit,sarif", alsoFor: ["report"] },
  { path: ["run", "out"], env: "AUTHPROOF_OUT", flags: ["out"], kind: "string", value: "dir", description: "report directory (<dir>/<run-id>/ and <dir>/latest/)", alsoFor: ["report"] },
  { path: ["run", "includeTokens"], env: "AUTHPROOF_INCLUDE_TOKENS", flags: ["include-tokens"], kind: "boolean", description: "keep JWTs whole in the evidence" },
  { path: ["run", "allowDestructive"], env: "AUTHPROOF_ALLOW_DESTRUCTIVE", flags: ["allow-destructive"], kind: "boolean", description: "also send writes that may destroy data (admin, bulk routes)" },
  { path: ["run", "requireOracle"], env: "AUTHPROOF_REQUIRE_ORACLE", flags: ["require-oracle"], kind: "boolean", description: "stop a black-box run (no signing key) as incomplete" },
  { path: ["claims", "requireKnownSubject"], env: "AUTHPROOF_REQUIRE_KNOWN_SUBJECT", flags: ["require-known-subject"], kind: "boolean", description: "a signed token for an unknown user is high, not info" },
  { path: ["authorization", "adminOperations"], env: "AUTHPROOF_ADMIN_OPERATIONS", flags: ["admin-operations"], kind: "list", value: "routes", description: "admin operations (METHOD /path patterns) a normal user must be refused; more are inferred from OpenAPI tags and /admin paths" },
  { path: ["run", "baseline"], env: "AUTHPROOF_BASELINE", flags: ["baseline"], kind: "string", value: "report.json", description: "mark findings new / unchanged / fixed against an earlier report", alsoFor: ["report"] },
  { path: ["run", "failOnNew"], env: "AUTHPROOF_FAIL_ON_NEW", flags: ["fail-on-new"], kind: "boolean", description: "with --baseline: exit 1 only for new findings", alsoFor: ["report"] },
  { path: ["run", "ignoreFile"], env: "AUTHPROOF_IGNORE_FILE", flags: ["ignore-file"], kind: "string", value: "file", description: "accepted findings: [{ checkId, route?, reason, expires? }]", alsoFor: ["report"] },
  { path: ["report", "sourceFile"], env: "AUTHPROOF_SOURCE_FILE", flags: ["source-file"], kind: "string", value: "file", description: "repo file SARIF/JUnit point at (default: the config file, else the OpenAPI file)", alsoFor: ["report"] },
  { path: ["policy", "maxSessionCacheSec"], env: "AUTHPROOF_MAX_SESSION_CACHE", flags: ["max-session-cache"], kind: "number", value: "s", description: "session mode: longest a signed-out session may keep working through a cache" },
  { path: ["session", "authDatabase"], env: "AUTHPROOF_SESSION_DATABASE", flags: ["session-database"], kind: "string", sensitive: true, value: "path|url", description: "session mode: Better Auth's database (SQLite file or postgres:// URL), to expire one of the audit's sessions" },
  { path: ["run", "maxTimeSec"], env: "AUTHPROOF_MAX_TIME", flags: ["max-time"], kind: "number", value: "s", description: "end the whole audit after this long (a partial report, exit 2)" },
  { path: ["run", "shard"], env: "AUTHPROOF_SHARD", flags: ["shard"], kind: "string", value: "i/n", description: "run only the i-th of n deterministic slices of the checks (authproof merge joins the shards' reports)" },
  { path: ["run", "source"], env: "AUTHPROOF_SOURCE", flags: ["source"], kind: "string", value: "dir", description: "the target's repo: mined for backdoor tokens and committed secrets" },
];

/** The file authproof looks for when `--ignore-file` is not given. */
export const DEFAULT_IGNORE_FILE = "authproof.ignore.json";

const DISCOVERED_FILES = ["authproof.config.ts", "authproof.config.mts", "authproof.config.mjs", "authproof.config.js", "authproof.config.json"];

export interface LoadConfigOptions {
  /** Config file (JSON, .ts, .mts, .mjs, .js); default: the first `authproof.config.*` found in cwd, if any. */
  file?: string;
  /** A config object (what a config file exports), layered over the file and under the environment. */
  inline?: Record<string, unknown>;
  /** Look for `authproof.config.*` in cwd when no file is given (default true). */
  discover?: boolean;
  /** Parsed CLI flags, kebab-case (`fail-on`) or camelCase (`failOn`), with or without leading dashes. */
  flags: Record<string, string | boolean | undefined>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Receives advice that is not an error (e.g. a secret passed on the command line). */
  warn?: (message: string) => void;
}

type Tree = Record<string, unknown>;

/**
 * Builds the configuration from defaults < config file < environment < CLI flags and validates it.
 * Throws ConfigError (never anything else) when the result is invalid.
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<AuthproofConfig> {
  const { merged, provenance } = await mergeLayers(opts);
  const result = configSchema.safeParse(merged, { reportInput: true });
  if (!result.success) throw toConfigError(result.error.issues, provenance);
  return withSourceDir(result.data, opts.cwd, provenance);
}

/** One entry of a config's `targets: [...]`: its name and its whole configuration. */
export interface TargetConfig {
  name: string;
  config: AuthproofConfig;
}

const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The targets of a config that lists `targets: [...]` (undefined when it lists none): each entry is layered over
 * the rest of the configuration (file < environment < flags < the entry), validated as a whole config, and
 * reports to `<run.out>/<name>/` (name: the entry's `name`, default `target-<n>`); `out` is run.out, where the
 * combined summary goes. Throws ConfigError.
 */
export async function loadTargetConfigs(opts: LoadConfigOptions): Promise<{ out: string; targets: TargetConfig[] } | undefined> {
  const { merged, provenance } = await mergeLayers(opts);
  const { targets, ...base } = merged;
  if (targets === undefined) return undefined;
  if (!Array.isArray(targets) || targets.length === 0 || !targets.every(isPlainObject)) {
    throw new ConfigError("targets", "expected a non-empty list of target configs ({ name?, api, auth, mode, keys, … })");
  }
  const out = String(getPath(base, ["run", "out"]) ?? "reports");
  const seen = new Set<string>();
  const configs = (targets as Tree[]).map((entry, i) => {
    const { name: given, ...settings } = entry;
    const name = given === undefined ? `target-${i + 1}` : String(given);
    if (!TARGET_NAME.test(name)) throw new ConfigError(`targets[${i}].name`, `${JSON.stringify(name)} is not a usable directory name (letters, digits, . _ -)`);
    if (seen.has(name)) throw new ConfigError(`targets[${i}].name`, `two targets are called "${name}"`);
    seen.add(name);
    const tree = structuredCloneTree(base);
    deepMerge(tree, settings);
    setPath(tree, ["run", "out"], join(out, name));
    const result = configSchema.safeParse(tree, { reportInput: true });
    if (!result.success) throw toConfigError(result.error.issues.map((issue) => ({ ...issue, path: ["targets", i, ...issue.path] })) as Issue[], provenance);
    return { name, config: withSourceDir(result.data, opts.cwd, provenance) };
  });
  return { out, targets: configs };
}

/** defaults < config file < inline config < environment < CLI flags, unvalidated, with where each leaf came from. */
async function mergeLayers(opts: LoadConfigOptions): Promise<{ merged: Tree; provenance: Map<string, string> }> {
  const merged: Tree = {};
  const provenance = new Map<string, string>();

  const file = opts.file ?? (opts.discover === false ? undefined : DISCOVERED_FILES.find((f) => existsSync(resolve(opts.cwd, f))));
  if (file !== undefined) {
    const data = await readConfigFile(file, opts.cwd);
    recordLeaves(data, [], `in ${basename(file)}`, provenance);
    deepMerge(merged, data);
  }
  if (opts.inline) {
    recordLeaves(opts.inline, [], "in the config given", provenance);
    deepMerge(merged, opts.inline);
  }

  for (const source of CONFIG_SOURCES) {
    const raw = source.env ? opts.env[source.env] : undefined;
    if (raw === undefined || raw === "") continue;
    setPath(merged, source.path, convert(raw, source, source.env!));
    provenance.set(source.path.join("."), `from ${source.env}`);
  }

  const flags = normaliseFlags(opts.flags);
  for (const source of CONFIG_SOURCES) {
    const name = source.flags?.find((f) => flags.has(f));
    if (name === undefined) continue;
    const raw = flags.get(name)!;
    if (name === "secret") opts.warn?.("--secret leaves the secret in shell history and process lists; prefer the BETTER_AUTH_SECRET environment variable");
    setPath(merged, source.path, convert(raw, source, `--${name}`));
    provenance.set(source.path.join("."), `from --${name}`);
  }

  applyFileDefaults(merged, file, opts.cwd);
  return { merged, provenance };
}

/** `run.source` resolved against the working directory; a path that is not a directory stops the run before anything is sent. */
function withSourceDir(config: AuthproofConfig, cwd: string, provenance: Map<string, string>): AuthproofConfig {
  const source = config.run.source;
  if (source === undefined) return config;
  const dir = resolve(cwd, source);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const from = provenance.get("run.source");
    throw new ConfigError("run.source", `${JSON.stringify(source)} is not a directory${from ? ` (${from})` : ""}`);
  }
  return { ...config, run: { ...config.run, source: dir } };
}

/**
 * Defaults that depend on the files around the run: `run.ignoreFile` is ./authproof.ignore.json when it exists;
 * `report.sourceFile` (where SARIF and JUnit point) is the config file, else the OpenAPI file — both as paths
 * relative to cwd, the repository root in CI, since code scanning wants repo-relative locations.
 */
function applyFileDefaults(merged: Tree, configFile: string | undefined, cwd: string): void {
  if (getPath(merged, ["run", "ignoreFile"]) === undefined && existsSync(resolve(cwd, DEFAULT_IGNORE_FILE))) setPath(merged, ["run", "ignoreFile"], DEFAULT_IGNORE_FILE);
  if (getPath(merged, ["report", "sourceFile"]) !== undefined) return;
  const openapiFile = getPath(merged, ["api", "openapiFile"]);
  const source = configFile ?? (typeof openapiFile === "string" && openapiFile !== "" ? openapiFile : undefined);
  if (source !== undefined) setPath(merged, ["report", "sourceFile"], repoRelative(source, cwd));
}

/** `file` relative to cwd with forward slashes (kept as given when it lies outside cwd). */
function repoRelative(file: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, file)).split(sep).join("/");
  return rel === "" || rel.startsWith("../") || isAbsolute(rel) ? file : rel;
}

function getPath(tree: Tree, path: string[]): unknown {
  let node: unknown = tree;
  for (const key of path) node = isPlainObject(node) ? node[key] : undefined;
  return node;
}

async function readConfigFile(file: string, cwd: string): Promise<Tree> {
  const abs = resolve(cwd, file);
  if (!existsSync(abs)) throw new ConfigError("file", `${file} not found`);
  const ext = extname(abs).toLowerCase();
  let data: unknown;
  if (ext === ".json") {
    try {
      data = JSON.parse(readFileSync(abs, "utf8"));
    } catch (err) {
      throw new ConfigError("file", `${file} is not valid JSON (${oneLine(err)})`);
    }
  } else if ([".ts", ".mts", ".cts", ".mjs", ".js", ".cjs"].includes(ext)) {
    try {
      data = await importConfigModule(abs);
      if (typeof data === "function") data = await (data as () => unknown)();
    } catch (err) {
      throw new ConfigError("file", `cannot load ${file}: ${oneLine(err)}`);
    }
  } else {
    throw new ConfigError("file", `${file}: unsupported file type "${ext}" (use .json, .ts, .mjs or .js)`);
  }
  if (!isPlainObject(data)) {
    throw new ConfigError("file", `${file} must ${ext === ".json" ? "contain a JSON object" : "export default defineConfig({ ... })"}`);
  }
  return data;
}

/**
 * Loads a TypeScript or JavaScript config with jiti: `.ts` / `.mts` / `.cts` are transpiled, ESM and CommonJS
 * both work whatever the project's `"type"` (a `.ts` config in a CommonJS folder is the usual case), and
 * `import { defineConfig } from "authproof/config"` resolves from the config file's own folder.
 */
async function importConfigModule(abs: string): Promise<unknown> {
  const jiti = createJiti(abs, { moduleCache: false, fsCache: false, interopDefault: true });
  const mod = (await jiti.import(abs)) as { default?: unknown; config?: unknown } | undefined;
  return mod?.default ?? mod?.config;
}

/** The error's first line, at most `max` characters, shortened at a word boundary (never mid-word). */
export function oneLine(err: unknown, max = 240): string {
  const text = (err instanceof Error ? err.message : String(err)).split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "unknown error";
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:(]+$/, "")}…`;
}

function normaliseFlags(flags: LoadConfigOptions["flags"]): Map<string, string | boolean> {
  const out = new Map<string, string | boolean>();
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined) continue;
    out.set(key.replace(/^-+/, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), value);
  }
  return out;
}

/** Turns a flag or variable's text into the field's type; leaves it as is when it does not fit, so validation names it. */
function convert(raw: string | boolean, source: ConfigSource, label: string): unknown {
  if (typeof raw === "boolean") return raw;
  const text = raw.trim();
  switch (source.kind) {
    case "number":
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    case "boolean":
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      return text;
    case "list":
      return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
    case "json":
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ConfigError(source.path.join("."), `expected JSON (from ${label})`);
      }
    default:
      return text;
  }
}

function isPlainObject(v: unknown): v is Tree {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function deepMerge(target: Tree, source: Tree): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) deepMerge(existing, value);
    else target[key] = isPlainObject(value) ? structuredCloneTree(value) : value;
  }
}

function structuredCloneTree(tree: Tree): Tree {
  const copy: Tree = {};
  deepMerge(copy, tree);
  return copy;
}

function setPath(target: Tree, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function recordLeaves(value: unknown, path: string[], label: string, into: Map<string, string>): void {
  if (path.length > 0) into.set(path.join("."), label);
  if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) recordLeaves(v, [...path, k], label, into);
}

const SENSITIVE = [/^keys\.secret$/, /^keys\.privateJwk/, /^users\.password$/, /^users\.accounts/];

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? String(part) : `.${String(part)}`;
  return out;
}

function show(input: unknown): string {
  if (input === undefined) return "nothing";
  if (Array.isArray(input)) return "an array";
  if (isPlainObject(input)) return "an object";
  const text = JSON.stringify(input) ?? String(input);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

type Issue = z.core.$ZodIssue;

function describe(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type": {
      if (!issue.message.startsWith("Invalid input")) return issue.message; // a message written in the schema
      const expected = issue.expected === "int" ? "an integer" : issue.expected;
      return issue.input === undefined ? `required (${expected})` : `expected ${expected}`;
    }
    case "invalid_value":
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}`;
    case "too_small":
    case "too_big": {
      if (!issue.message.startsWith("Too ")) return issue.message; // a message written in the schema
      const small = issue.code === "too_small";
      const bound = String(small ? issue.minimum : issue.maximum);
      const unit = issue.origin === "array" ? " items" : issue.origin === "string" ? " characters" : "";
      if (issue.origin === "string" && small && String(bound) === "1") return "expected a non-empty string";
      if (issue.origin === "array" || issue.origin === "string") {
        return `expected ${issue.exact ? "exactly" : small ? "at least" : "at most"} ${bound}${unit}`;
      }
      return `expected a number ${small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<"} ${bound}`;
    }
    case "invalid_format":
      return issue.message.startsWith("Invalid") ? `expected ${issue.format}` : issue.message;
    default:
      return issue.message;
  }
}

function toConfigError(issues: Issue[], provenance: Map<string, string>): ConfigError {
  const problems: Array<{ field: string; detail: string }> = [];
  // Unknown keys first: a misspelt key usually explains the other complaints.
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.push({ field: formatPath([...issue.path, key]), detail: "unknown key" });
    }
  }
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") continue;
    const field = formatPath(issue.path);
    let detail = describe(issue);
    const sensitive = SENSITIVE.some((re) => re.test(field));
    if (!sensitive && issue.input !== undefined && !detail.startsWith("required")) detail += `, got ${show(issue.input)}`;
    const from = provenanceOf(issue.path, provenance);
    if (from) detail += ` (${from})`;
    problems.push({ field: field || "(root)", detail });
  }
  const lines = problems.map((p) => `${p.field}: ${p.detail}`);
  const first = problems[0] ?? { field: "(root)", detail: "invalid" };
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).map((p) => p.field).join(", ")})` : "";
  return new ConfigError(first.field, first.detail + more, lines);
}

function provenanceOf(path: readonly PropertyKey[], provenance: Map<string, string>): string | undefined {
  const firstIndex = path.findIndex((p) => typeof p !== "string");
  const keys = (firstIndex === -1 ? path : path.slice(0, firstIndex)) as string[];
  for (let n = keys.length; n > 0; n--) {
    const found = provenance.get(keys.slice(0, n).join("."));
    if (found) return found;
  }
  return undefined;
}
