import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/load.ts";
import { configSchema } from "../src/config/schema.ts";
import { makeRedactor } from "../src/config/redact.ts";
import { secretsOf } from "../src/run/audit.ts";
import type { Exchange } from "../src/http/types.ts";
import type { AnonymousProbe, Candidate, Probe, TargetModel } from "../src/model/target.ts";
import {
  MAX_CANDIDATES_PER_KIND,
  candidateLabel,
  candidatesFromAnswers,
  candidatesFromOpenApi,
  candidatesFromSource,
  candidatesInFile,
  classifyName,
  errorAnswers,
  isPrivateCandidate,
  mineCandidates,
  rankCandidates,
  tokenLike,
  unquoteEnvValue,
} from "../src/target/mining.ts";
import type { Operation } from "../src/target/openapi.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

const FIXTURE_DIR = path.join(REPO_ROOT, "fixtures", "standalone-api");
const fixtureDoc = JSON.parse(readFileSync(path.join(FIXTURE_DIR, "openapi.json"), "utf8")) as unknown;
const COMMITTED_SECRET = "dev-secret-change-me-tasks-api-2024";

const values = (candidates: Array<Pick<Candidate, "value" | "kind">>, kind: Candidate["kind"]) => candidates.filter((c) => c.kind === kind).map((c) => c.value);

const temps: string[] = [];
function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "authproof-mining-"));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe("mining the standalone fixture", () => {
  it("finds guest_token and admin_token in the security scheme's description, and nothing from field names", () => {
    const mined = candidatesFromOpenApi(fixtureDoc);
    expect(mined).toEqual([
      { value: "guest_token", kind: "bearer", source: "openapi: components.securitySchemes.HTTPBearer.description", strength: 0 },
      { value: "admin_token", kind: "bearer", source: "openapi: components.securitySchemes.HTTPBearer.description", strength: 0 },
    ]);
  });

  it("--source fixtures/standalone-api finds the secret committed in .env.example and the demo tokens in app.py", () => {
    const mined = rankCandidates(candidatesFromSource(FIXTURE_DIR));
    const committed = mined.find((c) => c.kind === "secret" && c.value === COMMITTED_SECRET);
    expect(committed?.source).toMatch(/^file: \.env\.example:\d+$/);
    const line = Number(committed!.source.split(":").at(-1));
    expect(readFileSync(path.join(FIXTURE_DIR, ".env.example"), "utf8").split("\n")[line - 1]).toBe(`JWT_SECRET=${COMMITTED_SECRET}`);
    expect(values(mined, "bearer")).toEqual(expect.arrayContaining(["guest_token", "admin_token"]));
    // JWKS_URL, JWT_AUDIENCE, AUTH_MODE and DATABASE_PATH are settings, not secrets.
    expect(values(mined, "secret")).toEqual([COMMITTED_SECRET]);
  });

  it("mineCandidates puts documentation first and keeps one entry per kind and value", () => {
    const all = mineCandidates(fixtureDoc, [], [], FIXTURE_DIR);
    expect(all.slice(0, 2).map((c) => c.value)).toEqual(["guest_token", "admin_token"]);
    expect(all[0]!.source).toMatch(/^openapi: /);
    expect(all.filter((c) => c.value === "guest_token")).toHaveLength(1);
    expect(all.find((c) => c.kind === "secret")).toEqual({ value: COMMITTED_SECRET, kind: "secret", source: expect.stringMatching(/^file: \.env\.example:/) });
    // user_id is a parameter of the document: a docstring naming it is no backdoor.
    expect(all.some((c) => c.value === "user_id")).toBe(false);
    expect(mineCandidates(fixtureDoc, [], [])).toHaveLength(2);
  });
});

