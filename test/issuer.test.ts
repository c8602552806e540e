import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, createRemoteJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { ISSUER_ALGS, IssuerError, startIssuer } from "../src/issuer/issuer.ts";

describe("stand-in issuer", () => {
  it.each(ISSUER_ALGS)("serves a %s key that verifies a jose-signed token through createRemoteJWKSet", async (alg) => {
    const issuer = await startIssuer({ alg });
    try {
      const key = await importJWK(issuer.privateJwk, alg);
      const token = await new SignJWT({ sub: "user-1" })
        .setProtectedHeader({ alg, kid: issuer.kid })
        .setIssuedAt()
        .setExpirationTime("15m")
        .setIssuer(issuer.origin)
        .setAudience(issuer.origin)
        .sign(key);
      const jwks = createRemoteJWKSet(new URL(issuer.jwksUrl));
      const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: issuer.origin, audience: issuer.origin, algorithms: [alg] });
      expect(payload.sub).toBe("user-1");
      expect(protectedHeader).toEqual({ alg, kid: issuer.kid });

      // A token from another key with the same kid must not verify.
      const other = await generateKeyPair(alg, { extractable: true });
      const forged = await new SignJWT({ sub: "user-1" }).setProtectedHeader({ alg, kid: issuer.kid }).sign(other.privateKey);
      await expect(jwtVerify(forged, jwks)).rejects.toThrow();
    } finally {
      await issuer.stop();
    }
  });

  it("shapes the JWKS like Better Auth's: alg, crv, x, kty, kid; no use, no private members", async () => {
    const issuer = await startIssuer({});
    try {
      const res = await fetch(issuer.jwksUrl);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      const doc = (await res.json()) as { keys: Array<Record<string, unknown>> };
      expect(doc.keys).toHaveLength(1);
      const key = doc.keys[0]!;
      expect(Object.keys(key)).toEqual(["alg", "crv", "x", "kty", "kid"]);
      expect(key).toMatchObject({ alg: "EdDSA", crv: "Ed25519", kty: "OKP", kid: issuer.kid, x: issuer.publicJwk.x });
      expect(issuer.privateJwk.d).toBeTypeOf("string");
    } finally {
      await issuer.stop();
    }
  });

  it("serves RSA and EC keys with the members Better Auth emits", async () => {
    for (const [alg, members] of [["RS256", ["alg", "kty", "n", "e", "kid"]], ["ES256", ["alg", "crv", "kty", "x", "y", "kid"]]] as const) {
      const issuer = await startIssuer({ alg });
      try {
        const doc = (await (await fetch(issuer.jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
        expect(Object.keys(doc.keys[0]!).sort()).toEqual([...members].sort());
        expect(doc.keys[0]!.alg).toBe(alg);
      } finally {
        await issuer.stop();
      }
    }
  });

  it("answers 404 everywhere else", async () => {
    const issuer = await startIssuer({});
    try {
      for (const [method, path] of [["GET", "/"], ["GET", "/api/auth/token"], ["POST", "/api/auth/jwks"], ["GET", "/api/auth/jwks/x"]] as const) {
        const res = await fetch(`${issuer.origin}${path}`, { method });
        expect(res.status, `${method} ${path}`).toBe(404);
        await res.arrayBuffer();
      }
    } finally {
      await issuer.stop();
    }
  });

  it("serves a given private key, keeping its kid, and signs Better-Auth-shaped tokens with it", async () => {
    const pair = await generateKeyPair("EdDSA", { extractable: true });
    const privateJwk = { ...(await exportJWK(pair.privateKey)), kid: "test-kid-1" };
    const issuer = await startIssuer({ privateJwk, issuer: "http://localhost:3000" });
    try {
      expect(issuer.kid).toBe("test-kid-1");
      expect(issuer.alg).toBe("EdDSA");
      expect(issuer.publicJwk.d).toBeUndefined();
      const token = await issuer.sign({ sub: "u1" });
      const { payload, protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(issuer.jwksUrl)), {
        issuer: "http://localhost:3000",
        audience: "http://localhost:3000",
      });
      expect(protectedHeader).toEqual({ alg: "EdDSA", kid: "test-kid-1" });
      expect(payload.exp! - payload.iat!).toBe(900);
      // Also verifiable with the caller's own public key, i.e. the served key is the given one.
      await expect(jwtVerify(token, pair.publicKey)).resolves.toBeTruthy();
    } finally {
      await issuer.stop();
    }
  });

  it("refuses a key that does not fit the algorithm, a public key, and a taken port, with typed errors", async () => {
    const ec = await generateKeyPair("ES256", { extractable: true });
    await expect(startIssuer({ privateJwk: await exportJWK(ec.privateKey), alg: "EdDSA" })).rejects.toMatchObject({ code: "ISSUER_KEY_INVALID" });
    await expect(startIssuer({ privateJwk: await exportJWK(ec.publicKey) })).rejects.toBeInstanceOf(IssuerError);

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(startIssuer({ port })).rejects.toMatchObject({ code: "ISSUER_PORT_IN_USE" });
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});
