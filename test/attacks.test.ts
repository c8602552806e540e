import { createHmac } from "node:crypto";
import { compactVerify, EmbeddedJWK, exportJWK, generateKeyPair, importJWK, importX509, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { CheckId } from "../src/catalogue/checks.ts";
import type { AttackCheck } from "../src/checks/attack/record.ts";
import type { Attack, AttackContext, AttackGenerator } from "../src/checks/attack/types.ts";
import { oracleControl } from "../src/checks/claims/sends.ts";
import { RECORDS } from "../src/checks/registry.ts";
import { casings } from "../src/checks/token/alg.ts";
import { unmetNeed } from "../src/run/define.ts";
import { commonSecrets, magicValues } from "../src/data/dictionaries.ts";
import type { Candidate } from "../src/model/target.ts";
import { createAttackerKeys, type AttackerKeys } from "../src/forge/attacker-keys.ts";

/** The attack checks of the registry and their generators. */
const attackChecks = [...RECORDS.values()].filter((record): record is AttackCheck => "spec" in record);
const attackGenerators: Partial<Record<CheckId, AttackGenerator>> = Object.fromEntries(attackChecks.map((check) => [check.id, check.spec.generate]));
const needsOracle = (checkId: string) => attackChecks.find((check) => check.id === checkId)?.spec.needs?.oracle === true;
import { decodeToken, publicKeyEncodings, signerFromPrivateJwk, signerFromSecret } from "../src/forge/index.ts";

const NOW = 1_750_000_000;
const ORIGIN = "http://localhost:3000";
const SECRET = "a-shared-secret-for-the-attack-tests-0123456789";

let attackerKeys: AttackerKeys;
let eddsa: { ctx: AttackContext; publicJwk: JWK };
let hs256: AttackContext;

/** Better-Auth-shaped claims for a user, issued at NOW. */
function claimsFor(id: string): Record<string, unknown> {
  return { name: "Test", email: `${id}@example.test`, id, sub: id, iat: NOW, exp: NOW + 900, iss: ORIGIN, aud: ORIGIN };
}

const tokenOf = (attack: Attack): string => {
  const value = Array.isArray(attack.authorization) ? attack.authorization[0] : attack.authorization;
  return (value ?? "").replace(/^Bearer /, "");
};

async function run(checkId: string, ctx: AttackContext): Promise<Attack[]> {
  return attackGenerators[checkId as CheckId]!(ctx);
}

beforeAll(async () => {
  attackerKeys = await createAttackerKeys();
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), alg: "EdDSA", kid: "target-key-1" };
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), alg: "EdDSA", kid: "target-key-1" };
  const signer = await signerFromPrivateJwk(privateJwk);
  eddsa = {
    publicJwk,
    ctx: {
      realToken: await signer.sign({}, claimsFor("user-a")),
      realClaims: claimsFor("user-a"),
      victim: { id: "user-b", token: await signer.sign({}, claimsFor("user-b")) },
      publicJwks: [publicJwk as JsonWebKey],
      signer,
      expected: { identityClaim: "sub", leewaySec: 60 },
      listener: { jkuUrl: "http://127.0.0.1:9/attacker/jwks.json", x5uUrl: "http://127.0.0.1:9/attacker/cert.pem" },
      attackerKeys,
      nowSec: NOW,
    },
  };
  const hsSigner = signerFromSecret(SECRET);
  hs256 = {
    realToken: await hsSigner.sign({ typ: "JWT" }, claimsFor("user-a")),
    realClaims: claimsFor("user-a"),
    victim: { id: "user-b", token: await hsSigner.sign({ typ: "JWT" }, claimsFor("user-b")) },
    publicJwks: [],
    signer: hsSigner,
    expected: { issuer: ORIGIN, audience: ORIGIN, identityClaim: "sub", leewaySec: 60 },
    attackerKeys,
    nowSec: NOW,
  };
});

const hmacOk = (token: string, alg: string, key: Uint8Array | string): boolean => {
  const { signingInput, signature } = decodeToken(token);
  const hash = { HS256: "sha256", HS384: "sha384", HS512: "sha512" }[alg] as string;
  return createHmac(hash, key).update(signingInput).digest("base64url") === signature;
};

