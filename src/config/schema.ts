import { z } from "zod";

/** Severity order shared by `policy.failOn` and the reports. */
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export const REPORTERS = ["json", "html", "junit", "sarif"] as const;
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
export const DEFAULT_PUBLIC_ROUTES = ["/", "/health", "/healthz", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"];

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

/** An http(s) URL, kept without a trailing slash so paths can be appended. */
const httpUrl = z
  .string()
  .refine(isHttpUrl, { error: "expected a URL (http:// or https://)" })
  .transform((v) => v.replace(/\/+$/, ""));

/** An origin such as `https://app.example.com` (scheme, host, port; no path). */
const origin = z
  .string()
  .refine((v) => isHttpUrl(v) && new URL(v).origin === v.replace(/\/+$/, ""), {
    error: "expected an origin such as https://app.example.com (no path)",
  })
  .transform((v) => new URL(v).origin);

const path = z.string().regex(/^\//, { error: 'expected a path starting with "/"' });

const jwkObject = z
  .looseObject({ kty: z.string() }, { error: "expected a private JWK object or its JSON text" })
  .refine((j) => "d" in j || "k" in j, { error: "expected a private JWK (it has no private member d or k)" });

/** A private JWK, as an object or as its JSON text (the form environment variables carry). */
const privateJwk = z.preprocess((v) => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}, jwkObject);

const account = z.strictObject({ email: z.email({ error: "expected an email address" }), password: z.string().min(1) });

const resource = z.strictObject({
  /** Collection path, e.g. `/api/tasks` (list with GET, create with POST). */
  collection: path,
  /** Item path with its id placeholder, e.g. `/api/tasks/{task_id}`. */
  item: path.regex(/\{[^}]+\}/, { error: "expected a path with an id placeholder such as /api/tasks/{id}" }),
  idField: z.string().min(1).default("id"),
  createBody: z.record(z.string(), z.unknown()).optional(),
  /** Name of a path parameter that carries a user id (`/users/{user_id}/…`). */
  userIdParam: z.string().min(1).optional(),
});

const selectors = z.strictObject({
  name: z.string().optional(),
  email: z.string().optional(),
  password: z.string().optional(),
  submit: z.string().optional(),
  signOut: z.string().optional(),
});

