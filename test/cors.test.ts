import { describe, expect, test } from "vitest";
import { judgeCors, readGrant, type CorsTarget } from "../src/checks/cors/judge.ts";
import { deriveOriginClasses, registeredDomain } from "../src/checks/cors/origins.ts";
import { mergeClasses, planCors } from "../src/checks/cors/plan.ts";
import { runCorsProbes, withoutAllowed } from "../src/checks/cors/probe.ts";
import type { Exchange, HttpRequest } from "../src/http/types.ts";
import type { CheckOutcome } from "../src/judge/types.ts";

const ALLOWED = "https://www.example.com";

/** A fake server: decides the CORS headers from the request like a real middleware would. */
type Policy = (origin: string, req: HttpRequest) => Record<string, string>;
const NONE: Record<string, string> = {};

function fakeDriver(policy: Policy) {
  const sent: HttpRequest[] = [];
  return {
    sent,
    async send(req: HttpRequest): Promise<Exchange> {
      sent.push(req);
      const origin = String(req.headers?.origin ?? "");
      const headers = policy(origin, req);
      const status = req.method === "OPTIONS" ? (headers["access-control-allow-origin"] ? 200 : 400) : 401;
      return { request: req, startedAt: 0, response: { status, headers, body: "", durationMs: 1 } };
    },
  };
}

/** Starlette CORSMiddleware with an explicit allow-list and credentials (the secure reference backend). */
const starletteAllowList: Policy = (origin, req) => {
  const headers: Record<string, string> = { "access-control-allow-credentials": "true" };
  if (origin === ALLOWED) return { ...headers, "access-control-allow-origin": origin, vary: "Origin" };
  return req.method === "OPTIONS" ? headers : { ...headers, vary: "Origin" };
};

/** Starlette with allow_origin_regex=".*" and credentials: every origin reflected (the cors-reflect flaw). */
const starletteReflect: Policy = (origin) => ({ "access-control-allow-origin": origin, "access-control-allow-credentials": "true", vary: "Origin" });

const target: CorsTarget = { name: "the API", endpoint: { method: "GET", path: "/api/me", url: "https://api.example.com/api/me" }, crossOriginAllowed: [ALLOWED], configured: true };

async function audit(policy: Policy, t: CorsTarget = target): Promise<Map<string, CheckOutcome>> {
  const classes = withoutAllowed(deriveOriginClasses(ALLOWED, "evil"), [ALLOWED]);
  const probes = await runCorsProbes(fakeDriver(policy), { url: t.endpoint.url!, classes, allowedOrigins: t.crossOriginAllowed, cookie: "sid=1" });
  return new Map(judgeCors(t, classes, probes).map((o) => [o.checkId, o]));
}

function statuses(outcomes: Map<string, CheckOutcome>): Record<string, string> {
  return Object.fromEntries([...outcomes].map(([id, o]) => [id, o.status]));
}

