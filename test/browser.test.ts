import { existsSync, readdirSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, dirname } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { auditInBrowser as auditBrowser, type BrowserModelView } from "../src/checks/browser/audit.ts";
import { discardSuiteRun } from "../src/browser/suite-run.ts";
import { findReadableTokens, judgeJar, judgeTokenStorage, type JarScene } from "../src/checks/browser/judge.ts";
import { hostResolverRules, hostsOf, lockedDownArgs, PLAYWRIGHT_DISABLED_FEATURES, resolveChromium } from "../src/browser/launch.ts";
import { blockedNotes, isAllowedUrl, isNeededByFlow, NetworkGuard } from "../src/browser/network-guard.ts";
import type { JarCookie, StorageSnapshot } from "../src/browser/ui.ts";

const JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1c2VyLWEiLCJleHAiOjE5MDAwMDAwMDB9.c2lnbmF0dXJl";
const TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";

describe("resolveChromium", () => {
  const none = () => false;
  test("config first, then AUTHPROOF_CHROMIUM, then the system, then Playwright's registry", () => {
    const exists = (p: string) => ["/opt/c", "/env/c", "/usr/bin/chromium", "/reg/c"].includes(p);
    expect(resolveChromium({ configured: "/opt/c", env: { AUTHPROOF_CHROMIUM: "/env/c" }, exists })).toEqual({ path: "/opt/c", source: "browser.executablePath" });
    expect(resolveChromium({ env: { AUTHPROOF_CHROMIUM: "/env/c" }, exists })).toEqual({ path: "/env/c", source: "AUTHPROOF_CHROMIUM" });
    expect(resolveChromium({ env: {}, exists })).toEqual({ path: "/usr/bin/chromium", source: "system Chromium" });
    expect(resolveChromium({ env: {}, exists: (p) => p === "/usr/bin/chromium-browser" })).toMatchObject({ path: "/usr/bin/chromium-browser" });
    expect(resolveChromium({ env: {}, exists: (p) => p === "/reg/c", registryPath: () => "/reg/c" })).toEqual({ path: "/reg/c", source: "Playwright's browser registry" });
  });

  test("a missing explicit browser or no browser at all is a skip with the reason", () => {
    expect(resolveChromium({ configured: "/nope", env: {}, exists: none })).toEqual({ skip: "no browser: browser.executablePath points at /nope, which does not exist" });
    const skip = resolveChromium({ env: {}, exists: none, registryPath: () => undefined });
    expect("skip" in skip && skip.skip).toContain("AUTHPROOF_CHROMIUM");
  });
});

describe("the locked-down launch", () => {
  test("resolver rules fail every name but the allowed hosts, IPv6 literals without brackets", () => {
    expect(hostResolverRules(["127.0.0.1", "localhost", "[::1]", "Staging.Example.com", "localhost"])).toBe(
      "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost, EXCLUDE ::1, EXCLUDE staging.example.com",
    );
    expect(hostResolverRules([])).toBe("MAP * ~NOTFOUND");
    expect(() => hostResolverRules(["a.test, EXCLUDE *"])).toThrow(/cannot allow host/);
    expect(hostsOf(["http://[::1]:3000", "http://127.0.0.1:8000", "http://127.0.0.1:9000/x"])).toEqual(["::1", "127.0.0.1"]);
  });

  test("one --disable-features carries Playwright's features and ours; no proxy; no profile of our own", () => {
    const args = lockedDownArgs(["127.0.0.1"]);
    const features = args.filter((a) => a.startsWith("--disable-features="));
    expect(features).toHaveLength(1);
    const disabled = features[0]!.slice("--disable-features=".length).split(",");
    expect(disabled).toEqual(expect.arrayContaining([...PLAYWRIGHT_DISABLED_FEATURES, "DnsOverHttpsUpgrade", "AutofillServerCommunication"]));
    expect(args).toContain("--no-proxy-server");
    expect(args).toContain("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1");
    expect(args.some((a) => a.startsWith("--user-data-dir"))).toBe(false);
  });
});

