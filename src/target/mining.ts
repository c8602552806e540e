import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ConfigError } from "../config/load.ts";
import { commonSecrets, magicValues } from "../data/dictionaries.ts";
import type { Exchange } from "../http/types.ts";
import type { AnonymousProbe, Candidate, Probe } from "../model/target.ts";

/**
 * Backdoor discovery: token-like literals the target's own material names — its OpenAPI document ("for testing
 * use `guest_token`"), the error answers the audit has seen, and the repo files `--source DIR` points at
 * (`JWT_SECRET=…` in `.env.example`, `os.getenv("JWT_SECRET", "fallback")`, `token == "dev"`). token.magic-value
 * sends the bearer candidates, token.guessable-secret signs with the secret ones, secret.strength compares the
 * configured secret with them. Everything here is pure except `candidatesFromSource`, which reads files.
 */

/** Most candidates kept of each kind, the strongest first: each bearer costs a few requests, each secret three tokens. */
export const MAX_CANDIDATES_PER_KIND = 40;
/** Files larger than this are not read (generated or vendored code). */
export const MAX_SOURCE_FILE_BYTES = 256 * 1024;
const MAX_SOURCE_FILES = 5000;
const MAX_SOURCE_DEPTH = 12;
const MAX_LINE = 2000;

/** A candidate before ranking: `strength` 0 for assignments, fallbacks and documentation, 1 for literals that are only near a telling word. */
export interface MinedCandidate extends Candidate {
  strength: 0 | 1;
}

/**
 * Every candidate the target's material suggests, strongest first, deduplicated by kind and value (the first
 * source found is kept: documentation before answers before files), at most `MAX_CANDIDATES_PER_KIND` of each kind.
 */
export function mineCandidates(openapi: unknown, probes: readonly Probe[], anonymous: readonly AnonymousProbe[], sourceDir?: string): Candidate[] {
  // A weak literal that is a name the API itself defines (`user_id`, `tasks`) is code talking about the API, not a value.
  const names = isObject(openapi) ? documentNames(openapi) : new Set<string>();
  const files = sourceDir ? candidatesFromSource(sourceDir).filter((c) => c.strength === 0 || !names.has(c.value)) : [];
  return rankCandidates([...candidatesFromOpenApi(openapi), ...candidatesFromAnswers(errorAnswers(probes, anonymous)), ...files]);
}