describe("OpenAPI documents", () => {
  const doc = {
    openapi: "3.1.0",
    info: { title: "x", version: "1", description: "Sign in first. Sort by `created_at`." },
    paths: {
      "/api/tasks": {
        get: {
          summary: "List tasks",
          description: 'Demo accounts: send "demo-token-123" as the bearer token. Admins use `Bearer root-admin-key`.',
          operationId: "list_tasks",
          parameters: [
            { name: "sort_by", in: "query", schema: { type: "string", default: "created_at", enum: ["created_at", "title"] } },
            { name: "X-Api-Key", in: "header", example: "local-api-key-42", schema: { type: "string" } },
          ],
          "x-test-token": "x-ext-token",
          responses: { "200": { description: "OK" } },
        },
      },
    },
    components: {
      schemas: { Login: { type: "object", properties: { token: { type: "string", example: "example-login-token" }, title: { type: "string", example: "Buy milk" } } } },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "Tokens are HS256, signed with `tasks-dev-signing-secret` in development." } },
    },
  };

  it("mines descriptions, credential-like examples and x- extensions, with the kind their context says", () => {
    const mined = candidatesFromOpenApi(doc);
    expect(values(mined, "bearer").sort()).toEqual(["demo-token-123", "example-login-token", "local-api-key-42", "root-admin-key", "x-ext-token"].sort());
    expect(values(mined, "secret")).toEqual(["tasks-dev-signing-secret"]);
    expect(mined.find((c) => c.value === "demo-token-123")?.source).toBe("openapi: paths./api/tasks.get.description");
    expect(mined.find((c) => c.value === "local-api-key-42")?.source).toBe("openapi: paths./api/tasks.get.parameters[1].example");
    // Defaults and examples of ordinary fields, and names the document defines, are not candidates.
    expect(mined.some((c) => ["created_at", "Buy milk", "title"].includes(c.value))).toBe(false);
  });

  it("tolerates anything that is not a document", () => {
    expect(candidatesFromOpenApi(undefined)).toEqual([]);
    expect(candidatesFromOpenApi("text")).toEqual([]);
    expect(candidatesFromOpenApi({ paths: [] })).toEqual([]);
  });
});

describe("error answers", () => {
  const op = (method: Operation["method"], p: string): Operation => ({ method, path: p, declaresSecurity: true, isPublic: false, pathParams: [], queryParams: [], responses: [] });
  const exchange = (status: number, body: string, json?: unknown): Exchange => ({
    request: { method: "GET", url: "http://127.0.0.1:8000/api/tasks" },
    response: { status, headers: {}, body, ...(json !== undefined ? { json } : {}), durationMs: 1 },
    startedAt: 0,
  });

  it("mines the 4xx/5xx bodies of the controls and of the requests without a token, once per distinct body", () => {
    const hint = { detail: "Invalid token. For local testing send `Authorization: Bearer local-dev-token`." };
    const probe = {
      op: op("GET", "/api/tasks"),
      request: { method: "GET", url: "http://127.0.0.1:8000/api/tasks" },
      kind: "read",
      controls: { positive: exchange(200, '{"note":"token `not-from-a-2xx`"}', { note: "token `not-from-a-2xx`" }), negative: exchange(401, JSON.stringify(hint), hint), invalid: exchange(401, JSON.stringify(hint), hint) },
    } as Probe;
    const anonymous = [{ op: op("POST", "/api/admin"), request: probe.request, exchange: exchange(403, "Forbidden: use token=letmein-admin") }] as AnonymousProbe[];
    const answers = errorAnswers([probe], anonymous);
    expect(answers.map((a) => a.label)).toEqual(["GET /api/tasks 401", "POST /api/admin 403"]);
    const mined = candidatesFromAnswers(answers);
    expect(mined.map((c) => [c.value, c.source])).toEqual([
      ["local-dev-token", "response: GET /api/tasks 401"],
      ["letmein-admin", "response: POST /api/admin 403"],
    ]);
  });
});