describe("the browser's request allow-list", () => {
  const allowed = new Set(["http://127.0.0.1:3000", "https://auth.example.test"]);

  test("only the configured origins (scheme, host and port) and local schemes pass", () => {
    expect(isAllowedUrl("http://127.0.0.1:3000/api/auth/sign-in/email", allowed)).toBe(true);
    expect(isAllowedUrl("ws://127.0.0.1:3000/live", allowed)).toBe(true);
    expect(isAllowedUrl("wss://auth.example.test/live", allowed)).toBe(true);
    expect(isAllowedUrl("http://127.0.0.1:3001/", allowed)).toBe(false);
    expect(isAllowedUrl("http://localhost:3000/", allowed)).toBe(false);
    expect(isAllowedUrl("http://auth.example.test/", allowed)).toBe(false);
    expect(isAllowedUrl("https://accounts.google.com/ListAccounts", allowed)).toBe(false);
    expect(isAllowedUrl("data:image/png;base64,AAAA", allowed)).toBe(true);
    expect(isAllowedUrl("blob:http://127.0.0.1:3000/0f1e", allowed)).toBe(true);
    expect(isAllowedUrl("not a url", allowed)).toBe(false);
  });

  test("page loads and data calls are what the flow needed; decorations are not", () => {
    for (const resourceType of ["document", "fetch", "xhr", "eventsource", "websocket"]) expect(isNeededByFlow({ resourceType })).toBe(true);
    for (const resourceType of ["image", "stylesheet", "font", "script", "media", "ping", "manifest", "other"]) expect(isNeededByFlow({ resourceType })).toBe(false);
  });

  test("the guard records what it blocks without queries, counts repeats, and picks out the needed ones", () => {
    const guard = new NetworkGuard(["http://127.0.0.1:3000/"]);
    expect(guard.decide({ url: "http://127.0.0.1:3000/sign-in", method: "GET", resourceType: "document" })).toBe(true);
    expect(guard.decide({ url: "https://cdn.test/logo.png?token=abc", method: "GET", resourceType: "image" })).toBe(false);
    expect(guard.decide({ url: "https://cdn.test/logo.png?token=abc", method: "GET", resourceType: "image" })).toBe(false);
    expect(guard.decide({ url: "https://idp.test/config", method: "POST", resourceType: "fetch" })).toBe(false);
    expect(guard.blocked).toHaveLength(3);
    expect(blockedNotes(guard.blocked)).toEqual([
      "blocked (not a configured origin): GET https://cdn.test/logo.png?… (image) ×2",
      "blocked (not a configured origin): POST https://idp.test/config (fetch)",
    ]);
    expect(JSON.stringify(guard.blocked)).not.toContain("token=abc");
    expect(guard.blocked.filter(isNeededByFlow)).toEqual([{ method: "POST", url: "https://idp.test/config", resourceType: "fetch" }]);
  });
});

function snapshot(over: Partial<StorageSnapshot>): StorageSnapshot {
  return { url: "http://app.test/tasks", localStorage: [], sessionStorage: [], documentCookie: "", ...over };
}

describe("storage judges", () => {
  test("a JWT in localStorage and the session token in sessionStorage are found", () => {
    const { findings } = findReadableTokens(
      snapshot({ localStorage: [["api.jwt", JWT], ["theme", "dark"]], sessionStorage: [["s", JSON.stringify({ token: TOKEN })]] }),
      [TOKEN],
      [],
    );
    expect(findings.map((f) => f.where)).toEqual(['localStorage["api.jwt"] on http://app.test/tasks', 'sessionStorage["s"] on http://app.test/tasks']);
    expect(findings[0]!.what).toContain("a JWT");
    expect(findings[1]!.what).toContain("the session token");
    expect(JSON.stringify(findings)).not.toContain(TOKEN);
  });

  test("server cookies in document.cookie are left to cookie.httponly; script-set token cookies are findings", () => {
    const found = findReadableTokens(snapshot({ documentCookie: `better-auth.session_token=${TOKEN}.sig; jwt=${JWT}` }), [TOKEN], ["better-auth.session_token"]);
    expect(found.serverCookiesReadable).toEqual(["better-auth.session_token"]);
    expect(found.findings.map((f) => f.where)).toEqual(["document.cookie jwt (set by a script) on http://app.test/tasks"]);
  });

  test("judgeTokenStorage passes clean pages and fails naming where the token is", () => {
    const endpoint = { method: "UI", path: "/sign-in" };
    expect(judgeTokenStorage(endpoint, [snapshot({ localStorage: [["theme", "dark"]] })], [TOKEN], []).status).toBe("pass");
    const fail = judgeTokenStorage(endpoint, [snapshot({}), snapshot({ localStorage: [["authproof", JWT]] })], [TOKEN], []);
    expect(fail.status).toBe("fail");
    expect(fail.reason).toContain('localStorage["authproof"]');
  });
});