/** Orders by strength (stable), drops repeats of a kind and value, and caps each kind. */
export function rankCandidates(mined: readonly MinedCandidate[]): Candidate[] {
  const ordered = [...mined].sort((a, b) => a.strength - b.strength);
  const seen = new Set<string>();
  const count = { bearer: 0, secret: 0 };
  const out: Candidate[] = [];
  for (const { value, kind, source } of ordered) {
    const key = `${kind}\u0000${value}`;
    if (seen.has(key) || count[kind] >= MAX_CANDIDATES_PER_KIND) continue;
    seen.add(key);
    count[kind] += 1;
    out.push({ value, kind, source });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Which literals count

/** Words that make a nearby literal worth trying (in prose: documentation, error answers). */
const PROSE_TRIGGER = /\b(?:tokens?|bearer|bypass|guest|admin|demo|test(?:ing)?|dev(?:elopment)?|debug|backdoor|magic|master|api[-_ ]?key|log ?in|sign ?in|credentials?|auth\w*|secret|signing|signed|hmac)\b/i;
/** Parts of a literal that make it worth trying by itself (`guest_token`, `dev-bypass`). */
const LITERAL_TRIGGER = /token|bypass|guest|admin|demo|test|dev|debug|backdoor|magic|master|secret|letmein/i;
/** Words in code lines that make their quoted literals worth trying (narrower: code says "test" everywhere). */
const CODE_TRIGGER = /token|bypass|backdoor|magic|guest|demo|admin|master[-_]?key/i;
/** What the text just before a literal says when the literal is a signing secret rather than a bearer value. */
const SECRET_CONTEXT = /\b(?:secret|signing[- ]key|signed with|signs? (?:\w+ )?with|hmac|hs(?:256|384|512)|jwt[-_ ]key)\b|_SECRET\b/i;
/** Literals that are protocol words, not values. */
const STOP_WORDS = new Set(
  "bearer basic digest jwt jwts jwk jwks jws jwe token tokens authorization www-authenticate x-api-key api-key apikey http https json get post put patch delete head options true false string integer number boolean object array hs256 hs384 hs512 rs256 rs384 rs512 ps256 ps384 ps512 es256 es384 es512 eddsa ed25519 utf-8 utf8 sub iss aud exp iat nbf jti kid alg typ".split(
    " ",
  ),
);

/**
 * Whether a literal could be a bearer value: 3–200 visible ASCII characters without spaces or brackets, and not
 * a URL, a path, a file name, an assignment, a dotted code name or a protocol word.
 */
export function tokenLike(value: string): boolean {
  if (value.length < 3 || value.length > 200) return false;
  if (!/^[\x21-\x7e]+$/.test(value) || /[<>{}()[\]"'`,;\\|]/.test(value)) return false;
  if (value.includes("://") || /^[/.$~#@]/.test(value)) return false;
  if (/^[A-Za-z_][\w.]*\s*[=:]/.test(value)) return false;
  if (/\.(?:ts|tsx|js|mjs|cjs|py|json|ya?ml|md|txt|html?|env|toml|cfg|ini|db|sqlite)$/i.test(value)) return false;
  if (!value.startsWith("eyJ") && /^[A-Za-z_]\w{0,30}(?:\.[A-Za-z_]\w{0,30})+$/.test(value)) return false;
  return !STOP_WORDS.has(value.toLowerCase());
}

/** Third-party credentials (`GITHUB_TOKEN`, `OPENAI_API_KEY`): never sent as a bearer value to the target. */
const THIRD_PARTY = /^(?:github|gh|gitlab|bitbucket|npm|yarn|vercel|netlify|hf|huggingface|openai|anthropic|cohere|mistral|groq|gemini|slack|discord|telegram|stripe|sentry|aws|gcp|gcloud|google|azure|twilio|sendgrid|mailgun|postmark|resend|cloudflare|cf|docker|codecov|pypi|circleci|travis|heroku|fly|railway|render|posthog|segment|mapbox|algolia|pusher|firebase|notion|linear|jira|atlassian|shopify|paypal|spotify|twitter|facebook|meta|linkedin|dropbox|upstash|turso|neon|planetscale|clerk|auth0|okta|supabase|mongodb|redis|datadog|newrelic|grafana|ngrok|expo|apple|microsoft|replicate|pinecone|langchain|langsmith)/;
/** Names of settings that hold something other than a secret or a token (a URL, a lifetime, a header name, …). */
const NOT_A_VALUE = /(?:expire|expiry|expiration|lifetime|ttl|url|uri|issuer|audience|algorithm|header|length|duration|cookiename|storage|endpoint|refresh|oauth)|(?:name|path|file|dir|type|prefix|suffix|field|id|ids|count|limit|enabled|mode|version|minutes|seconds|hours|days|alg|age|size|format)$/;

/**
 * What a setting's name says its value is: a signing secret (`JWT_SECRET`, `SECRET_KEY`, `BETTER_AUTH_SECRET`,
 * `jwtSecret`), a bearer value (`ADMIN_TOKEN`, `DEV_BYPASS_TOKEN`, `token` in `token == "dev"`), or neither.
 */
export function classifyName(name: string): Candidate["kind"] | undefined {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (n === "" || NOT_A_VALUE.test(n)) return undefined;
  if (/secret|signingkey|hmackey|jwtkey|authkey/.test(n) || n === "key") return "secret";
  if (/token|bypass|backdoor|masterkey|adminkey/.test(n) && !THIRD_PARTY.test(n)) return "bearer";
  return undefined;
}

/** Whether a setting's name is a third-party service's credential (`GITHUB_TOKEN`, `STRIPE_SECRET_KEY`). */
export function isThirdPartyName(name: string): boolean {
  return THIRD_PARTY.test(name.toLowerCase().replace(/[^a-z0-9]/g, ""));
}

/** Whether a value may be tried as a secret: anything but empty text or an interpolation (`${VAR}`, `$(cmd)`, `{{ var }}`). */
function secretLike(value: string): boolean {
  return value.length > 0 && value.length <= 512 && !/^\$[{(]|\{\{/.test(value);
}

function usable(kind: Candidate["kind"], value: string): boolean {
  return kind === "secret" ? secretLike(value) : tokenLike(value);
}

// ---------------------------------------------------------------------------------------------
// Prose: descriptions, summaries, error answers

const BACKTICKED = /`([^`\n]{1,200})`/g;
const DOUBLE_QUOTED = /"([^"\n]{1,200})"/g;
const SINGLE_QUOTED = /(?<![\w'])'([^'\s]{1,200})'(?![\w'])/g;
const BEARER_LITERAL = /\bBearer\s+([^\s`'"<>(){}[\],;]{3,200})/g;
const NAMED_LITERAL = /\b(token|api[-_ ]?key|bypass|password)\s*[:=]\s*([^\s`'"<>(){}[\],;]{3,200})/gi;
const ASSIGNED_LITERAL = /\b([A-Za-z][A-Za-z0-9_]*)\s*=\s*([^\s`'"<>(){}[\],;]{1,200})/g;

/** The literals a piece of prose offers, each with the kind its context suggests. */
export function literalsInProse(text: string, exclude: ReadonlySet<string> = new Set()): Array<{ value: string; kind: Candidate["kind"] }> {
  const found: Array<{ value: string; kind: Candidate["kind"] }> = [];
  const push = (value: string, kind: Candidate["kind"]) => {
    if (!exclude.has(value) && usable(kind, value) && !found.some((f) => f.value === value && f.kind === kind)) found.push({ value, kind });
  };
  for (const pattern of [BACKTICKED, DOUBLE_QUOTED, SINGLE_QUOTED]) {
    for (const match of text.matchAll(pattern)) {
      const value = match[1]!.trim();
      const at = match.index;
      const around = text.slice(Math.max(0, at - 80), at + match[0].length + 80);
      if (!LITERAL_TRIGGER.test(value) && !PROSE_TRIGGER.test(around)) continue;
      push(value, SECRET_CONTEXT.test(text.slice(Math.max(0, at - 80), at)) ? "secret" : "bearer");
    }
  }
  for (const match of text.matchAll(BEARER_LITERAL)) push(match[1]!, "bearer");
  for (const match of text.matchAll(NAMED_LITERAL)) push(match[2]!, "bearer");
  for (const match of text.matchAll(ASSIGNED_LITERAL)) {
    const kind = classifyName(match[1]!);
    if (kind) push(match[2]!, kind);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI document

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
/** Names in a document that mark an example or default as a credential. */
const AUTH_CONTEXT = /auth|token|api[-_]?key|secret|bearer|session|credential|password|bypass/i;
const PROSE_KEYS = new Set(["description", "summary"]);
const VALUE_KEYS = new Set(["example", "default", "value"]);

/**
 * Candidates from an OpenAPI document: literals in descriptions and summaries (the security schemes' too), and
 * examples, defaults and `x-` extensions of credential-like parameters, headers and properties. Names the document
 * itself defines (parameters, properties, schemas, operation ids) are not candidates.
 */
export function candidatesFromOpenApi(doc: unknown): MinedCandidate[] {
  if (!isObject(doc)) return [];
  const names = documentNames(doc);
  const out: MinedCandidate[] = [];
  const visit = (node: unknown, where: string[], credential: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => visit(child, [...where, `[${i}]`], credential));
      return;
    }
    if (!isObject(node)) return;
    const named = credential || (typeof node.name === "string" && AUTH_CONTEXT.test(node.name));
    for (const [key, child] of Object.entries(node)) {
      const at = [...where, key];
      const source = `openapi: ${pathText(at)}`;
      const extension = key.startsWith("x-");
      if (typeof child === "string") {
        if (PROSE_KEYS.has(key)) {
          for (const { value, kind } of literalsInProse(child, names)) out.push({ value, kind, source, strength: 0 });
        } else if (VALUE_KEYS.has(key) || extension) {
          const kind = extension ? (classifyName(key) ?? (named ? "bearer" : undefined)) : named ? "bearer" : undefined;
          if (kind && usable(kind, child) && !names.has(child)) out.push({ value: child, kind, source, strength: 0 });
          else if (named || extension) for (const { value, kind: k } of literalsInProse(child, names)) out.push({ value, kind: k, source, strength: 0 });
        }
        continue;
      }
      // Properties and examples named like credentials make their examples and defaults candidates.
      const childCredential = named || ((where.at(-1) === "properties" || where.at(-1) === "examples" || extension) && AUTH_CONTEXT.test(key));
      visit(child, at, childCredential);
    }
  };
  visit(doc, [], false);
  return out;
}

/** `paths./api/tasks.get.parameters[0].description` */
function pathText(segments: string[]): string {
  return segments.reduce((text, s) => (s.startsWith("[") ? text + s : text ? `${text}.${s}` : s), "");
}

/** Names the document defines: parameter and property names, schema names, operation ids, path segments. */
function documentNames(doc: Json): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown, parentKey?: string): void => {
    if (Array.isArray(node)) return node.forEach((child) => walk(child));
    if (!isObject(node)) return;
    if (typeof node.name === "string" && typeof node.in === "string") names.add(node.name);
    if (typeof node.operationId === "string") names.add(node.operationId);
    // Enum members are the API's own vocabulary (`created_at`, `asc`), not values to try as tokens.
    if (Array.isArray(node.enum)) for (const member of node.enum) if (typeof member === "string") names.add(member);
    for (const [key, child] of Object.entries(node)) {
      if (parentKey === "properties" || parentKey === "schemas" || parentKey === "securitySchemes") names.add(key);
      walk(child, key);
    }
  };
  walk(doc);
  for (const route of Object.keys(isObject(doc.paths) ? doc.paths : {})) for (const segment of route.split("/")) if (segment) names.add(segment.replace(/^\{|\}$/g, ""));
  return names;
}

// ---------------------------------------------------------------------------------------------
// Error answers the audit has seen

/** One answer worth mining: a 4xx or 5xx body of a control request or of a request sent without a token. */
export interface SeenAnswer {
  label: string;
  exchange: Exchange;
}

/** The error answers of the probes' controls and of the requests sent without a token, one per distinct body. */
export function errorAnswers(probes: readonly Probe[], anonymous: readonly AnonymousProbe[]): SeenAnswer[] {
  const answers: SeenAnswer[] = [];
  const bodies = new Set<string>();
  const add = (method: string, route: string, exchange: Exchange | undefined) => {
    const response = exchange?.response;
    if (!exchange || !response || response.status < 400 || response.body.trim() === "" || bodies.has(response.body)) return;
    bodies.add(response.body);
    answers.push({ label: `${method} ${route} ${response.status}`, exchange });
  };
  for (const probe of probes) for (const exchange of [probe.controls.positive, probe.controls.negative, probe.controls.invalid]) add(probe.op.method, probe.op.path, exchange);
  for (const sent of anonymous) for (const exchange of [sent.exchange, sent.withToken]) add(sent.op.method, sent.op.path, exchange);
  return answers;
}

/** Candidates in error answers ("Invalid token; for local testing send `Bearer dev-token`"): prose in every string of the body. */
export function candidatesFromAnswers(answers: readonly SeenAnswer[]): MinedCandidate[] {
  const out: MinedCandidate[] = [];
  for (const { label, exchange } of answers) {
    const response = exchange.response!;
    const texts = response.json !== undefined ? stringsIn(response.json) : [response.body.slice(0, 20_000)];
    for (const text of texts) for (const { value, kind } of literalsInProse(text)) out.push({ value, kind, source: `response: ${label}`, strength: 0 });
  }
  return out;
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (isObject(value)) return Object.values(value).flatMap(stringsIn);
  return [];
}

// ---------------------------------------------------------------------------------------------
// Repo files (--source DIR)

const SKIPPED_DIRS = new Set(["node_modules", ".git", ".hg", ".svn", ".venv", "venv", "__pycache__", ".next", ".nuxt", ".svelte-kit", "dist", "build", "coverage", ".turbo", ".cache", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", "site-packages", ".vercel", ".idea", ".vscode"]);
const NAMED_FILES = new Set(["auth.ts", "auth.js", "auth.py", "settings.py", "config.py", "security.py", "deps.py", "dependencies.py"]);
const CODE_FILE = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs|py)$/;

/** Whether a file name is an environment file: `.env`, `.env.local`, `.env.example`, `backend.env.example`. */
export function isEnvFile(name: string): boolean {
  return name.startsWith(".env") || /\.env(?:\.[\w-]+)?$/.test(name);
}

/**
 * Candidates from the repo files under `dir`: environment files, `auth.*`, `settings.py`, `config.py`, then every
 * other TypeScript / JavaScript / Python file up to `MAX_SOURCE_FILE_BYTES` (no `node_modules`, `.git`, virtual
 * environments or build output; symbolic links are not followed). Throws ConfigError when `dir` is not a directory.
 */
export function candidatesFromSource(dir: string): MinedCandidate[] {
  const root = path.resolve(dir);
  if (!isDirectory(root)) throw new ConfigError("run.source", `${dir} is not a directory`);
  const out: MinedCandidate[] = [];
  for (const file of sourceFiles(root)) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    if (text.includes("\u0000")) continue;
    out.push(...candidatesInFile(path.relative(root, file).split(path.sep).join("/"), text));
  }
  return out;
}

/** The files worth reading under `root`, environment and auth files first, each group in name order. */
export function sourceFiles(root: string): string[] {
  const first: string[] = [];
  const rest: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > MAX_SOURCE_DEPTH || first.length + rest.length >= MAX_SOURCE_FILES) return;
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    if (depth > 0 && entries.includes("pyvenv.cfg")) return; // a virtual environment under another name
    for (const name of entries) {
      const full = path.join(dir, name);
      let stat;
      try {
        stat = lstatSync(full);
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(full, depth + 1);
        continue;
      }
      if (!stat.isFile() || stat.size > MAX_SOURCE_FILE_BYTES || first.length + rest.length >= MAX_SOURCE_FILES) continue;
      if (isEnvFile(name) || NAMED_FILES.has(name)) first.push(full);
      else if (CODE_FILE.test(name) && !/\.d\.[mc]?ts$|\.min\.js$/.test(name)) rest.push(full);
    }
  };
  walk(root, 0);
  return [...first, ...rest];
}

const ENV_ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
/** `os.getenv("X", "fallback")`, `os.environ.get('X', 'fallback')`, `environ.setdefault(...)`, `config("X", default="fallback")`: name 2, value 4. */
const PY_FALLBACK = /\b(?:getenv|environ\.get|environ\.setdefault|config|env(?:\.str)?)\(\s*(["'])([A-Za-z_]\w*)\1\s*,\s*(?:default\s*=\s*)?(["'])((?:(?!\3)[^\\\n]|\\.){0,200})\3/g;
/** `process.env.X ?? "fallback"`, `process.env["X"] || 'fallback'`, `import.meta.env.X ?? ...`: name 1 or 2, value 4. */
const JS_FALLBACK = /\b(?:process\.env|import\.meta\.env)(?:\.([A-Za-z_]\w*)|\[\s*["']([A-Za-z_]\w*)["']\s*\])\s*(?:\?\?|\|\|)\s*(["'`])((?:(?!\3)[^\\\n]|\\.){0,200})\3/g;
/**
 * `JWT_SECRET = "x"`, `secret: "x"`, `jwt_secret: str = "x"`, `"secret": "x"`, `token == "dev"`,
 * `credentials.credentials == "dev"`: name 1 (the last part of a dotted name), operator 2, value 4.
 */
const NAMED_STRING = /(?:^|[^\w.])(?:[A-Za-z_]\w*\.)*["']?([A-Za-z_][\w-]*)["']?\s*(?::\s*[A-Za-z_][\w[\]|, .]*?)?\s*(===?|!==?|=|:)\s*(["'`])((?:(?!\3)[^\\\n]|\\.){0,200})\3/g;
/** What a value compared with a literal is, when the comparison is a token check (`credentials.credentials == "dev"`). */
const COMPARED_CREDENTIAL = /token|credential|authorization|bearer|api_?key|apikey/i;

/**
 * Candidates in one file (`relPath` names it in the source): in environment files, every assignment of a secret-
 * or token-named variable; in code, environment fallbacks, string assignments and comparisons of such names, and
 * (weaker) quoted or backticked token-like literals on lines that speak of tokens, bypasses, guests, demos or admins.
 */
export function candidatesInFile(relPath: string, text: string): MinedCandidate[] {
  const out: MinedCandidate[] = [];
  const env = isEnvFile(path.posix.basename(relPath));
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.length > MAX_LINE) return;
    const source = `file: ${relPath}:${index + 1}`;
    const add = (kind: Candidate["kind"] | undefined, value: string, strength: 0 | 1) => {
      if (kind && usable(kind, value)) out.push({ value, kind, source, strength });
    };
    if (env) {
      const match = ENV_ASSIGNMENT.exec(line);
      if (match && !line.trimStart().startsWith("#")) add(classifyName(match[1]!), unquoteEnvValue(match[2]!), 0);
      return;
    }
    for (const match of line.matchAll(PY_FALLBACK)) add(classifyName(match[2]!), unescape(match[4]!), 0);
    for (const match of line.matchAll(JS_FALLBACK)) add(classifyName(match[1] ?? match[2]!), unescape(match[4]!), 0);
    for (const match of line.matchAll(NAMED_STRING)) {
      const comparison = match[2] !== "=" && match[2] !== ":";
      const kind = comparison && COMPARED_CREDENTIAL.test(match[1]!) && !isThirdPartyName(match[1]!) ? "bearer" : classifyName(match[1]!);
      add(kind, unescape(match[4]!), 0);
    }
    // Literals the line assigns to a third-party credential (`GITHUB_TOKEN = "ghp_…"`) are never sent.
    const foreign = new Set([...line.matchAll(NAMED_STRING)].filter((m) => isThirdPartyName(m[1]!)).map((m) => unescape(m[4]!)));
    const addWeak = (value: string) => {
      if (!foreign.has(value)) add("bearer", value, 1);
    };
    for (const match of line.matchAll(BEARER_LITERAL)) addWeak(match[1]!);
    if (!CODE_TRIGGER.test(line)) return;
    for (const pattern of [DOUBLE_QUOTED, SINGLE_QUOTED, BACKTICKED]) for (const match of line.matchAll(pattern)) addWeak(match[1]!);
  });
  return out;
}

/** The value of a `.env` line: quoted text unquoted, or bare text up to an inline ` # comment`. */
export function unquoteEnvValue(raw: string): string {
  const text = raw.trim();
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const end = text.indexOf(quote, 1);
    return end > 0 ? text.slice(1, end) : text.slice(1);
  }
  return text.replace(/\s+#.*$/, "").trim();
}

function unescape(value: string): string {
  return value.replace(/\\(.)/g, "$1");
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Showing candidates

/** Whether a value is public anyway: in a bundled dictionary, so it may be shown in full. */
export function isPublicValue(value: string): boolean {
  return magicValues().includes(value) || commonSecrets().includes(value);
}

/** Whether a candidate was found only in the user's files (and is no bundled value): never shown or logged in full. */
export function isPrivateCandidate(candidate: Candidate): boolean {
  return candidate.source.startsWith("file:") && !isPublicValue(candidate.value);
}

/** A value shortened for evidence: enough to recognise it, not enough to use it (`dev…24 (35 chars)`). */
export function shortenValue(value: string): string {
  const length = [...value].length;
  return length <= 8 ? `${"*".repeat(Math.min(length, 3))}… (${length} chars)` : `${value.slice(0, 3)}…${value.slice(-2)} (${length} chars)`;
}

/** How a candidate's value appears in a variant label: in full when public, shortened when only the user's files have it. */
export function candidateLabel(candidate: Candidate): string {
  return isPrivateCandidate(candidate) ? shortenValue(candidate.value) : JSON.stringify(candidate.value);
}