const verifiesWith = async (token: string, jwk: JWK, alg: string): Promise<boolean> =>
  compactVerify(token, await importJWK(jwk, alg)).then(
    () => true,
    () => false,
  );

describe("every generator", () => {
  it("is keyed by the catalogue ids of SPEC §2", () => {
    expect(Object.keys(attackGenerators).sort()).toEqual(
      [
        "transport.scheme", "transport.token-in-query", "transport.identity-override",
        "token.magic-value", "token.guessable-secret", "token.malformed", "token.signature-tampered",
        "token.signature-invalid", "token.signature-stripped", "token.wrong-key", "token.serialization", "token.alg-none",
        "token.alg-confusion", "token.alg-relabel", "token.empty-key", "token.embedded-jwk", "token.jku-x5u",
        "token.kid-injection", "token.crit-unknown", "claims.exp-expired", "claims.exp-missing",
        "claims.exp-invalid", "claims.nbf-future", "claims.iss", "claims.aud", "claims.sub",
      ].sort(),
    );
  });

  it.each([["EdDSA"], ["HS256"]])("produces well-formed, uniquely labelled attacks (%s context)", async (mode) => {
    const ctx = mode === "EdDSA" ? eddsa.ctx : hs256;
    for (const checkId of Object.keys(attackGenerators)) {
      const attacks = await run(checkId, ctx);
      const variants = attacks.map((a) => a.variant);
      expect(new Set(variants).size, checkId).toBe(variants.length);
      for (const attack of attacks) {
        expect(attack.checkId).toBe(checkId);
        const values = attack.authorization === null ? [] : [attack.authorization].flat();
        // Header values must be sendable: visible ASCII and spaces only.
        for (const value of values) expect(value, `${checkId} ${attack.variant}`).toMatch(/^[\x20-\x7e]*$/);
        if (attack.expect === "accept") expect(attack.identity).toBeTypeOf("string");
      }
    }
  });

  it("is deterministic for the same context", async () => {
    for (const checkId of Object.keys(attackGenerators)) {
      expect(await run(checkId, eddsa.ctx), checkId).toEqual(await run(checkId, eddsa.ctx));
    }
  });

  it("needs an oracle exactly for crit-unknown and the claims checks, and returns [] without one", async () => {
    const blackBox: AttackContext = { ...eddsa.ctx, signer: undefined };
    for (const checkId of Object.keys(attackGenerators)) {
      const attacks = await run(checkId, blackBox);
      expect(needsOracle(checkId), checkId).toBe(checkId === "token.crit-unknown" || checkId.startsWith("claims."));
      if (needsOracle(checkId)) {
        expect(attacks, checkId).toEqual([]);
        expect(unmetNeed(RECORDS.get(checkId as CheckId)!.needs, { signer: undefined, model: { publicJwks: [{}], config: { mode: "jwks" }, identities: "better-auth" } as never }, undefined)).toMatch(/^needs a signing key/);
      } else {
        expect(attacks.length, checkId).toBeGreaterThan(0);
        expect(unmetNeed(RECORDS.get(checkId as CheckId)!.needs, { signer: undefined, model: { publicJwks: [{}], config: { mode: "jwks" }, identities: "better-auth" } as never }, undefined)).toBeUndefined();
      }
    }
    expect(attackChecks.filter((check) => check.spec.needs?.oracle).length).toBe(8);
  });
});

