import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { SignJWT, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIssuer, type RunningIssuer } from "../src/issuer/issuer.ts";
import { checkIdsWith, runCli } from "./helpers/cli.ts";
import { startFixture, type RunningFixture } from "./helpers/fixture.ts";
import { startIssuerCli, type IssuerProcess } from "./helpers/issuer.ts";

// Issue R2.3: a backend nobody here wrote (fixtures/stock/pyjwt-jwks: PyJWT + PyJWKClient against
// BETTER_AUTH_URL/api/auth/jwks) trusts the stand-in issuer, and an authproof audit runs against the pair
// with the issuer's key as its signing oracle.

const PASSWORD = "correct-horse-battery-9";

async function sessionToken(origin: string, email: string): Promise<{ session: string; userId: string }> {
  const res = await fetch(`${origin}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ name: "Backend User", email, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return { session: res.headers.get("set-auth-token")!, userId: ((await res.json()) as { user: { id: string } }).user.id };
}

async function betterAuthJwt(origin: string, session: string): Promise<string> {
  const res = await fetch(`${origin}/api/auth/token`, { headers: { authorization: `Bearer ${session}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

describe("a real backend trusts the stand-in issuer", () => {
  let issuer: RunningIssuer;
  let fixture: RunningFixture;
  beforeAll(async () => {
    issuer = await startIssuer();
    fixture = await startFixture("pyjwt-jwks", { BETTER_AUTH_URL: issuer.origin, CORS_ORIGINS: issuer.origin });
  });
  afterAll(async () => {
    await fixture?.stop();
    await issuer?.stop();
  });

  it("pyjwt-jwks accepts the issuer's Better Auth JWTs (200) and refuses one signed with another key under the same kid (401)", async () => {
    const { session, userId } = await sessionToken(issuer.origin, "backend@example.com");
    const token = await betterAuthJwt(issuer.origin, session);
    const ok = await fetch(`${fixture.url}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status, fixture.output().slice(-2000)).toBe(200);
    expect(await ok.json()).toEqual([]);

    const created = await fetch(`${fixture.url}/api/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "mine" }),
    });
    expect(created.status).toBeLessThan(300);
    expect(((await created.json()) as { user_id: string }).user_id).toBe(userId);

    const other = await generateKeyPair("EdDSA", { extractable: true });
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ sub: userId, iat: now, exp: now + 900, iss: issuer.origin, aud: issuer.origin })
      .setProtectedHeader({ alg: "EdDSA", kid: issuer.kid })
      .sign(other.privateKey);
    const refused = await fetch(`${fixture.url}/api/tasks`, { headers: { authorization: `Bearer ${forged}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe("Bearer");
    await refused.arrayBuffer();
  });

  it("pyjwt-hs256 (shared secret) accepts the HS256 token of /api/backend-token and refuses one from another secret", async () => {
    const hs256 = await startFixture("pyjwt-hs256", { BETTER_AUTH_URL: issuer.origin, BETTER_AUTH_SECRET: issuer.secret });
    try {
      const { session } = await sessionToken(issuer.origin, "shared@example.com");
      const res = await fetch(issuer.backendTokenUrl, { headers: { authorization: `Bearer ${session}` } });
      const { token } = (await res.json()) as { token: string };
      const ok = await fetch(`${hs256.url}/api/tasks`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status, hs256.output().slice(-2000)).toBe(200);
      await ok.arrayBuffer();
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ sub: "someone", iat: now, exp: now + 900, iss: issuer.origin, aud: issuer.origin })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .sign(new TextEncoder().encode("another-secret-that-is-also-32-bytes-long"));
      const refused = await fetch(`${hs256.url}/api/tasks`, { headers: { authorization: `Bearer ${forged}` } });
      expect(refused.status).toBe(401);
      await refused.arrayBuffer();
    } finally {
      await hs256.stop();
    }
  });
});

describe("authproof issuer (the command) and an audit against it", () => {
  let issuer: IssuerProcess;
  let fixture: RunningFixture;
  let dbDir: string;
  beforeAll(async () => {
    dbDir = mkdtempSync(path.join(tmpdir(), "authproof-issuer-cli-"));
    issuer = await startIssuerCli(["--db", path.join(dbDir, "auth.db")]);
    fixture = await startFixture("pyjwt-jwks", { BETTER_AUTH_URL: issuer.env.BETTER_AUTH_URL!, CORS_ORIGINS: issuer.origin });
  }, 120_000);
  afterAll(async () => {
    await fixture?.stop();
    await issuer?.stop();
    if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  });

  it("keeps the key and the secret off the terminal, in a mode-600 env file it names", () => {
    expect(statSync(issuer.envFile).mode & 0o777).toBe(0o600);
    const jwk = JSON.parse(issuer.env.AUTHPROOF_PRIVATE_JWK!) as { d: string; kid: string; alg: string };
    expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(jwk.d).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(issuer.env.BETTER_AUTH_SECRET!.length).toBeGreaterThanOrEqual(43);
    expect(issuer.env.AUTHPROOF_AUTH_URL).toBe(issuer.origin);
    const terminal = issuer.stdout() + issuer.stderr();
    expect(terminal).toContain(`${issuer.origin}/api/auth/jwks`);
    expect(terminal).toContain(jwk.kid);
    expect(terminal).toContain(issuer.envFile);
    expect(terminal).not.toContain(jwk.d);
    expect(terminal).not.toContain(issuer.env.BETTER_AUTH_SECRET);
  });

  it("an audit --only token,claims,isolation with the issuer's key completes with exit 0, the claims checks run", { timeout: 300_000 }, async () => {
    const run = await runCli(["audit", "--only", "token,claims,isolation"], {
      AUTHPROOF_AUTH_URL: issuer.env.AUTHPROOF_AUTH_URL!,
      AUTHPROOF_API_URL: fixture.url,
      AUTHPROOF_PRIVATE_JWK: issuer.env.AUTHPROOF_PRIVATE_JWK!,
      AUTHPROOF_MODE: "jwks",
    });
    const context = `exit ${run.code}\n${run.stderr.slice(-3000)}\n--- fixture:\n${fixture.output().slice(-2000)}\n--- issuer:\n${issuer.stderr().slice(-2000)}`;
    expect(run.code, context).toBe(0);
    const report = run.report!;
    expect(report, context).toBeDefined();
    const claims = report.results.filter((r) => r.checkId.startsWith("claims."));
    const ran = new Set(claims.filter((r) => r.status === "pass" || r.status === "fail").map((r) => r.checkId));
    // The oracle checks (expired, exp missing, nbf, iss, aud, sub) ran, none skipped for want of a key.
    for (const id of ["claims.exp-expired", "claims.exp-missing", "claims.nbf-future", "claims.iss", "claims.aud", "claims.sub"]) expect(ran, id).toContain(id);
    expect(checkIdsWith(report, "skip").filter((id) => id.startsWith("claims.")), "skipped claims checks").toEqual([]);
    expect(checkIdsWith(report, "error"), "errored checks").toEqual([]);
    expect(report.results.some((r) => r.checkId.startsWith("isolation.") && r.status === "pass")).toBe(true);
    // The audit's users were signed up through Better Auth on the issuer, and deleted again when it ended.
    const signUps = (report.writes ?? []).filter((w) => w.method === "POST" && w.url === `${issuer.origin}/api/auth/sign-up/email`);
    expect(signUps.reduce((n, w) => n + w.count, 0), JSON.stringify(report.writes)).toBeGreaterThanOrEqual(2);
    const db = new Database(path.join(dbDir, "auth.db"), { readonly: true, fileMustExist: true });
    try {
      expect((db.prepare("select count(*) as n from user").get() as { n: number }).n, "users left in the issuer's database").toBe(0);
    } finally {
      db.close();
    }
  });

  it("stops cleanly on SIGTERM and removes its temporary env file", async () => {
    const code = await issuer.stop("SIGTERM");
    expect(code).toBe(0);
    expect(issuer.stdout()).toContain("authproof issuer: stopped");
    expect(existsSync(issuer.envFile)).toBe(false);
  });
});

describe("authproof issuer flags", () => {
  it("takes its key from --private-jwk and its secret from --secret-env, and keeps an --env-out file it was given", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "authproof-issuer-flags-"));
    try {
      const seed = await startIssuer({ alg: "ES256" });
      await seed.stop();
      const keyFile = path.join(dir, "key.json");
      writeFileSync(keyFile, JSON.stringify(seed.privateJwk), { mode: 0o600 });
      const envFile = path.join(dir, "out.env");
      const secret = "s".repeat(8) + "-a-backend-secret-of-40-characters!";
      const cli = await startIssuerCli(["--private-jwk", keyFile, "--secret-env", "JWT_SECRET", "--env-out", envFile], { JWT_SECRET: secret });
      try {
        expect(cli.envFile).toBe(envFile);
        expect(cli.stdout()).toContain(`kid ${seed.kid}`);
        expect(cli.stdout()).toContain("ES256");
        expect(cli.env.JWT_SECRET).toBe(secret);
        expect(cli.env.BETTER_AUTH_SECRET).toBe(secret);
        expect(cli.stdout() + cli.stderr()).not.toContain(secret);
        expect(cli.stdout() + cli.stderr()).not.toContain(String(seed.privateJwk.d));
        expect(await cli.stop("SIGINT")).toBe(0);
        expect(existsSync(envFile)).toBe(true);
      } finally {
        await cli.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bad --alg and an unreadable key with one line and exit 2", async () => {
    const bad = await startIssuerCli(["--alg", "HS256"]).catch((e: Error) => e.message);
    expect(bad).toMatch(/exited with 2/);
    expect(bad).toContain("--alg: expected EdDSA, ES256, ES512, RS256, PS256");
    const noKey = await startIssuerCli(["--private-jwk", "/nonexistent/key.json"]).catch((e: Error) => e.message);
    expect(noKey).toMatch(/exited with 2/);
    expect(noKey).toContain("--private-jwk: cannot read /nonexistent/key.json (ENOENT)");
  });
});