describe("origin classes", () => {
  test("derives the CORScanner / ZAP classes for https://www.example.com", () => {
    const classes = Object.fromEntries(deriveOriginClasses(ALLOWED, "evil").map((c) => [c.classId, c.origins]));
    expect(classes["reflect-origin"]).toEqual(["https://evil.test"]);
    expect(classes["null-origin"]).toEqual(["null"]);
    expect(classes["prefix-origin"]).toEqual(["https://www.example.com.evil.test"]);
    expect(classes["suffix-origin"]).toEqual(["https://evilexample.com"]);
    expect(classes["substring-origin"]).toEqual(["https://xample.com"]);
    expect(classes["unescaped-dot"]).toEqual(["https://wwwaexample.com", "https://www.exampleacom"]);
    expect(classes["special-chars"]).toContain("https://www.example.com_.evil.test");
    expect(classes["special-chars"]).toContain("https://www.example.com`.evil.test");
    expect(classes["any-subdomain"]).toEqual(["https://evil.www.example.com"]);
    expect(classes["http-downgrade"]).toEqual(["http://www.example.com"]);
    expect(classes["third-party"]).toEqual(["https://whatever.github.io", "https://codepen.io", "https://jsfiddle.net"]);
  });

  test("keeps the port and marks classes that cannot apply to an IP address or plain http", () => {
    const classes = new Map(deriveOriginClasses("http://127.0.0.1:3000", "evil").map((c) => [c.classId, c]));
    expect(classes.get("prefix-origin")!.origins).toEqual(["http://127.0.0.1.evil.test:3000"]);
    for (const id of ["suffix-origin", "substring-origin", "unescaped-dot", "any-subdomain", "http-downgrade"] as const)
      expect(classes.get(id)!.notApplicable, id).toBeTruthy();
    expect(classes.get("reflect-origin")!.origins).toEqual(["http://evil.test"]);
  });

  test("localhost gets subdomain and suffix origins but no unescaped dot", () => {
    const classes = new Map(deriveOriginClasses("http://localhost:3000", "evil").map((c) => [c.classId, c]));
    expect(classes.get("any-subdomain")!.origins).toEqual(["http://evil.localhost:3000"]);
    expect(classes.get("suffix-origin")!.origins).toEqual(["http://evillocalhost:3000"]);
    expect(classes.get("unescaped-dot")!.notApplicable).toBeTruthy();
  });

  test("registered domains by heuristic", () => {
    expect(registeredDomain("www.example.com")).toBe("example.com");
    expect(registeredDomain("app.shop.example.co.uk")).toBe("example.co.uk");
    expect(registeredDomain("example.com")).toBe("example.com");
  });

  test("several allowed origins merge; allowed origins are never sent as attacks", () => {
    const merged = withoutAllowed(
      mergeClasses([deriveOriginClasses("https://www.example.com"), deriveOriginClasses("http://www.example.com")]),
      ["https://www.example.com", "http://www.example.com"],
    );
    const downgrade = merged.find((c) => c.classId === "http-downgrade")!;
    expect(downgrade.origins).toEqual([]);
    expect(merged.find((c) => c.classId === "prefix-origin")!.origins).toHaveLength(2);
  });

  test("planCors probes the API and Better Auth; the auth origin needs no CORS when it is the frontend", () => {
    const plans = planCors({ allowedOrigins: [], authOrigin: "https://app.example.com", apiUrl: "https://api.example.com/api/me", authUrl: "https://app.example.com/api/auth/get-session", cookie: "c=1" });
    expect(plans.map((p) => p.target.name)).toEqual(["the API", "Better Auth"]);
    expect(plans[0]!.plan.allowedOrigins).toEqual(["https://app.example.com"]);
    expect(plans[1]!.plan.allowedOrigins).toEqual([]);
    expect(plans[0]!.target.configured).toBe(false);
  });
});

