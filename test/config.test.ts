import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config/load.ts";
import { DEFAULT_PUBLIC_ROUTES, REPORTERS } from "../src/config/schema.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "authproof-config-"));
const load = (over: Partial<Parameters<typeof loadConfig>[0]> = {}) => loadConfig({ flags: {}, env: {}, cwd: tmp(), ...over });

async function configError(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

function jsonFile(data: unknown): { file: string; cwd: string } {
  const cwd = tmp();
  writeFileSync(join(cwd, "authproof.config.json"), JSON.stringify(data));
  return { file: "authproof.config.json", cwd };
}

describe("loadConfig defaults", () => {
  it("fills every section with the documented defaults", async () => {
    const c = await load();
    expect(c.api).toEqual({ baseUrl: "http://127.0.0.1:8000", openapiPath: "/openapi.json", include: [], exclude: [], publicRoutes: DEFAULT_PUBLIC_ROUTES });
    expect(c.auth).toEqual({ basePath: "/api/auth", tokenPath: "/api/auth/token", tokenField: "token" });
    expect(c.identities).toEqual({ mode: "auto", claims: {}, lifetimeSec: 900 });
    expect(c.mode).toBe("jwks");
    expect(c.keys).toEqual({ jwksPath: "/api/auth/jwks" });
    expect(c.claims).toEqual({ identityClaim: "sub", leewaySec: 60, requireKnownSubject: false });
    expect(c.users).toEqual({ signUp: true });
    expect(c.resources).toEqual([]);
    expect(c.cookies.expectSecure).toBe("auto");
    expect(c.browser).toEqual({ signUpPath: "/sign-up", signInPath: "/sign-in" });
    expect(c.policy).toEqual({ foreignStatus: "either", maxTokenLifetimeSec: 3600, maxCookieLifetimeSec: 2592000, maxSessionCacheSec: 60, failOn: "high", maxLatencyMs: 2000 });
    expect(c.session).toEqual({ maxWaitSec: 360 });
    expect(c.rate).toEqual({});
    expect(c.timeouts).toEqual({ requestMs: 10_000, operationMs: 60_000 });
    expect(c.run).toEqual({ only: [], skip: [], reporters: [...REPORTERS], out: "reports", includeTokens: false, allowDestructive: false, requireOracle: false, failOnNew: false });
  });
});

describe("loadConfig layering", () => {
  it("applies defaults < file < environment < flags", async () => {
    const { file, cwd } = jsonFile({ api: { baseUrl: "http://file:1" }, auth: { baseUrl: "http://file:2" }, mode: "shared-secret", rate: { rps: 5, concurrency: 2 } });
    const c = await loadConfig({
      file,
      cwd,
      env: { AUTHPROOF_AUTH_URL: "http://env:2", AUTHPROOF_MODE: "jwks", AUTHPROOF_RPS: "7" },
      flags: { auth: "http://flag:2", rps: "9" },
    });
    expect(c.api.baseUrl).toBe("http://file:1"); // file only
    expect(c.auth.baseUrl).toBe("http://flag:2"); // file < env < flag
    expect(c.mode).toBe("jwks"); // file < env
    expect(c.rate).toEqual({ rps: 9, concurrency: 2 }); // sibling from the file kept
  });

  it("maps environment variables onto fields", async () => {
    const jwk = { kty: "OKP", crv: "Ed25519", x: "abc", d: "def" };
    const c = await load({
      env: {
        AUTHPROOF_API_URL: "https://api.example.test/",
        AUTHPROOF_AUTH_URL: "https://app.example.test",
        AUTHPROOF_MODE: "shared-secret",
        BETTER_AUTH_SECRET: "s3cret-from-env-0123456789abcdef",
        AUTHPROOF_PRIVATE_JWK: JSON.stringify(jwk),
        AUTHPROOF_FAIL_ON: "medium",
        AUTHPROOF_SEED: "42",
        AUTHPROOF_RUNS: "50",
        AUTHPROOF_ONLY: "token, claims.exp-expired",
        AUTHPROOF_REPORTER: "json,sarif",
        AUTHPROOF_INCLUDE_TOKENS: "true",
        AUTHPROOF_CHROMIUM: "/usr/bin/chromium",
        AUTHPROOF_ACCOUNTS: JSON.stringify([{ email: "a@example.com", password: "pw-a" }, { email: "b@example.com", password: "pw-b" }]),
        AUTHPROOF_TIMEOUT_MS: "",
      },
    });
    expect(c.api.baseUrl).toBe("https://api.example.test");
    expect(c.mode).toBe("shared-secret");
    expect(c.keys.secret).toBe("s3cret-from-env-0123456789abcdef");
    expect(c.keys.privateJwk).toEqual(jwk);
    expect(c.policy.failOn).toBe("medium");
    expect(c.run).toMatchObject({ seed: 42, runs: 50, only: ["token", "claims.exp-expired"], reporters: ["json", "sarif"], includeTokens: true });
    expect(c.browser.executablePath).toBe("/usr/bin/chromium");
    expect(c.users.accounts?.map((a) => a.email)).toEqual(["a@example.com", "b@example.com"]);
    expect(c.timeouts.requestMs).toBe(10_000); // empty variable = unset
  });

  it("maps CLI flags in kebab-case or camelCase, with or without dashes", async () => {
    const warnings: string[] = [];
    const c = await load({
      flags: {
        api: "http://127.0.0.1:9000",
        "--fail-on": "low",
        seed: "7",
        runs: "3",
        skip: "cors,cookie",
        reporter: "html",
        out: "out/dir",
        rps: "0",
        concurrency: "4",
        timeout: "1500",
        includeTokens: true,
        baseline: "old.json",
        secret: "flag-secret-value",
        mode: undefined,
      },
      warn: (m) => warnings.push(m),
    });
    expect(c.api.baseUrl).toBe("http://127.0.0.1:9000");
    expect(c.policy.failOn).toBe("low");
    expect(c.rate).toEqual({ rps: 0, concurrency: 4 });
    expect(c.timeouts.requestMs).toBe(1500);
    expect(c.run).toMatchObject({ seed: 7, runs: 3, skip: ["cors", "cookie"], reporters: ["html"], out: "out/dir", includeTokens: true, baseline: "old.json" });
    expect(c.keys.secret).toBe("flag-secret-value");
    expect(c.mode).toBe("jwks");
    expect(warnings.join()).toMatch(/BETTER_AUTH_SECRET/);
  });

  it("loads a .ts config file written with defineConfig", async () => {
    const cwd = tmp();
    const define = resolve("src/config/define.ts");
    writeFileSync(
      join(cwd, "authproof.config.ts"),
      `import { defineConfig } from ${JSON.stringify(define)};
const port: number = 8123;
export default defineConfig({ api: { baseUrl: \`http://127.0.0.1:\${port}\` }, policy: { foreignStatus: 403 }, resources: [{ collection: "/api/tasks", item: "/api/tasks/{task_id}", createBody: { title: "x" } }] });
`,
    );
    const c = await loadConfig({ cwd, flags: {}, env: {} }); // discovered without `file`
    expect(c.api.baseUrl).toBe("http://127.0.0.1:8123");
    expect(c.policy.foreignStatus).toBe("403");
    expect(c.resources).toEqual([{ collection: "/api/tasks", item: "/api/tasks/{task_id}", idField: "id", createBody: { title: "x" } }]);
  });
});

describe("loadConfig errors name the field", () => {
  const cases: Array<[string, unknown, string, RegExp?]> = [
    ["bad api URL", { api: { baseUrl: "localhost" } }, "api.baseUrl", /expected a URL .*got "localhost"/],
    ["ftp URL", { auth: { baseUrl: "ftp://x" } }, "auth.baseUrl"],
    ["relative openapi path", { api: { openapiPath: "openapi.json" } }, "api.openapiPath"],
    ["bad include method", { api: { include: [{ method: "FETCH", path: "/x" }] } }, "api.include[0].method"],
    ["mode", { mode: "jkws" }, "mode", /expected "jwks" \| "shared-secret" \| "session", got "jkws"/],
    ["secret type", { keys: { secret: 123456 } }, "keys.secret"],
    ["public JWK", { keys: { privateJwk: { kty: "OKP", x: "a" } } }, "keys.privateJwk"],
    ["JWK not JSON", { keys: { privateJwk: "{nope" } }, "keys.privateJwk"],
    ["leeway", { claims: { leewaySec: -1 } }, "claims.leewaySec", />= 0/],
    ["one account", { users: { accounts: [{ email: "a@example.com", password: "x" }] } }, "users.accounts", /exactly 2/],
    ["account email", { users: { accounts: [{ email: "nope", password: "x" }, { email: "b@example.com", password: "y" }] } }, "users.accounts[0].email"],
    ["no sign-up without accounts", { users: { signUp: false } }, "users.accounts", /required when users.signUp is false/],
    ["resource item placeholder", { resources: [{ collection: "/api/tasks", item: "/api/tasks/1" }] }, "resources[0].item"],
    ["cors origin with path", { cors: { allowedOrigins: ["https://ok.example", "https://x.example/path"] } }, "cors.allowedOrigins[1]"],
    ["expectSecure", { cookies: { expectSecure: "yes" } }, "cookies.expectSecure"],
    ["foreignStatus", { policy: { foreignStatus: 401 } }, "policy.foreignStatus"],
    ["failOn", { policy: { failOn: "severe" } }, "policy.failOn"],
    ["rps negative", { rate: { rps: -5 } }, "rate.rps"],
    ["concurrency zero", { rate: { concurrency: 0 } }, "rate.concurrency"],
    ["concurrency fraction", { rate: { concurrency: 1.5 } }, "rate.concurrency"],
    ["timeout", { timeouts: { requestMs: "fast" } }, "timeouts.requestMs", /got "fast"/],
    ["reporter", { run: { reporters: ["json", "pdf"] } }, "run.reporters[1]"],
    ["includeTokens", { run: { includeTokens: "yes" } }, "run.includeTokens"],
    ["section type", { api: "http://x" }, "api"],
    ["unknown top-level key", { apiUrl: "http://x" }, "apiUrl", /unknown key/],
    ["unknown nested key", { api: { baseURL: "http://x" } }, "api.baseURL", /unknown key/],
    ["unknown key in list item", { resources: [{ collection: "/a", item: "/a/{id}", owner: "x" }] }, "resources[0].owner", /unknown key/],
  ];

  it.each(cases)("%s", async (_name, data, field, detail) => {
    const err = await configError(loadConfig({ ...jsonFile(data), flags: {}, env: {} }));
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.field).toBe(field);
    expect(err.message.startsWith(`config: ${field}: `)).toBe(true);
    expect(err.message).not.toContain("\n");
    if (detail) expect(err.message).toMatch(detail);
  });

  it("reports the exact message from the brief for a bad URL", async () => {
    const err = await configError(load({ flags: { api: "localhost" } }));
    expect(err.message).toBe('config: api.baseUrl: expected a URL (http:// or https://), got "localhost" (from --api)');
  });

  it("names the variable or flag a bad value came from", async () => {
    expect((await configError(load({ env: { AUTHPROOF_RPS: "lots" } }))).message).toMatch(/^config: rate\.rps: expected a number of requests per second \(0 = no limit\) or "auto", got "lots" \(from AUTHPROOF_RPS\)$/);
    expect((await configError(load({ env: { AUTHPROOF_ACCOUNTS: "[oops" } }))).message).toBe("config: users.accounts: expected JSON (from AUTHPROOF_ACCOUNTS)");
    expect((await configError(load({ flags: { "fail-on": true } }))).field).toBe("policy.failOn");
  });

  it("never echoes secret values", async () => {
    const err = await configError(load({ env: { AUTHPROOF_PRIVATE_JWK: '{"kty":"OKP","x":"pub","dd":"TOPSECRET"}' } }));
    expect(err.field).toBe("keys.privateJwk");
    expect(err.message).not.toContain("TOPSECRET");
    const err2 = await configError(loadConfig({ ...jsonFile({ users: { password: "short" } }), flags: {}, env: {} }));
    expect(err2.field).toBe("users.password");
    expect(err2.message).not.toContain("short\"");
  });

  it("puts unknown keys first and counts the other problems in the same line", async () => {
    const err = await configError(loadConfig({ ...jsonFile({ mode: "x", rate: { rps: -1, burst: 3 } }), flags: {}, env: {} }));
    expect(err.field).toBe("rate.burst");
    expect(err.message).toMatch(/and 2 more: mode, rate\.rps/);
    expect(err.problems).toHaveLength(3);
  });

  it("explains unreadable files", async () => {
    const cwd = tmp();
    writeFileSync(join(cwd, "bad.json"), "{ not json");
    writeFileSync(join(cwd, "list.json"), "[]");
    writeFileSync(join(cwd, "broken.mjs"), "export default {;");
    writeFileSync(join(cwd, "c.yaml"), "a: 1");
    for (const [file, detail] of [
      ["missing.json", /missing\.json not found/],
      ["bad.json", /bad\.json is not valid JSON/],
      ["list.json", /must contain a JSON object/],
      ["broken.mjs", /cannot load broken\.mjs/],
      ["c.yaml", /unsupported file type/],
    ] as const) {
      const err = await configError(loadConfig({ file, cwd, flags: {}, env: {} }));
      expect(err.field).toBe("file");
      expect(err.message).toMatch(detail);
    }
  });
});