describe("cookie jar judges", () => {
  const cookie = (over: Partial<JarCookie>): JarCookie => ({ name: "better-auth.session_token", value: "v", domain: "app.test", path: "/", expires: -1, httpOnly: true, secure: false, sameSite: "Lax", ...over });
  const scene = (jar: JarCookie[], rawLines: string[], over: Partial<JarScene> = {}): JarScene => ({
    endpoint: { method: "UI", path: "/sign-in (browser cookie jar)" },
    rawLines,
    jar,
    readableByScripts: [],
    expectSecure: false,
    secureBasis: "plain http",
    ...over,
  });

  test("httpOnly false in the jar fails, naming the cookie and document.cookie", () => {
    const outcome = judgeJar("cookie.httponly", scene([cookie({ httpOnly: false })], ["better-auth.session_token=v; Path=/; SameSite=Lax"], { readableByScripts: ["better-auth.session_token"] }));
    expect(outcome.status).toBe("fail");
    expect(outcome.reason).toBe("better-auth.session_token: httpOnly: false in the browser's jar; document.cookie shows it");
  });

  test("SameSite None in the jar fails; a missing raw SameSite that Chromium shows as Lax is only a note", () => {
    expect(judgeJar("cookie.samesite", scene([cookie({ sameSite: "None", secure: true })], ["better-auth.session_token=v; SameSite=None; Secure"])).status).toBe("fail");
    const missing = judgeJar("cookie.samesite", scene([cookie({})], ["better-auth.session_token=v; Path=/; HttpOnly"]));
    expect(missing.status).toBe("pass");
    expect(missing.notes!.join(" ")).toContain("no SameSite in the raw header; the jar says Lax");
  });

  test("a cookie the browser refused and an empty jar are reported", () => {
    const outcome = judgeJar("cookie.httponly", scene([], ["better-auth.session_token=v; SameSite=None"]));
    expect(outcome.status).toBe("skip");
    expect(outcome.notes!.join(" ")).toContain("the browser refused it");
  });

  test("Secure in the jar is judged only when expected", () => {
    expect(judgeJar("cookie.secure", scene([cookie({})], ["better-auth.session_token=v"])).status).toBe("skip");
    expect(judgeJar("cookie.secure", scene([cookie({})], ["better-auth.session_token=v"], { expectSecure: true, secureBasis: "https" })).status).toBe("fail");
  });
});

/**
 * A tiny site with Better-Auth-shaped forms: sign-up / sign-in pages whose script POSTs JSON to /api/auth/…,
 * gets a session cookie, optionally keeps a JWT in localStorage, and moves on to /home.
 */
interface SiteOptions {
  cookieAttributes: string;
  storeJwt: boolean;
  /** A page decoration from another origin: an image on the forms. */
  foreignImage?: string;
  /** A data call to another origin before the auth POST (its failure is tolerated by the page). */
  foreignFetch?: string;
  /** Where the form POSTs (default: its own origin). */
  authOrigin?: string;
}

