import { createLocalJWKSet, compactVerify, importX509 } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAttackerKeys, type AttackerKeys } from "../src/forge/attacker-keys.ts";
import { startAttackerListener, type AttackerListener } from "../src/listener/attacker-listener.ts";

let keys: AttackerKeys;
let listener: AttackerListener;

beforeAll(async () => {
  keys = await createAttackerKeys();
  listener = await startAttackerListener(keys);
});

afterAll(async () => {
  await listener.stop();
});

describe("attacker listener", () => {
  it("listens on loopback and starts with no fetches", () => {
    expect(listener.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(listener.jkuUrl.startsWith(listener.origin)).toBe(true);
    expect(listener.x5uUrl.startsWith(listener.origin)).toBe(true);
    expect(listener.fetches()).toEqual([]);
  });

  it("serves the attacker JWKS at the jku URL: public keys that verify attacker tokens", async () => {
    const response = await fetch(listener.jkuUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const jwks = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys.map((k) => k.kty)).toEqual(["RSA", "EC", "OKP"]);
    for (const key of jwks.keys) for (const member of ["d", "p", "q", "dp", "dq", "qi"]) expect(key).not.toHaveProperty(member);
    const token = await keys.okp.signer.sign({}, { sub: "x" });
    await expect(compactVerify(token, createLocalJWKSet(jwks as never))).resolves.toBeTruthy();
  });

  it("serves the attacker certificate at the x5u URL", async () => {
    const response = await fetch(listener.x5uUrl);
    expect(response.status).toBe(200);
    const pem = await response.text();
    expect(pem).toBe(keys.x5u.certPem);
    const token = await keys.x5u.signer.sign({}, { sub: "x" });
    await expect(compactVerify(token, await importX509(pem, "RS256"))).resolves.toBeTruthy();
  });

  it("records every request in order, including unknown paths and query strings", async () => {
    const before = listener.fetches().length;
    expect((await fetch(`${listener.origin}/elsewhere?x=1`)).status).toBe(404);
    await fetch(listener.jkuUrl, { method: "HEAD" });
    const seen = listener.fetches().slice(before);
    expect(seen.map((f) => [f.method, f.path])).toEqual([
      ["GET", "/elsewhere?x=1"],
      ["HEAD", "/attacker/jwks.json"],
    ]);
    expect(seen.every((f) => typeof f.at === "number" && f.at > 0)).toBe(true);
    // fetches() hands out a copy.
    listener.fetches().length = 0;
    expect(listener.fetches().length).toBe(before + 2);
  });

  it("stops and frees its port", async () => {
    const other = await startAttackerListener(keys);
    await other.stop();
    await expect(fetch(other.jkuUrl)).rejects.toThrow();
  });
});