describe("transport", () => {
  it("scheme: broken schemes are rejected, lowercase and uppercase Bearer are accepted as the test user", async () => {
    const attacks = await run("transport.scheme", eddsa.ctx);
    const accepted = attacks.filter((a) => a.expect === "accept");
    expect(accepted.map((a) => a.authorization)).toEqual([`bearer ${eddsa.ctx.realToken}`, `BEARER ${eddsa.ctx.realToken}`]);
    expect(accepted.every((a) => a.identity === "user-a")).toBe(true);
    const authorizations = attacks.map((a) => a.authorization);
    expect(authorizations).toEqual(expect.arrayContaining(["Basic x", "Token x", "Bearer", "Bearer a b", `Basic ${eddsa.ctx.realToken}`]));
    expect(attacks.filter((a) => Array.isArray(a.authorization))).toHaveLength(2);
    expect(authorizations.some((a) => typeof a === "string" && /^Bearer +$/.test(a) && a.length > 7)).toBe(true);
  });

  it("token-in-query puts the valid token only in the query", async () => {
    const attacks = await run("transport.token-in-query", eddsa.ctx);
    expect(attacks.map((a) => Object.keys(a.query ?? {})[0])).toEqual(["access_token", "token", "jwt", "auth"]);
    for (const a of attacks) {
      expect(a.authorization).toBeNull();
      expect(Object.values(a.query ?? {})).toEqual([eddsa.ctx.realToken]);
    }
  });

  it("identity-override: the victim's token with headers naming the test user (answer as the victim), on the victim's own path too, and the headers alone", async () => {
    const attacks = await run("transport.identity-override", eddsa.ctx);
    expect(attacks.length).toBe(7);
    for (const a of attacks.slice(0, 6)) {
      expect(a).toMatchObject({ authorization: `Bearer ${eddsa.ctx.victim?.token}`, expect: "as-victim", impact: "forgery" });
      expect(Object.values(a.headers ?? {}).every((v) => v === "user-a")).toBe(true);
    }
    expect(attacks[0]?.headers).toEqual({ "X-User-Id": "user-a" });
    expect(attacks[1]?.headers).toEqual({ "X-Forwarded-User": "user-a" });
    expect(attacks[6]).toMatchObject({ authorization: null, expect: "reject", variant: "no token, all identity headers" });
    const onPaths = await attackGenerators["transport.identity-override"]!(eddsa.ctx, { victimUrl: "http://api.test/api/user-b/tasks" });
    expect(onPaths.filter((a) => a.url === "http://api.test/api/user-b/tasks")).toHaveLength(6);
    expect(await run("transport.identity-override", { ...eddsa.ctx, victim: undefined })).toEqual([]);
  });
});