function startSite(opts: SiteOptions): Promise<Server> {
  const form = (kind: string) => `<!doctype html><form id="f">
${kind === "sign-up" ? '<input name="name">' : ""}<input name="email"><input name="password" type="password">
<button type="submit" data-testid="${kind}-submit">go</button></form>
${opts.foreignImage ? `<img src="${opts.foreignImage}?session=secret-in-query" alt="">` : ""}
<script>
document.getElementById("f").addEventListener("submit", async (e) => {
  e.preventDefault();
  const data = Object.fromEntries(new FormData(e.target));
  ${opts.foreignFetch ? `await fetch(${JSON.stringify(opts.foreignFetch)}).catch(() => undefined);` : ""}
  const res = await fetch("${opts.authOrigin ?? ""}/api/auth/${kind}/email", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(data) });
  const body = await res.json();
  ${opts.storeJwt ? `localStorage.setItem("api.jwt", ${JSON.stringify(JWT)});` : ""}
  location.assign("/home");
});
</script>`;
  const server = createServer((req, res) => {
    if (req.method === "POST" && req.url?.startsWith("/api/auth/")) {
      res.writeHead(200, { "content-type": "application/json", "set-cookie": `better-auth.session_token=${TOKEN}.c2ln; Max-Age=600; Path=/${opts.cookieAttributes}` });
      res.end(JSON.stringify({ token: TOKEN, user: { id: "u1" } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/html" });
    res.end(req.url === "/sign-up" || req.url === "/sign-in" ? form(req.url.slice(1)) : "<!doctype html><p>home</p>");
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function model(origin: string): BrowserModelView {
  return {
    seed: 1,
    authOrigin: origin,
    apiOrigin: origin,
    config: {
      auth: { baseUrl: origin, basePath: "/api/auth" },
      users: { signUp: true },
      cookies: { expectSecure: "auto" },
      browser: { signUpPath: "/sign-up", signInPath: "/sign-in" },
      timeouts: { requestMs: 5000 },
    },
    users: [{ email: "a@example.test", password: "pw-123456789" }],
  };
}

const browserChoice = resolveChromium();
describe.skipIf("skip" in browserChoice)(`a real browser (${"path" in browserChoice ? browserChoice.path : "none"})`, () => {
  const servers: Server[] = [];
  const site = async (opts: SiteOptions) => {
    const server = await startSite(opts);
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  /** A server on another loopback port (another origin) that counts every TCP connection it gets. */
  const countingServer = async () => {
    let connections = 0;
    const server = createServer((_req, res) => res.end("foreign"));
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => connections };
  };
  const user = { name: "Ui User", email: "ui@example.test", password: "pw-123456789" };
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));
  // The traces the runs leave are removed at the end (an audit's report copies them in, then removes them).
  const traces = new Set<string>();
  afterAll(() => traces.forEach(discardSuiteRun));
  const auditInBrowser = async (...args: Parameters<typeof auditBrowser>) => {
    const outcomes = await auditBrowser(...args);
    for (const outcome of outcomes.values()) for (const trace of outcome.traces ?? []) traces.add(trace.file);
    return outcomes;
  };

  test("a site with HttpOnly Lax cookies and nothing in storage passes; every verdict carries the run's Playwright trace", async () => {
    const outcomes = await auditInBrowser(model(await site({ cookieAttributes: "; HttpOnly; SameSite=Lax", storeJwt: false })), user);
    expect(outcomes.get("browser.token-storage")!.status, outcomes.get("browser.token-storage")!.reason).toBe("pass");
    expect(outcomes.get("cookie.httponly")!.status).toBe("pass");
    expect(outcomes.get("cookie.samesite")!.status).toBe("pass");
    expect(outcomes.get("browser.token-storage")!.notes!.join(" ")).toContain("/home");
    expect(outcomes.get("browser.token-storage")!.notes!.join(" ")).toContain("driven by Playwright Test");
    const traces = [...outcomes.values()].map((o) => o.traces?.[0]?.file);
    expect(new Set(traces).size, JSON.stringify(traces)).toBe(1);
    const file = traces[0]!;
    expect(statSync(file).size).toBeGreaterThan(1000);
    expect(readdirSync(dirname(file)), "only the trace is left of the Playwright run").toEqual([basename(file)]);
    discardSuiteRun(file);
    expect(existsSync(dirname(file))).toBe(false);
  });

  test("signing in a configured account (no sign-up): the trace, which holds its password, is not kept", async () => {
    const m = model(await site({ cookieAttributes: "; HttpOnly; SameSite=Lax", storeJwt: false }));
    const outcomes = await auditInBrowser({ ...m, config: { ...m.config, users: { signUp: false } } }, user);
    const storage = outcomes.get("browser.token-storage")!;
    expect(storage.status, storage.reason).toBe("pass");
    expect(storage.traces).toBeUndefined();
    expect(storage.notes!.join(" ")).toContain("no Playwright trace kept: it would hold the configured user's password");
  });

  test("a JWT in localStorage and a script-readable session cookie are caught, each under its own check", async () => {
    const outcomes = await auditInBrowser(model(await site({ cookieAttributes: "; SameSite=Lax", storeJwt: true })), user);
    const storage = outcomes.get("browser.token-storage")!;
    expect(storage.status).toBe("fail");
    expect(storage.reason).toContain('localStorage["api.jwt"]');
    expect(storage.notes!.join(" ")).toContain("reported under cookie.httponly");
    const httpOnly = outcomes.get("cookie.httponly")!;
    expect(httpOnly.status).toBe("fail");
    expect(httpOnly.reason).toContain("document.cookie shows it");
  });

  test("a foreign image is blocked and noted, and the verdicts stand", async () => {
    const foreign = await countingServer();
    const outcomes = await auditInBrowser(model(await site({ cookieAttributes: "; HttpOnly; SameSite=Lax", storeJwt: false, foreignImage: `${foreign.origin}/logo.png` })), user);
    const storage = outcomes.get("browser.token-storage")!;
    expect(storage.status, storage.reason).toBe("pass");
    expect(outcomes.get("cookie.httponly")!.status).toBe("pass");
    for (const outcome of outcomes.values()) expect(outcome.notes!.join(" ")).toContain(`blocked (not a configured origin): GET ${foreign.origin}/logo.png?… (image)`);
    expect(foreign.hits()).toBe(0);
  });

  test("a data call to a foreign origin that the flow made is an error naming it, not a pass", async () => {
    const foreign = await countingServer();
    const outcomes = await auditInBrowser(model(await site({ cookieAttributes: "; HttpOnly; SameSite=Lax", storeJwt: false, foreignFetch: `${foreign.origin}/session-config` })), user);
    for (const outcome of outcomes.values()) {
      expect(outcome.status).toBe("error");
      expect(outcome.reason).toContain(`the UI flow needed GET ${foreign.origin}/session-config (fetch)`);
    }
    expect(foreign.hits()).toBe(0);
  });

  test("a flow that fails because its auth call was blocked says so", async () => {
    const foreign = await countingServer();
    const outcomes = await auditInBrowser(model(await site({ cookieAttributes: "; HttpOnly; SameSite=Lax", storeJwt: false, authOrigin: foreign.origin })), user, { timeoutMs: 1500 });
    const storage = outcomes.get("browser.token-storage")!;
    expect(storage.status).toBe("error");
    expect(storage.reason).toContain("submitting with");
    expect(storage.reason).toContain(`blocked outside`);
    expect(storage.reason).toContain(`POST ${foreign.origin}/api/auth/sign-up/email (fetch)`);
    expect(foreign.hits()).toBe(0);
  });

  test("wrong selectors are an error naming the step, not a pass", async () => {
    const origin = await site({ cookieAttributes: "; HttpOnly; SameSite=Lax", storeJwt: false });
    const m = model(origin);
    m.config.browser.selectors = { email: "#missing-email" };
    const outcomes = await auditInBrowser(m, user, { timeoutMs: 1500 });
    const storage = outcomes.get("browser.token-storage")!;
    expect(storage.status).toBe("error");
    expect(storage.reason).toContain("#missing-email");
  });
});