describe("repo files", () => {
  it("reads assignments of secret- and token-named variables in environment files", () => {
    const text = [
      "# comment JWT_SECRET=not-this",
      "export BETTER_AUTH_SECRET='quoted secret value'",
      'JWT_SECRET="double-quoted" # trailing',
      "SECRET_KEY=bare-value # inline comment",
      "ADMIN_TOKEN=admin-env-token",
      "GITHUB_TOKEN=ghp_never_sent",
      "STRIPE_SECRET_KEY=sk_test_ok_as_hmac_key",
      "JWT_SECRET_FILE=/run/secrets/jwt",
      "ACCESS_TOKEN_EXPIRE_MINUTES=30",
      "BETTER_AUTH_URL=http://localhost:3000",
      "EMPTY_SECRET=",
      "REF_SECRET=${OTHER_SECRET}",
    ].join("\n");
    const mined = candidatesInFile("backend/.env.example", text);
    expect(mined.map((c) => [c.kind, c.value, c.source])).toEqual([
      ["secret", "quoted secret value", "file: backend/.env.example:2"],
      ["secret", "double-quoted", "file: backend/.env.example:3"],
      ["secret", "bare-value", "file: backend/.env.example:4"],
      ["bearer", "admin-env-token", "file: backend/.env.example:5"],
      ["secret", "sk_test_ok_as_hmac_key", "file: backend/.env.example:7"],
    ]);
  });

  it("reads fallbacks, string assignments and comparisons in Python and TypeScript", () => {
    const python = [
      'JWT_SECRET = os.getenv("JWT_SECRET", "py-getenv-fallback")',
      "SECRET_KEY = os.environ.get('SECRET_KEY', 'py-environ-fallback')",
      'secret = config("AUTH_SECRET", default="py-decouple-fallback")',
      'DATABASE_URL = os.getenv("DATABASE_URL", "sqlite:///x.db")',
      '    jwt_secret: str = "pydantic-settings-default"',
      'if credentials.credentials == "py-compared-token":',
      'DEMO_TOKENS = {"guest-demo": "guest", "qa-demo": "qa"}',
      'GITHUB_TOKEN = "ghp_never_sent_either"',
      'log.info("token refreshed for %s", user)',
    ].join("\n");
    const mined = candidatesInFile("app/settings.py", python);
    expect(values(mined, "secret")).toEqual(["py-getenv-fallback", "py-environ-fallback", "py-decouple-fallback", "pydantic-settings-default"]);
    expect(values(mined, "bearer")).toEqual(expect.arrayContaining(["py-compared-token", "guest-demo", "qa-demo"]));
    expect(mined.find((c) => c.value === "py-compared-token")?.strength).toBe(0);
    expect(mined.find((c) => c.value === "guest-demo")?.strength).toBe(1);
    expect(mined.some((c) => /ghp_|sqlite|refreshed/.test(c.value))).toBe(false);

    const ts = [
      "export const auth = betterAuth({",
      '  secret: process.env.BETTER_AUTH_SECRET ?? "ts-nullish-fallback",',
      "  other: process.env['JWT_SECRET'] || 'ts-or-fallback',",
      '  jwtSecret: "ts-literal-secret",',
      "});",
      'if (token === "ts-bypass-token") return devUser;',
      'const headers = { Authorization: "Bearer ts-bearer-literal" };',
      "const url = `${process.env.API_URL}/tasks`;",
    ].join("\n");
    const fromTs = candidatesInFile("lib/auth.ts", ts);
    expect(values(fromTs, "secret")).toEqual(["ts-nullish-fallback", "ts-or-fallback", "ts-literal-secret"]);
    expect(values(fromTs, "bearer")).toEqual(expect.arrayContaining(["ts-bypass-token", "ts-bearer-literal"]));
    expect(fromTs.every((c) => c.source.startsWith("file: lib/auth.ts:"))).toBe(true);
  });

  it("skips node_modules, .git, virtual environments, build output, large files and symbolic links", () => {
    const dir = tempRepo({
      ".env": "JWT_SECRET=root-env-secret\n",
      "src/config.py": 'SECRET_KEY = "nested-config-secret"\n',
      "node_modules/pkg/index.js": 'const secret = "from-node-modules";\n',
      ".git/hooks/x.py": 'SECRET_KEY = "from-git"\n',
      ".venv/lib/settings.py": 'SECRET_KEY = "from-venv"\n',
      "env2/pyvenv.cfg": "home = /usr\n",
      "env2/lib/settings.py": 'SECRET_KEY = "from-named-venv"\n',
      ".next/server/app.js": 'const secret = "from-next-build"\n',
      "big.py": `SECRET_KEY = "from-a-large-file"\n${"#".repeat(300 * 1024)}\n`,
      "README.md": "JWT_SECRET=from-markdown\n",
    });
    symlinkSync(path.join(dir, "src"), path.join(dir, "linked"));
    const mined = candidatesFromSource(dir);
    expect(values(mined, "secret")).toEqual(["root-env-secret", "nested-config-secret"]);
    expect(mined.map((c) => c.source)).toEqual(["file: .env:1", "file: src/config.py:1"]);
  });

  it("refuses a source that is not a directory, naming run.source", () => {
    expect(() => candidatesFromSource(path.join(FIXTURE_DIR, "app.py"))).toThrow(ConfigError);
    expect(() => candidatesFromSource("/nonexistent/authproof")).toThrow(/run\.source/);
  });
});

describe("config: run.source / --source / AUTHPROOF_SOURCE", () => {
  it("resolves the directory against the working directory", async () => {
    const config = await loadConfig({ flags: { source: "fixtures/standalone-api" }, env: {}, cwd: REPO_ROOT });
    expect(config.run.source).toBe(FIXTURE_DIR);
    const fromEnv = await loadConfig({ flags: {}, env: { AUTHPROOF_SOURCE: "fixtures/standalone-api" }, cwd: REPO_ROOT });
    expect(fromEnv.run.source).toBe(FIXTURE_DIR);
    expect((await loadConfig({ flags: {}, env: {}, cwd: REPO_ROOT })).run.source).toBeUndefined();
  });

  it("stops with one message naming the field when it is not a directory", async () => {
    await expect(loadConfig({ flags: { source: "no/such/dir" }, env: {}, cwd: REPO_ROOT })).rejects.toThrow('config: run.source: "no/such/dir" is not a directory (from --source)');
  });
});

