import { describe, expect, test } from "vitest";
import {
  judgeClearedOnSignout,
  judgeCookieLifetime,
  judgeHttpOnly,
  judgePrefix,
  judgeSameSite,
  judgeSecure,
  type CookieScene,
} from "../src/checks/cookie/judge.ts";
import { maskCookieHeader, maskExchange, maskSetCookie } from "../src/http/mask.ts";
import { isExpired, lifetimeSec, parseSetCookie } from "../src/http/set-cookie.ts";
import { secureExpectation } from "../src/target/cookie-session.ts";
import type { Exchange } from "../src/http/types.ts";

const VALUE = "AbCdEfGhIjKlMnOpQrStUvWxYz012345.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlMTIzNA%3D%3D";
const BETTER_AUTH = `better-auth.session_token=${VALUE}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax`;
const SECURE_BETTER_AUTH = `__Secure-better-auth.session_token=${VALUE}; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax`;

function scene(lines: string[], over: Partial<CookieScene> = {}): CookieScene {
  return {
    endpoint: { method: "POST", path: "/api/auth/sign-in/email" },
    lines,
    expectSecure: false,
    secureBasis: "the site is served over plain http",
    host: "app.example.com",
    maxLifetimeSec: 30 * 24 * 3600,
    now: Date.parse("2026-01-01T00:00:00Z"),
    ...over,
  };
}

const https = { expectSecure: true, secureBasis: "the site is served over https" };

describe("Set-Cookie parsing", () => {
  test("reads attributes case-insensitively and keeps a missing SameSite absent", () => {
    const cookie = parseSetCookie("sid=abc; path=/; HTTPONLY; secure; samesite=none; Domain=.example.com; max-age=60")!;
    expect(cookie).toMatchObject({ name: "sid", value: "abc", httpOnly: true, secure: true, sameSite: "none", path: "/", domain: ".example.com", maxAge: 60 });
    expect(parseSetCookie("sid=abc; Path=/")!.sameSite).toBeUndefined();
    expect(parseSetCookie("no-pair-here")).toBeUndefined();
  });

  test("expiry: Max-Age wins over Expires; a past Expires deletes", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(isExpired(parseSetCookie("a=; Max-Age=0")!, now)).toBe(true);
    expect(isExpired(parseSetCookie("a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT")!, now)).toBe(true);
    expect(isExpired(parseSetCookie("a=b; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT")!, now)).toBe(false);
    expect(lifetimeSec(parseSetCookie("a=b; Expires=Fri, 02 Jan 2026 00:00:00 GMT")!, now)).toBe(86400);
    expect(lifetimeSec(parseSetCookie("a=b")!, now)).toBeUndefined();
  });
});

describe("cookie judges", () => {
  test("Better Auth's defaults over http pass; Secure is not expected there", () => {
    const s = scene([BETTER_AUTH]);
    for (const judge of [judgeHttpOnly, judgeSameSite, judgePrefix, judgeCookieLifetime]) expect(judge(s).status, judge.name).toBe("pass");
    const secure = judgeSecure(s);
    expect(secure.status).toBe("skip");
    expect(secure.reason).toContain("plain http");
  });

  test("Better Auth's defaults over https pass every check", () => {
    const s = scene([SECURE_BETTER_AUTH], https);
    for (const judge of [judgeHttpOnly, judgeSecure, judgeSameSite, judgePrefix, judgeCookieLifetime]) expect(judge(s).status, judge.name).toBe("pass");
  });

  test("no HttpOnly fails, naming the cookie, with its value masked", () => {
    const outcome = judgeHttpOnly(scene([BETTER_AUTH.replace("; HttpOnly", ""), "other=1; HttpOnly"]));
    expect(outcome.status).toBe("fail");
    expect(outcome.reason).toContain("better-auth.session_token");
    expect(outcome.reason).not.toContain("other");
    expect(outcome.failedVariants!.join(" ")).not.toContain(VALUE);
    expect(outcome.variants).toEqual({ total: 2, failed: 1 });
  });

  test("SameSite: missing, None, None without Secure and invalid values fail; Lax and Strict pass", () => {
    const verdict = (attrs: string) => judgeSameSite(scene([`better-auth.session_token=${VALUE}; Path=/; HttpOnly${attrs}`]));
    expect(verdict("; SameSite=Lax").status).toBe("pass");
    expect(verdict("; SameSite=Strict").status).toBe("pass");
    expect(verdict("").reason).toContain("no SameSite attribute");
    expect(verdict("; SameSite=None; Secure").reason).toContain("SameSite=None: the session cookie rides");
    expect(verdict("; SameSite=None").reason).toContain("SameSite=None without Secure");
    expect(verdict("; SameSite=Sometimes").reason).toContain("invalid SameSite=Sometimes");
    for (const attrs of ["", "; SameSite=None; Secure", "; SameSite=None", "; SameSite=Sometimes"]) expect(verdict(attrs).status).toBe("fail");
  });

  test("SameSite is judged on session cookies only", () => {
    expect(judgeSameSite(scene(["theme=dark; Path=/"])).status).toBe("skip");
  });

  test("Secure is required on https and when configured", () => {
    const outcome = judgeSecure(scene([BETTER_AUTH], https));
    expect(outcome.status).toBe("fail");
    expect(outcome.reason).toContain("no Secure although the site is served over https");
    expect(secureExpectation("auto", "https://a.test")).toMatchObject({ expect: true });
    expect(secureExpectation("auto", "http://a.test")).toMatchObject({ expect: false });
    expect(secureExpectation(true, "http://a.test")).toMatchObject({ expect: true });
  });

  test("prefix rules: __Secure- needs Secure; __Host- needs Secure, Path=/ and no Domain; https session cookies need a prefix", () => {
    expect(judgePrefix(scene([`__Secure-sid=${VALUE}; Path=/; HttpOnly`])).reason).toContain("__Secure- prefix without Secure");
    expect(judgePrefix(scene([`__Host-sid=${VALUE}; Path=/; Secure; HttpOnly`])).status).toBe("pass");
    const host = judgePrefix(scene([`__Host-sid=${VALUE}; Path=/app; Secure; Domain=example.com`]));
    expect(host.status).toBe("fail");
    expect(host.reason).toContain("Path=/app");
    expect(host.reason).toContain("Domain=example.com");
    expect(judgePrefix(scene([`__Host-sid=${VALUE}; Path=/`])).reason).toContain("no Secure");
    const unprefixed = judgePrefix(scene([BETTER_AUTH + "; Secure"], https));
    expect(unprefixed.status).toBe("fail");
    expect(unprefixed.reason).toContain("without a __Secure- or __Host- prefix");
  });

  test("lifetime beyond the policy and a parent Domain fail; Domain equal to the host is a note", () => {
    const long = judgeCookieLifetime(scene([BETTER_AUTH.replace("604800", String(90 * 86400))]));
    expect(long.status).toBe("fail");
    expect(long.reason).toContain("7776000 s");
    const wide = judgeCookieLifetime(scene([BETTER_AUTH + "; Domain=.example.com"]));
    expect(wide.status).toBe("fail");
    expect(wide.reason).toContain("Domain=.example.com");
    const own = judgeCookieLifetime(scene([BETTER_AUTH + "; Domain=app.example.com"]));
    expect(own.status).toBe("pass");
    expect(own.notes!.join(" ")).toContain("also covers subdomains");
    const viaExpires = judgeCookieLifetime(scene([`better-auth.session_token=${VALUE}; Expires=Fri, 01 Jan 2027 00:00:00 GMT; SameSite=Lax`]));
    expect(viaExpires.status).toBe("fail");
  });

  test("a sign-in without cookies skips with the reason", () => {
    expect(judgeHttpOnly(scene([])).status).toBe("skip");
    expect(judgeHttpOnly(scene(["better-auth.session_token=; Max-Age=0"])).status).toBe("skip");
  });
});