describe("CORS judges", () => {
  test("a Starlette allow-list with credentials passes every check (and the positive control works)", async () => {
    const outcomes = await audit(starletteAllowList);
    expect(Object.values(statuses(outcomes)).every((s) => s === "pass")).toBe(true);
    expect(outcomes.get("cors.reflect-origin")!.notes?.join(" ")).toContain(`positive control: ${ALLOWED} allowed`);
  });

  test("Starlette-style reflection with credentials fails reflect-origin and wildcard-credentials, naming the origin", async () => {
    const outcomes = await audit(starletteReflect);
    const failing = [...outcomes].filter(([, o]) => o.status === "fail").map(([id]) => id).sort();
    expect(failing).toEqual(["cors.reflect-origin", "cors.wildcard-credentials"]);
    const reflect = outcomes.get("cors.reflect-origin")!;
    expect(reflect.reason).toContain("https://evil.test");
    expect(reflect.reason).toContain("Access-Control-Allow-Credentials: true");
    expect(reflect.exchanges![0]!.exchange.request.headers!.origin).toBe("https://evil.test");
    expect(reflect.notes!.join(" ")).toContain("null (null-origin)");
    expect(outcomes.get("cors.prefix-origin")!.status).toBe("skip");
    expect(outcomes.get("cors.prefix-origin")!.reason).toContain("subsumed by cors.reflect-origin");
    expect(outcomes.get("cors.wildcard-credentials")!.reason).toContain("https://evil.test");
  });

  test("reflection only for cookie-bearing simple requests is still caught", async () => {
    const outcomes = await audit((origin, req) =>
      req.headers?.cookie || origin === ALLOWED ? { "access-control-allow-origin": origin, "access-control-allow-credentials": "true", vary: "Origin" } : NONE,
    );
    expect(outcomes.get("cors.reflect-origin")!.status).toBe("fail");
    expect(outcomes.get("cors.reflect-origin")!.reason).toContain("(simple+cookie)");
  });

  test("ACAO * without credentials fails reflect-origin but not wildcard-credentials; with ACAC it fails both", async () => {
    const star = await audit(() => ({ "access-control-allow-origin": "*" }));
    expect(star.get("cors.reflect-origin")!.status).toBe("fail");
    expect(star.get("cors.wildcard-credentials")!.status).toBe("pass");
    expect(star.get("cors.vary-origin")!.status).toBe("pass");
    const starCredentials = await audit(() => ({ "access-control-allow-origin": "*", "access-control-allow-credentials": "true" }));
    expect(starCredentials.get("cors.wildcard-credentials")!.status).toBe("fail");
    expect(starCredentials.get("cors.wildcard-credentials")!.reason).toContain("ACAO: *");
  });

  test("a loose suffix match fails exactly the classes it lets through, naming each origin", async () => {
    const outcomes = await audit((origin) =>
      origin.endsWith("example.com") ? { "access-control-allow-origin": origin, "access-control-allow-credentials": "true", vary: "Origin" } : NONE,
    );
    const failing = [...outcomes].filter(([, o]) => o.status === "fail").map(([id]) => id).sort();
    // endsWith("example.com") also takes the plain-http origin and wwwaexample.com.
    expect(failing).toEqual(["cors.any-subdomain", "cors.http-downgrade", "cors.suffix-origin", "cors.unescaped-dot", "cors.wildcard-credentials"]);
    expect(outcomes.get("cors.suffix-origin")!.reason).toContain("https://evilexample.com");
    expect(outcomes.get("cors.any-subdomain")!.reason).toContain("https://evil.www.example.com");
    expect(outcomes.get("cors.reflect-origin")!.status).toBe("pass");
  });

  test("an unescaped-dot regex and a prefix match are told apart", async () => {
    const regex = /^https:\/\/www.example.com/; // the dot is not escaped and the end is open
    const outcomes = await audit((origin) => (regex.test(origin) ? { "access-control-allow-origin": origin, vary: "Origin" } : NONE));
    expect(outcomes.get("cors.unescaped-dot")!.status).toBe("fail");
    expect(outcomes.get("cors.unescaped-dot")!.reason).toContain("https://wwwaexample.com");
    expect(outcomes.get("cors.prefix-origin")!.status).toBe("fail");
    expect(outcomes.get("cors.wildcard-credentials")!.status).toBe("pass");
  });

  test("null reflected: null-origin fails on its own", async () => {
    const outcomes = await audit((origin) => (origin === "null" || origin === ALLOWED ? { "access-control-allow-origin": origin, vary: "Origin" } : NONE));
    expect(outcomes.get("cors.null-origin")!.status).toBe("fail");
    expect(outcomes.get("cors.reflect-origin")!.status).toBe("pass");
  });

  test("a dynamic ACAO without Vary: Origin fails vary-origin", async () => {
    const outcomes = await audit((origin) => (origin === ALLOWED ? { "access-control-allow-origin": origin } : NONE));
    expect(outcomes.get("cors.vary-origin")!.status).toBe("fail");
    expect(outcomes.get("cors.vary-origin")!.reason).toContain(ALLOWED);
    expect(outcomes.get("cors.reflect-origin")!.status).toBe("pass");
  });

  test("a configured origin that is refused makes the class verdicts errors; a guessed one only notes it", async () => {
    const outcomes = await audit(() => ({}));
    expect(outcomes.get("cors.reflect-origin")!.status).toBe("error");
    expect(outcomes.get("cors.reflect-origin")!.reason).toContain("positive control failed");
    const guessed = await audit(() => ({}), { ...target, configured: false });
    expect(guessed.get("cors.reflect-origin")!.status).toBe("pass");
    expect(guessed.get("cors.reflect-origin")!.notes!.join(" ")).toContain("only a guess");
  });

  test("unanswered requests are errors, not passes", async () => {
    const classes = deriveOriginClasses(ALLOWED);
    const driver = { send: async (req: HttpRequest): Promise<Exchange> => ({ request: req, startedAt: 0, error: { kind: "refused", message: "ECONNREFUSED" } }) };
    const probes = await runCorsProbes(driver, { url: "https://api.example.com/", classes, allowedOrigins: [], cookie: "" });
    const outcomes = judgeCors({ ...target, crossOriginAllowed: [] }, classes, probes);
    expect(outcomes.find((o) => o.checkId === "cors.reflect-origin")!.status).toBe("error");
  });

  test("readGrant reads ACAO, ACAC and Vary lists", () => {
    const grant = readGrant({ status: 200, headers: { "access-control-allow-origin": "https://a.test", "access-control-allow-credentials": "TRUE", vary: ["Accept", "Origin"] }, body: "", durationMs: 0 }, "https://a.test");
    expect(grant).toEqual({ acao: "https://a.test", allowed: true, credentials: true, varyOrigin: true });
    expect(readGrant({ status: 200, headers: { "access-control-allow-origin": "https://a.test" }, body: "", durationMs: 0 }, "https://b.test").allowed).toBe(false);
  });

  test("requests: simple GET with and without Cookie, and a preflight asking for Authorization", async () => {
    const driver = fakeDriver(() => ({}));
    await runCorsProbes(driver, { url: "https://api.example.com/x", classes: [], allowedOrigins: [ALLOWED], cookie: "sid=1" });
    expect(driver.sent.map((r) => [r.method, r.headers])).toEqual([
      ["GET", { origin: ALLOWED }],
      ["GET", { origin: ALLOWED, cookie: "sid=1" }],
      ["OPTIONS", { origin: ALLOWED, "access-control-request-method": "GET", "access-control-request-headers": "authorization" }],
    ]);
  });
});