describe("the pieces", () => {
  it("tokenLike keeps values and drops prose, code names, paths, URLs and protocol words", () => {
    for (const v of ["guest_token", "dev-token", "letmein", "abc.def-123", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"]) expect(tokenLike(v), v).toBe(true);
    for (const v of ["a b", "ab", "authClient.token()", "os.environ", "/api/tasks", "http://x.test", "<token>", "Bearer", "HS256", "app.py", "JWT_SECRET=x", "${TOKEN}"])
      expect(tokenLike(v), v).toBe(false);
  });

  it("classifyName tells secrets from tokens from settings", () => {
    expect(["JWT_SECRET", "SECRET_KEY", "BETTER_AUTH_SECRET", "jwtSecret", "NEXTAUTH_SECRET", "ACCESS_TOKEN_SECRET", "JWT_SIGNING_KEY"].map(classifyName)).toEqual(Array(7).fill("secret"));
    expect(["ADMIN_TOKEN", "DEV_BYPASS_TOKEN", "token", "guestToken", "MASTER_KEY"].map(classifyName)).toEqual(Array(5).fill("bearer"));
    expect(["GITHUB_TOKEN", "HF_TOKEN", "ACCESS_TOKEN_EXPIRE_MINUTES", "JWT_SECRET_FILE", "TOKEN_URL", "JWT_ALGORITHM", "COOKIE_NAME", "REFRESH_TOKEN"].map(classifyName)).toEqual(Array(8).fill(undefined));
  });

  it("unquoteEnvValue handles quotes and inline comments", () => {
    expect(unquoteEnvValue(' "a # b" ')).toBe("a # b");
    expect(unquoteEnvValue("'x'")).toBe("x");
    expect(unquoteEnvValue("plain # comment")).toBe("plain");
    expect(unquoteEnvValue("a#b")).toBe("a#b");
  });

  it("rankCandidates orders by strength, keeps the first source and caps each kind", () => {
    const many = Array.from({ length: MAX_CANDIDATES_PER_KIND + 5 }, (_, i) => ({ value: `weak-${i}`, kind: "bearer" as const, source: `file: a.py:${i}`, strength: 1 as const }));
    const ranked = rankCandidates([...many, { value: "strong", kind: "bearer", source: "file: .env:1", strength: 0 }, { value: "weak-0", kind: "secret", source: "file: b.py:1", strength: 0 }]);
    expect(ranked[0]).toEqual({ value: "strong", kind: "bearer", source: "file: .env:1" });
    expect(ranked.filter((c) => c.kind === "bearer")).toHaveLength(MAX_CANDIDATES_PER_KIND);
    expect(ranked.filter((c) => c.kind === "secret")).toEqual([{ value: "weak-0", kind: "secret", source: "file: b.py:1" }]);
  });

  it("never shows a value only the user's files hold in full", () => {
    const fromFile: Candidate = { value: COMMITTED_SECRET, kind: "secret", source: "file: .env.example:6" };
    expect(isPrivateCandidate(fromFile)).toBe(true);
    expect(candidateLabel(fromFile)).toBe("dev…24 (35 chars)");
    expect(candidateLabel({ value: "hunter2", kind: "secret", source: "file: .env:1" })).toBe("***… (7 chars)");
    // A bundled value or one the API documents is public anyway.
    expect(candidateLabel({ value: "changeme", kind: "secret", source: "file: .env:2" })).toBe('"changeme"');
    expect(candidateLabel({ value: "guest_token", kind: "bearer", source: "openapi: components.securitySchemes.HTTPBearer.description" })).toBe('"guest_token"');
  });
});

describe("reports", () => {
  it("redact values only the user's files hold, and keep public ones", () => {
    const model = {
      config: configSchema.parse({}),
      users: [],
      candidates: [
        { value: COMMITTED_SECRET, kind: "secret", source: "file: .env.example:6" },
        { value: "only-in-files-token", kind: "bearer", source: "file: app.py:3" },
        { value: "guest_token", kind: "bearer", source: "openapi: components.securitySchemes.HTTPBearer.description" },
        { value: "changeme", kind: "secret", source: "file: .env:1" },
      ],
    } as unknown as TargetModel;
    const redact = makeRedactor(secretsOf(model));
    expect(redact(`body echoes ${COMMITTED_SECRET} and Bearer only-in-files-token`)).toBe("body echoes [REDACTED] and Bearer [REDACTED]");
    expect(redact("whole token=guest_token; secret=changeme")).toBe("whole token=guest_token; secret=changeme");
  });
});