function signOut(status: number, setCookie: string[]): Exchange {
  return {
    request: { method: "POST", url: "http://app.test/api/auth/sign-out", headers: { cookie: `better-auth.session_token=${VALUE}` } },
    response: { status, headers: { "set-cookie": setCookie }, body: "{}", durationMs: 1 },
    startedAt: 0,
  };
}

describe("cookie.cleared-on-signout", () => {
  const signIn = scene([BETTER_AUTH, `better-auth.session_data=xyz; Max-Age=300; Path=/; HttpOnly; SameSite=Lax`]);

  test("passes when every session cookie is expired by the sign-out answer", () => {
    const outcome = judgeClearedOnSignout(signIn, signOut(200, ["better-auth.session_token=; Max-Age=0; Path=/", "better-auth.session_data=; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]));
    expect(outcome.status).toBe("pass");
    // The exchange keeps the cookie; the report masks it (report building masks session-bearing evidence).
    expect(maskExchange(outcome.exchanges![0]!.exchange).request.headers!.cookie).not.toContain(VALUE);
  });

  test("fails naming each cookie left behind", () => {
    const outcome = judgeClearedOnSignout(signIn, signOut(200, ["better-auth.session_token=; Max-Age=0", "better-auth.session_data=new; Max-Age=300"]));
    expect(outcome.status).toBe("fail");
    expect(outcome.reason).toBe("sign-out does not expire better-auth.session_data");
    expect(outcome.failedVariants).toEqual(["better-auth.session_data: re-set without expiry"]);
  });

  test("a failed sign-out is an error, not a verdict", () => {
    expect(judgeClearedOnSignout(signIn, signOut(403, [])).status).toBe("error");
  });
});

describe("masking", () => {
  test("cookie values are shortened, names and attributes kept", () => {
    expect(maskSetCookie(BETTER_AUTH)).toBe("better-auth.session_token=AbCd…D%3D (81 chars); Max-Age=604800; Path=/; HttpOnly; SameSite=Lax");
    expect(maskCookieHeader(`a=${VALUE}; b=short`)).toBe("a=AbCd…D%3D (81 chars); b=short");
  });

  test("exchanges lose cookie values, set-auth-token, the body token and the password", () => {
    const masked = maskExchange({
      request: { method: "POST", url: "http://a.test/x", headers: { cookie: `s=${VALUE}` }, json: { email: "a@b.c", password: "hunter2hunter2" } },
      response: { status: 200, headers: { "set-cookie": [BETTER_AUTH], "set-auth-token": VALUE }, body: `{"token":"${VALUE.slice(0, 32)}"}`, durationMs: 1 },
      startedAt: 0,
    });
    expect(JSON.stringify(masked)).not.toContain(VALUE.slice(0, 32));
    expect(JSON.stringify(masked)).not.toContain("hunter2");
  });
});