/** The target configuration (SPEC §4). Every section has defaults; unknown keys are errors. */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Several targets in one run: each entry is a whole target config (api, auth, mode, keys, …) plus an optional `name`, layered over the rest of this config. */
  targets: z.array(z.record(z.string(), z.unknown())).min(1).optional(),
  api: z
    .strictObject({
      baseUrl: httpUrl.default("http://127.0.0.1:8000"),
      openapiPath: path.default("/openapi.json"),
      /** A local OpenAPI document (JSON or YAML) to use instead of the served one (docs disabled in production). */
      openapiFile: z.string().min(1).optional(),
      include: z
        .array(z.strictObject({ method: z.string().transform((m) => m.toUpperCase()).pipe(z.enum(HTTP_METHODS)), path }))
        .default([]),
      /** `"METHOD /path"` or a path glob (`*` within a segment, `**` across segments). */
      exclude: z.array(z.string().min(1)).default([]),
      publicRoutes: z.array(path).default(DEFAULT_PUBLIC_ROUTES),
    })
    .prefault({}),
  auth: z
    .strictObject({
      /** Better Auth's base URL. Without one the audit mints its users' tokens itself (needs a signing key). */
      baseUrl: httpUrl.optional(),
      basePath: path.default("/api/auth"),
      tokenPath: path.default("/api/auth/token"),
      tokenField: z.string().min(1).default("token"),
    })
    .prefault({}),
  /** How the backend checks callers: JWKS-verified JWTs, HS256 JWTs, or Better Auth's own session token (bearer or cookie). */
  mode: z.enum(["jwks", "shared-secret", "session"]).default("jwks"),
  keys: z
    .strictObject({
      secret: z.string().min(1).optional(),
      privateJwk: privateJwk.optional(),
      jwksPath: path.default("/api/auth/jwks"),
    })
    .prefault({}),
  claims: z
    .strictObject({
      issuer: z.string().min(1).optional(),
      audience: z.string().min(1).optional(),
      identityClaim: z.string().min(1).default("sub"),
      leewaySec: z.number().int().min(0).default(60),
      /** Subjects must be known users: a validly signed token for a user the backend does not know is then high, not info. */
      requireKnownSubject: z.boolean().default(false),
    })
    .prefault({}),
  users: z
    .strictObject({
      signUp: z.boolean().default(true),
      accounts: z.array(account).length(2, { error: "expected exactly 2 accounts (users A and B)" }).optional(),
      password: z.string().min(8).max(128).optional(),
    })
    .prefault({})
    .superRefine((u, ctx) => {
      if (!u.signUp && !u.accounts) {
        ctx.addIssue({ code: "custom", path: ["accounts"], message: "required when users.signUp is false (give 2 accounts)" });
      }
    }),
  resources: z.array(resource).default([]),
  /**
   * Where the two test users come from: signed up (or signed in) through Better Auth, or minted by the audit
   * with its signing key from a claims template, so a backend can be audited without any Better Auth.
   */
  identities: z
    .strictObject({
      /** auto: sign up when auth.baseUrl is given, else mint. */
      mode: z.enum(["auto", "sign-up", "mint"]).default("auto"),
      /** The two users' ids in minted tokens (default: ids made from the seed). */
      userIds: z.array(z.string().min(1)).length(2, { error: "expected exactly 2 user ids (users A and B)" }).optional(),
      /** Claims every minted token carries besides the identity and the times: iss, aud, role, … */
      claims: z.record(z.string(), z.unknown()).default({}),
      /** exp - iat of minted tokens. */
      lifetimeSec: z.number().int().positive().default(900),
    })
    .prefault({}),
  /** Admin operations (authorization.*): configured route patterns, and whether to infer more from OpenAPI tags and paths. */
  authorization: z
    .strictObject({
      /** `"METHOD /path"` or a path glob, as in api.exclude: operations only admins may call. */
      adminOperations: z.array(z.string().min(1)).default([]),
      /** Also treat operations tagged or routed as admin (`/admin/…`, tag `admin`, …) as admin operations. */
      inferAdminOperations: z.boolean().default(true),
    })
    .prefault({}),
  /** Session mode (`mode: "session"`). */
  session: z
    .strictObject({
      /**
       * Better Auth's database (an SQLite file or a postgres:// URL): session.expired-accepted expires one session of
       * the audit's own there (its expiresAt set in the past). Without it that check is skipped.
       */
      authDatabase: z.string().min(1).optional(),
      /** How long session.cookie-cache-window polls a signed-out session before it stops (it stops earlier once the policy is exceeded). */
      maxWaitSec: z.number().int().positive().default(360),
    })
    .prefault({}),
  cors: z.strictObject({ allowedOrigins: z.array(origin).default([]) }).prefault({}),
  cookies: z.strictObject({ expectSecure: z.union([z.literal("auto"), z.boolean()], { error: 'expected "auto", true or false' }).default("auto") }).prefault({}),
  browser: z
    .strictObject({
      executablePath: z.string().min(1).optional(),
      signUpPath: path.default("/sign-up"),
      signInPath: path.default("/sign-in"),
      selectors: selectors.optional(),
    })
    .prefault({}),
  policy: z
    .strictObject({
      foreignStatus: z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.enum(["404", "403", "either"])).default("either"),
      maxTokenLifetimeSec: z.number().int().positive().default(3600),
      /** Longest accepted session cookie lifetime (Max-Age / Expires), cookie.lifetime. Better Auth's default is 7 days. */
      maxCookieLifetimeSec: z.number().int().positive().default(30 * 24 * 3600),
      /** Longest a signed-out session may keep working through a session cache (session.cookieCache, a backend cache), session.cookie-cache-window. */
      maxSessionCacheSec: z.number().int().min(0).default(60),
      failOn: z.enum(SEVERITIES).default("high"),
      maxLatencyMs: z.number().int().positive().default(2000),
    })
    .prefault({}),
  rate: z
    .strictObject({
      /** Requests per second: a number is a hard ceiling (0 = none); "auto" adapts to the target; unset = loopback unthrottled, else auto. */
      rps: z.union([z.number().min(0), z.literal("auto")], { error: 'expected a number of requests per second (0 = no limit) or "auto"' }).optional(),
      /** Requests in flight at once (the ceiling under auto); unset = 32 (8 under a fixed --rps). */
      concurrency: z.number().int().min(1).max(256).optional(),
    })
    .prefault({}),
  timeouts: z
    .strictObject({
      /** Whole-request deadline (headers and body). */
      requestMs: z.number().int().positive().default(10_000),
      /** Time one operation (method + path template) may keep the run busy; further requests to it come back as errors. */
      operationMs: z.number().int().positive().default(60_000),
    })
    .prefault({}),
  run: z
    .strictObject({
      seed: z.number().int().optional(),
      runs: z.number().int().positive().optional(),
      only: z.array(z.string().min(1)).default([]),
      skip: z.array(z.string().min(1)).default([]),
      reporters: z
        .array(z.enum(REPORTERS))
        .default([...REPORTERS])
        .transform((r) => [...new Set(r)]),
      out: z.string().min(1).default("reports"),
      includeTokens: z.boolean().default(false),
      /**
       * Send state-changing requests that cannot be aimed at the audit's own objects or at ids that do not
       * exist (admin and bulk routes, DELETE/POST without an id). Off by default: they may destroy data.
       */
      allowDestructive: z.boolean().default(false),
      /** A black-box run (no signing key, so no claims checks) is not enough: stop it as incomplete. */
      requireOracle: z.boolean().default(false),
      baseline: z.string().min(1).optional(),
      /** With a baseline: exit 1 only for findings that are new against it (ZAP baseline style). */
      failOnNew: z.boolean().default(false),
      /** authproof.ignore.json: accepted findings (check id, optional route, reason, optional expiry). Default: ./authproof.ignore.json when present. */
      ignoreFile: z.string().min(1).optional(),
      /** Overall deadline of the audit in seconds: after it nothing more is sent and a partial report is written (exit 2). */
      maxTimeSec: z.number().positive().optional(),
      /** `i/n`: run only the i-th of n deterministic slices of the work (family × unit × check); `authproof merge` joins the shards' reports. */
      shard: z
        .string()
        .regex(/^[1-9]\d*\/[1-9]\d*$/, "expected i/n, e.g. 2/4")
        .refine((text) => Number(text.split("/")[0]) <= Number(text.split("/")[1]), "the shard index must be at most the shard count (i/n with 1 <= i <= n)")
        .optional(),
      /**
       * A directory of the target's repo (`--source DIR`): its `.env*` files, `auth.*`, `settings.py`, `config.py`
       * and TypeScript / Python files are mined for backdoor tokens and committed secrets (token.magic-value,
       * token.guessable-secret, secret.strength). Resolved against the working directory; values found there are
       * only ever sent to the configured target, as attack tokens, and never shown in full.
       */
      source: z.string().min(1).optional(),
    })
    .prefault({}),
  /** Where SARIF and JUnit point: files of the audited project (repo-relative paths, as code scanning wants). */
  report: z
    .strictObject({
      /** Default: the config file, else api.openapiFile, else authproof.config.ts. */
      sourceFile: z.string().min(1).optional(),
      /** Per route: `"METHOD /path"` (the route template) → file, e.g. the router module that serves it. */
      sourceFiles: z
        .record(z.string().regex(/^[A-Za-z]+ \//, { error: 'expected keys like "GET /api/tasks/{id}"' }), z.string().min(1))
        .default({}),
    })
    .prefault({}),
});

/** The validated configuration with every default filled in. */
export type AuthproofConfig = z.output<typeof configSchema>;
/** What a user writes: every field optional where a default exists. */
export type AuthproofConfigInput = z.input<typeof configSchema>;
export type Severity = (typeof SEVERITIES)[number];
export type Reporter = (typeof REPORTERS)[number];