describe("token: values, secrets, structure, signatures", () => {
  it("magic-value sends each dictionary value whole and as the real token's signature", async () => {
    const attacks = await run("token.magic-value", eddsa.ctx);
    expect(magicValues().length).toBeGreaterThanOrEqual(100);
    expect(magicValues()).toEqual(expect.arrayContaining(["guest_token", "admin_token", "test_token", "dev-token", "demo", "bypass", "debug", "changeme", "fake-jwt-token"]));
    expect(attacks).toHaveLength(magicValues().length * 2);
    expect(attacks.find((a) => a.variant === "whole token=dev")).toMatchObject({ authorization: "Bearer dev", likeInvalidControl: true });
    const [h, p] = eddsa.ctx.realToken.split(".");
    expect(attacks.find((a) => a.variant === "signature=null")?.authorization).toBe(`Bearer ${h}.${p}.null`);
    expect(attacks.filter((a) => a.variant.startsWith("signature=")).every((a) => a.likeInvalidControl === undefined)).toBe(true);
  });

  it("magic-value sends mined bearer candidates first, naming their source, without repeating dictionary values", async () => {
    const candidates: Candidate[] = [
      { value: "guest_token", kind: "bearer", source: "openapi: components.securitySchemes.HTTPBearer.description" },
      { value: "only-in-my-repo-token", kind: "bearer", source: "file: backend/auth.py:12" },
      { value: "a-mined-secret", kind: "secret", source: "file: .env:1" },
    ];
    const attacks = await run("token.magic-value", { ...eddsa.ctx, candidates });
    expect(attacks.slice(0, 2).map((a) => [a.variant, a.authorization])).toEqual([
      ['whole token="guest_token" (openapi: components.securitySchemes.HTTPBearer.description)', "Bearer guest_token"],
      ["whole token=onl…en (21 chars) (file: backend/auth.py:12)", "Bearer only-in-my-repo-token"],
    ]);
    expect(attacks.filter((a) => tokenOf(a) === "guest_token")).toHaveLength(1);
    expect(attacks).toHaveLength((magicValues().length + 1) * 2 + 2);
    expect(attacks.some((a) => a.variant === 'signature="guest_token" (openapi: components.securitySchemes.HTTPBearer.description)')).toBe(true);
    // Signature placeholders on unsigned headers: the mined values after {"alg":"none","typ":"JWT"} and the real claims.
    const unsigned = attacks.find((a) => a.variant === "unsigned header, signature=onl…en (21 chars) (file: backend/auth.py:12)") as Attack;
    expect(decodeToken(tokenOf(unsigned)).header).toEqual({ alg: "none", typ: "JWT" });
    expect(decodeToken(tokenOf(unsigned)).claims).toEqual(eddsa.ctx.realClaims);
    expect(tokenOf(unsigned).split(".")[2]).toBe("only-in-my-repo-token");
    // A secret is never sent as a bearer value, and no label shows a value only the user's files hold.
    expect(attacks.some((a) => JSON.stringify(a.authorization).includes("a-mined-secret"))).toBe(false);
    expect(attacks.some((a) => a.variant.includes("only-in-my-repo-token"))).toBe(false);
  });

  it("guessable-secret signs the fresh real claims with every common secret under HS256/384/512", async () => {
    const attacks = await run("token.guessable-secret", eddsa.ctx);
    expect(commonSecrets().length).toBeGreaterThanOrEqual(100);
    expect(attacks).toHaveLength(commonSecrets().length * 3);
    for (const secret of ["secret", "your-256-bit-secret", "your-secret-key-min-32-chars", "keyboard cat"]) {
      for (const alg of ["HS256", "HS384", "HS512"]) {
        const attack = attacks.find((a) => a.variant === `${alg} secret=${JSON.stringify(secret)}`) as Attack;
        expect(hmacOk(tokenOf(attack), alg, secret)).toBe(true);
        expect(decodeToken(tokenOf(attack)).claims).toMatchObject({ sub: "user-a", exp: NOW + 900 });
      }
    }
    expect(commonSecrets()).toEqual(expect.arrayContaining(["dev-secret", "supersecret", "your-secret-key", "secret-key-change-me"]));
  });

  it("guessable-secret signs with mined secrets first (HS256/384/512), naming the source and never showing a file-only value", async () => {
    const committed = "dev-secret-change-me-tasks-api-2024";
    const candidates: Candidate[] = [
      { value: committed, kind: "secret", source: "file: .env.example:6" },
      { value: "changeme", kind: "secret", source: "file: settings.py:3" },
      { value: "guest_token", kind: "bearer", source: "openapi: x" },
    ];
    const attacks = await run("token.guessable-secret", { ...eddsa.ctx, candidates });
    expect(attacks.slice(0, 6).map((a) => a.variant)).toEqual([
      "HS256 secret=dev…24 (35 chars) (file: .env.example:6)",
      "HS384 secret=dev…24 (35 chars) (file: .env.example:6)",
      "HS512 secret=dev…24 (35 chars) (file: .env.example:6)",
      'HS256 secret="changeme" (file: settings.py:3)',
      'HS384 secret="changeme" (file: settings.py:3)',
      'HS512 secret="changeme" (file: settings.py:3)',
    ]);
    for (const [i, alg] of ["HS256", "HS384", "HS512"].entries()) expect(hmacOk(tokenOf(attacks[i]!), alg, committed)).toBe(true);
    expect(attacks).toHaveLength((commonSecrets().length + 1) * 3);
    expect(attacks.some((a) => a.variant.includes(committed))).toBe(false);
  });

  it("malformed tokens are all undecodable or carry a broken signature segment", async () => {
    const attacks = await run("token.malformed", eddsa.ctx);
    expect(attacks.length).toBeGreaterThanOrEqual(20);
    for (const attack of attacks) {
      const token = tokenOf(attack);
      const decodable = (() => {
        try {
          const d = decodeToken(token);
          return /^[A-Za-z0-9_-]+$/.test(d.signature) && !("pad" in d.header) && !("nested" in d.header) && !("nested" in d.claims);
        } catch {
          return false;
        }
      })();
      expect(decodable, attack.variant).toBe(false);
    }
    const huge = attacks.find((a) => a.variant === "header 1 MB") as Attack;
    expect(tokenOf(huge).length).toBeGreaterThan(1_000_000);
    expect(huge.token?.header).toMatch(/not shown/);
    const nested = attacks.find((a) => a.variant.startsWith("payload nested")) as Attack;
    const nestedJson = Buffer.from(tokenOf(nested).split(".")[1] as string, "base64url").toString();
    expect(nestedJson).toContain("[".repeat(3000));
    expect(() => JSON.parse(nestedJson)).not.toThrow();
    expect(nested.token?.claims).toMatch(/not shown/);
    expect(JSON.stringify(attacks.map((a) => a.token)).length).toBeLessThan(100_000);
    expect(attacks.map((a) => tokenOf(a).split(".").length)).toEqual(expect.arrayContaining([1, 2, 4, 5]));
  });

  it("signature-tampered changes the claims and keeps the original signature", async () => {
    const attacks = await run("token.signature-tampered", eddsa.ctx);
    const original = decodeToken(eddsa.ctx.realToken);
    const victim = decodeToken(tokenOf(attacks[0] as Attack));
    expect(attacks[0]?.variant).toBe("sub=victim id");
    expect(victim.claims.sub).toBe("user-b");
    for (const attack of attacks) {
      const d = decodeToken(tokenOf(attack));
      expect(d.signature).toBe(original.signature);
      expect(d.segments.header).toBe(original.segments.header);
      expect(d.segments.payload).not.toBe(original.segments.payload);
      expect(await verifiesWith(tokenOf(attack), eddsa.publicJwk, "EdDSA")).toBe(false);
    }
    const noVictim = await run("token.signature-tampered", { ...eddsa.ctx, victim: undefined });
    expect(decodeToken(tokenOf(noVictim[0] as Attack)).claims.sub).toMatch(/^authproof-other-/);
  });

  it("signature-invalid changes only the signature segment, and none of them verify", async () => {
    const attacks = await run("token.signature-invalid", eddsa.ctx);
    const original = decodeToken(eddsa.ctx.realToken);
    expect(attacks.map((a) => a.variant)).toContain("non-canonical base64url (unused trailing bits set)");
    for (const attack of attacks) {
      const token = tokenOf(attack);
      expect(token.startsWith(`${original.signingInput}.`)).toBe(true);
      expect(token.split(".")[2]).not.toBe(original.signature);
      if (attack.note?.includes("same signature bytes")) {
        // Encoding malleability: lenient decoders (jose among them) read the very same bytes.
        expect(Buffer.from(token.split(".")[2] as string, "base64url")).toEqual(Buffer.from(original.signature, "base64url"));
      } else {
        expect(await verifiesWith(token, eddsa.publicJwk, "EdDSA"), attack.variant).toBe(false);
      }
    }
    expect(attacks.filter((a) => a.note?.includes("same signature bytes")).map((a) => a.variant)).toEqual([
      "non-canonical base64url (unused trailing bits set)",
      "base64url with '=' padding",
      ...(original.signature.match(/[-_]/) ? ["standard base64 alphabet (+/)"] : []),
    ]);
  });

  it("signature-stripped leaves header.payload.", async () => {
    const [attack] = await run("token.signature-stripped", eddsa.ctx);
    expect(tokenOf(attack as Attack)).toBe(`${decodeToken(eddsa.ctx.realToken).signingInput}.`);
  });

  it("wrong-key keeps header and claims and signs with an attacker key of the same algorithm", async () => {
    const attacks = await run("token.wrong-key", eddsa.ctx);
    expect(attacks.map((a) => a.variant)).toEqual(["EdDSA attacker OKP key, real kid", "EdDSA attacker OKP key, own kid"]);
    const [withRealKid, withOwnKid] = attacks.map((a) => tokenOf(a)) as [string, string];
    expect(decodeToken(withRealKid).header).toEqual({ alg: "EdDSA", kid: "target-key-1" });
    expect(decodeToken(withOwnKid).header.kid).toBe(attackerKeys.okp.kid);
    expect(await verifiesWith(withRealKid, attackerKeys.okp.publicJwk, "EdDSA")).toBe(true);
    expect(await verifiesWith(withRealKid, eddsa.publicJwk, "EdDSA")).toBe(false);
    const hs = await run("token.wrong-key", hs256);
    expect(hs).toHaveLength(1);
    expect(decodeToken(tokenOf(hs[0] as Attack)).header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(hmacOk(tokenOf(hs[0] as Attack), "HS256", SECRET)).toBe(false);
  });
});

describe("token: algorithms", () => {
  it("casings gives the 16 spellings of none", () => {
    expect(casings("none")).toHaveLength(16);
    expect(new Set(casings("none").map((c) => c.toLowerCase()))).toEqual(new Set(["none"]));
  });

  it("alg-none: 16 casings, empty string, missing and null, each with empty and original signature", async () => {
    const attacks = await run("token.alg-none", eddsa.ctx);
    expect(attacks).toHaveLength(38);
    const original = decodeToken(eddsa.ctx.realToken);
    const algs = new Set<unknown>();
    for (const attack of attacks) {
      const d = decodeToken(tokenOf(attack));
      algs.add("alg" in d.header ? d.header.alg : "<missing>");
      expect(d.header.kid).toBe("target-key-1");
      expect(d.segments.payload).toBe(original.segments.payload);
      expect(d.signature).toBe(attack.variant.endsWith("signature=empty") ? "" : original.signature);
    }
    expect(algs.size).toBe(19);
    expect([...algs].filter((a) => typeof a === "string" && a.toLowerCase() === "none")).toHaveLength(16);
    expect(algs.has("")).toBe(true);
    expect(algs.has(null)).toBe(true);
    expect(algs.has("<missing>")).toBe(true);
  });

  it("alg-confusion: HS256/384/512 × every encoding of every public key; each verifies with HMAC under the named bytes", async () => {
    const attacks = await run("token.alg-confusion", eddsa.ctx);
    const encodings = publicKeyEncodings(eddsa.publicJwk);
    expect(attacks).toHaveLength(encodings.length * 3);
    for (const encoding of encodings) {
      for (const alg of ["HS256", "HS384", "HS512"]) {
        const attack = attacks.find((a) => a.variant === `${alg} key=${encoding.label}`) as Attack;
        const d = decodeToken(tokenOf(attack));
        expect(d.header).toEqual({ alg, kid: "target-key-1" });
        expect(d.claims).toMatchObject({ sub: "user-a", iat: NOW, exp: NOW + 900 });
        expect(hmacOk(tokenOf(attack), alg, encoding.bytes)).toBe(true);
      }
    }
    expect(await run("token.alg-confusion", hs256)).toEqual([]);
  });

  it("alg-confusion labels keys when the JWKS has several", async () => {
    const { publicKey } = await generateKeyPair("ES256", { extractable: true });
    const second = { ...(await exportJWK(publicKey)), kid: "k2" };
    const attacks = await run("token.alg-confusion", { ...eddsa.ctx, publicJwks: [eddsa.publicJwk as JsonWebKey, second as JsonWebKey] });
    expect(attacks.some((a) => a.variant.includes("key#1(k2)"))).toBe(true);
    expect(new Set(attacks.map((a) => a.variant)).size).toBe(attacks.length);
  });

  it("alg-relabel keeps the signature under other algs, and re-signs with a shared secret", async () => {
    const attacks = await run("token.alg-relabel", eddsa.ctx);
    const original = decodeToken(eddsa.ctx.realToken);
    const algs = attacks.map((a) => decodeToken(tokenOf(a)).header.alg);
    expect(algs).toEqual(expect.arrayContaining(["ES256", "RS256", "PS256", "HS256", "eddsa", "EDDSA"]));
    expect(algs).not.toContain("EdDSA");
    for (const a of attacks) expect(decodeToken(tokenOf(a)).signature).toBe(original.signature);
    const hs = await run("token.alg-relabel", hs256);
    const resigned = hs.filter((a) => a.variant.includes("re-signed"));
    expect(resigned.map((a) => decodeToken(tokenOf(a)).header.alg)).toEqual(["HS384", "HS512"]);
    expect(hmacOk(tokenOf(resigned[1] as Attack), "HS512", SECRET)).toBe(true);
  });

  it("empty-key tokens verify with an empty HMAC key", async () => {
    const attacks = await run("token.empty-key", eddsa.ctx);
    expect(attacks).toHaveLength(6);
    for (const attack of attacks) {
      const d = decodeToken(tokenOf(attack));
      expect(hmacOk(tokenOf(attack), d.header.alg as string, Buffer.alloc(0))).toBe(true);
      expect(d.claims.sub).toBe("user-a");
    }
  });
});

describe("token: header key material", () => {
  it("embedded-jwk tokens verify with the key embedded in their header (RSA, EC, OKP) and x5c", async () => {
    const attacks = await run("token.embedded-jwk", eddsa.ctx);
    expect(attacks).toHaveLength(7);
    const jwkAttacks = attacks.filter((a) => a.variant.includes("jwk"));
    const kinds = new Set<unknown>();
    for (const attack of jwkAttacks) {
      const d = decodeToken(tokenOf(attack));
      kinds.add((d.header.jwk as JWK).kty);
      expect(d.header.jwk).not.toHaveProperty("d");
      await expect(compactVerify(tokenOf(attack), EmbeddedJWK)).resolves.toBeTruthy();
    }
    expect(kinds).toEqual(new Set(["RSA", "EC", "OKP"]));
    const x5c = attacks.find((a) => a.variant.startsWith("x5c")) as Attack;
    const header = decodeToken(tokenOf(x5c)).header;
    const cert = `-----BEGIN CERTIFICATE-----\n${(header.x5c as string[])[0]}\n-----END CERTIFICATE-----`;
    await expect(compactVerify(tokenOf(x5c), await importX509(cert, "RS256"))).resolves.toBeTruthy();
  });

  it("jku/x5u point at the listener and verify with the keys it serves", async () => {
    const attacks = await run("token.jku-x5u", eddsa.ctx);
    expect(attacks).toHaveLength(5);
    for (const attack of attacks) {
      const d = decodeToken(tokenOf(attack));
      if ("jku" in d.header) {
        expect(d.header.jku).toBe(eddsa.ctx.listener?.jkuUrl);
        const served = attackerKeys.jwks.keys.find((k) => k.kid === d.header.kid) as JWK;
        expect(await verifiesWith(tokenOf(attack), served, d.header.alg as string)).toBe(true);
      } else {
        expect(d.header.x5u).toBe(eddsa.ctx.listener?.x5uUrl);
        expect(await verifiesWith(tokenOf(attack), attackerKeys.x5u.publicJwk, "RS256")).toBe(true);
      }
    }
    expect(await run("token.jku-x5u", { ...eddsa.ctx, listener: undefined })).toEqual([]);
  });

  it("kid-injection signs with the key each injection would yield", async () => {
    const attacks = await run("token.kid-injection", eddsa.ctx);
    const byKid = (kid: unknown) => attacks.find((a) => JSON.stringify(decodeToken(tokenOf(a)).header.kid) === JSON.stringify(kid)) as Attack;
    for (const kid of ["../../../../dev/null", "/dev/null"]) expect(hmacOk(tokenOf(byKid(kid)), "HS256", Buffer.alloc(0))).toBe(true);
    expect(hmacOk(tokenOf(byKid("x' UNION SELECT '1';--")), "HS256", "1")).toBe(true);
    expect(tokenOf(attacks.find((a) => a.variant.startsWith("kid of 10000")) as Attack).length).toBeGreaterThan(10_000);
    const kinds = new Set(attacks.map((a) => { const kid = decodeToken(tokenOf(a)).header.kid; return Array.isArray(kid) ? "array" : kid === null ? "null" : typeof kid; }));
    expect(kinds).toEqual(new Set(["string", "number", "null", "boolean", "object", "array"]));
  });

  it("crit-unknown is validly signed by the oracle with an unknown critical extension", async () => {
    const attacks = await run("token.crit-unknown", eddsa.ctx);
    expect(attacks.length).toBe(2);
    for (const attack of attacks) {
      const d = decodeToken(tokenOf(attack));
      expect(d.header.crit).toBeInstanceOf(Array);
      for (const name of d.header.crit as string[]) expect(d.header).toHaveProperty([name]);
      const crit = Object.fromEntries((d.header.crit as string[]).map((name) => [name, true]));
      await expect(compactVerify(tokenOf(attack), await importJWK(eddsa.publicJwk, "EdDSA"))).rejects.toThrow(/not recognized/);
      await expect(compactVerify(tokenOf(attack), await importJWK(eddsa.publicJwk, "EdDSA"), { crit })).resolves.toBeTruthy();
    }
  });
});

describe("claims (oracle)", () => {
  /** The claims of an oracle-signed valid token, i.e. the baseline each claims attack differs from. */
  const baseline = async (ctx: AttackContext) => decodeToken((await oracleControl(ctx))!.token).claims;

  it("the oracle control is a valid token of the test user", async () => {
    const control = (await oracleControl(eddsa.ctx))!;
    expect(control.identity).toBe("user-a");
    expect(await verifiesWith(control.token, eddsa.publicJwk, "EdDSA")).toBe(true);
    expect(decodeToken(control.token).header).toEqual({ alg: "EdDSA", kid: "target-key-1" });
    expect(await oracleControl({ ...eddsa.ctx, signer: undefined })).toBeUndefined();
  });

  it("expired tokens verify with the oracle key and have exp < now - 60", async () => {
    const attacks = await run("claims.exp-expired", eddsa.ctx);
    expect(attacks.length).toBe(2);
    for (const attack of attacks) {
      expect(await verifiesWith(tokenOf(attack), eddsa.publicJwk, "EdDSA")).toBe(true);
      const claims = decodeToken(tokenOf(attack)).claims;
      expect(claims.exp as number).toBeLessThan(NOW - 60);
      expect(claims.iat as number).toBeLessThan(claims.exp as number);
    }
    expect(decodeToken(tokenOf(attacks[0] as Attack)).claims.exp).toBe(NOW - 600);
  });

  it.each([
    ["claims.exp-missing", ["exp"]],
    ["claims.exp-invalid", ["exp"]],
    ["claims.iss", ["iss"]],
    ["claims.aud", ["aud"]],
    ["claims.sub", ["sub"]],
    ["claims.nbf-future", ["nbf", "exp"]],
    ["claims.exp-expired", ["exp", "iat"]],
  ])("%s differs from the valid baseline only in %j, and is validly signed", async (checkId, keys) => {
    for (const ctx of [eddsa.ctx, hs256]) {
      const base = await baseline(ctx);
      const attacks = await run(checkId, ctx);
      expect(attacks.length).toBeGreaterThan(0);
      for (const attack of attacks) {
        const token = tokenOf(attack);
        const claims = decodeToken(token).claims;
        const strip = (c: Record<string, unknown>) => Object.fromEntries(Object.entries(c).filter(([k]) => !keys.includes(k)));
        expect(strip(claims), attack.variant).toEqual(strip(base));
        expect(keys.some((k) => JSON.stringify(claims[k]) !== JSON.stringify(base[k])), attack.variant).toBe(true);
        const valid = ctx === hs256 ? hmacOk(token, "HS256", SECRET) : await verifiesWith(token, eddsa.publicJwk, "EdDSA");
        expect(valid, attack.variant).toBe(true);
      }
    }
  });

  it("claims.iss covers wrong, missing, prefix, superstring and arrays containing the expected issuer", async () => {
    const values = (await run("claims.iss", hs256)).map((a) => decodeToken(tokenOf(a)).claims.iss);
    expect(values).toEqual(
      expect.arrayContaining(["https://attacker.invalid", undefined, "http://localhost:300", `${ORIGIN}/`, [ORIGIN], ["https://attacker.invalid", ORIGIN]]),
    );
    expect(values).not.toContain(ORIGIN);
  });

  it("claims.aud covers wrong, missing and arrays without the expected audience", async () => {
    const values = (await run("claims.aud", hs256)).map((a) => decodeToken(tokenOf(a)).claims.aud);
    expect(values).toEqual(expect.arrayContaining(["https://attacker.invalid", undefined, ["https://attacker.invalid"], []]));
    for (const value of values) expect(value === ORIGIN || (Array.isArray(value) && value.includes(ORIGIN))).toBe(false);
  });

  it("claims.sub covers missing, empty, non-string and unknown users", async () => {
    const values = (await run("claims.sub", eddsa.ctx)).map((a) => decodeToken(tokenOf(a)).claims.sub);
    expect(values).toEqual(expect.arrayContaining([undefined, "", null, true, ["user-a"], { id: "user-a" }]));
    expect(values.some((v) => typeof v === "number")).toBe(true);
    expect(values.some((v) => typeof v === "string" && v.startsWith("authproof-unknown-"))).toBe(true);
  });

  it("uses the configured identity claim", async () => {
    const ctx = { ...hs256, expected: { ...hs256.expected, identityClaim: "user_id" }, realClaims: { ...hs256.realClaims, user_id: "user-a" } };
    const attacks = await run("claims.sub", ctx);
    expect(attacks[0]?.variant).toBe("user_id missing");
    expect(decodeToken(tokenOf(attacks[0] as Attack)).claims).not.toHaveProperty("user_id");
  });
});
