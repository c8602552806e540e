import { generateKeyPairSync, type KeyObject } from "node:crypto";
import fc from "fast-check";
import { compactVerify, importJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { decodeToken } from "../src/forge/token.ts";
import { judgeToken, lenientBase64Bytes, type AcceptanceModel } from "../src/checks/property/acceptance-model.ts";
import { acceptanceSpecArb, rejectionSpecArb, type TokenArbOptions } from "../src/checks/property/arbitraries/token.ts";
import { rawSignerFromJwk, type RawSigner } from "../src/forge/raw.ts";
import { describeSpec, renderToken, type Edit, type TokenEnv, type TokenSpec } from "../src/checks/property/token-spec.ts";

const NOW = 1_900_000_000;
const ISSUER = "http://127.0.0.1:3000";

function keyPair(type: "ed25519" | "ec" | "rsa", alg: string): { priv: JWK; pub: JWK } {
  const options = type === "ec" ? { namedCurve: "P-256" } : type === "rsa" ? { modulusLength: 2048 } : {};
  const { privateKey, publicKey } = generateKeyPairSync(type as "ed25519", options as never) as unknown as { privateKey: KeyObject; publicKey: KeyObject };
  return { priv: { ...privateKey.export({ format: "jwk" }), alg, kid: "k1" } as JWK, pub: { ...publicKey.export({ format: "jwk" }), alg, kid: "k1" } as JWK };
}

const ed = keyPair("ed25519", "EdDSA");
const oracle = rawSignerFromJwk(ed.priv);

function realToken(signer: RawSigner, sub: string): { token: string; header: Record<string, unknown>; claims: Record<string, unknown> } {
  const header = { alg: signer.alg, kid: signer.kid };
  const claims = { iat: NOW - 60, name: "N", email: `${sub}@example.test`, id: sub, sub, exp: NOW + 840, iss: ISSUER, aud: ISSUER };
  const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return { token: `${input}.${signer.sign(input)}`, header, claims };
}

const users = { A: { id: "user-a", ...realToken(oracle, "user-a") }, B: { id: "user-b", ...realToken(oracle, "user-b") } };
const env: TokenEnv = { nowSec: NOW, users, issuer: ISSUER, audience: ISSUER, identityClaim: "sub", oracle };
const model: AcceptanceModel = {
  trustedAlgs: ["EdDSA"],
  oracle: { alg: "EdDSA", kid: "k1" },
  issuer: ISSUER,
  audience: ISSUER,
  identityClaim: "sub",
  subjects: ["user-a", "user-b"],
  requireKnownSubject: true,
  audienceSeverity: "medium",
  leewaySec: 60,
  marginSec: 5,
  maxTokenLength: 6000,
  realTokens: { A: users.A, B: users.B },
};
const arbOptions: TokenArbOptions = { identityClaim: "sub", leewaySec: 60, marginSec: 5, hasOracle: true };

const literal = (value: unknown) => ({ kind: "literal" as const, value });
function spec(parts: Partial<TokenSpec>): TokenSpec {
  return { base: "A", header: [], claims: [], signature: { kind: "oracle" }, mutations: [], ...parts };
}
function judge(parts: Partial<TokenSpec>) {
  return judgeToken(model, renderToken(spec(parts), env), NOW);
}
const set = (name: string, value: unknown): Edit => ({ op: "set", name, value: literal(value) });

describe("raw signer", () => {
  it.each([
    ["ed25519", "EdDSA"],
    ["ec", "ES256"],
    ["rsa", "RS256"],
    ["rsa", "PS256"],
  ] as const)("signs %s / %s so that jose verifies it", async (type, alg) => {
    const pair = keyPair(type, alg);
    const signer = rawSignerFromJwk(pair.priv);
    const input = `${Buffer.from(JSON.stringify({ alg, kid: "k1", x: 1, x2: 1 })).toString("base64url")}.${Buffer.from('{"sub":"a","sub":"b"}').toString("base64url")}`;
    const token = `${input}.${signer.sign(input)}`;
    const verified = await compactVerify(token, await importJWK(pair.pub, alg));
    expect(new TextDecoder().decode(verified.payload)).toBe('{"sub":"a","sub":"b"}');
  });

  it("signs HS256 with an oct key", async () => {
    const jwk: JWK = { kty: "oct", k: Buffer.from("a".repeat(32)).toString("base64url"), alg: "HS256" };
    const input = `${Buffer.from('{"alg":"HS256"}').toString("base64url")}.${Buffer.from("{}").toString("base64url")}`;
    await expect(compactVerify(`${input}.${rawSignerFromJwk(jwk).sign(input)}`, await importJWK(jwk, "HS256"))).resolves.toBeDefined();
  });
});

describe("token recipes", () => {
  it("render the base token with fresh times and the trusted key", async () => {
    const rendered = renderToken(spec({}), env);
    expect(rendered.header).toEqual({ alg: "EdDSA", kid: "k1" });
    expect(rendered.claims).toMatchObject({ sub: "user-a", iss: ISSUER, aud: ISSUER, exp: NOW + 900, iat: NOW - 5 });
    await expect(compactVerify(rendered.token, await importJWK(ed.pub, "EdDSA"))).resolves.toBeDefined();
  });

  it("keep duplicate members in the JSON and show the last one", () => {
    const rendered = renderToken(spec({ claims: [{ op: "duplicate", name: "sub", value: { kind: "user", who: "B" } }] }), env);
    const payload = Buffer.from(rendered.token.split(".")[1]!, "base64url").toString();
    expect(payload.match(/"sub"/g)).toHaveLength(2);
    expect(rendered.claims.sub).toBe("user-b");
  });

  it("describe themselves without run-specific values", () => {
    const text = describeSpec(spec({ header: [set("alg", "nOnE")], claims: [{ op: "set", name: "exp", value: { kind: "time", offset: -66 } }] }));
    expect(text).toBe('base: A\'s token; header: "alg"="nOnE"; claims: "exp"=now-66; signature: trusted key');
  });
});

describe("acceptance model", () => {
  it("accepts the trusted base token, with extra claims and header fields", () => {
    expect(judge({}).verdict).toBe("accept");
    expect(judge({ header: [set("x-extra", { a: [1] })], claims: [set("role", "admin"), set("id", "user-b")] }).verdict).toBe("accept");
  });

  it("accepts a real token's own signature over its own bytes only", () => {
    const rendered = renderToken(spec({ signature: { kind: "original" } }), env);
    expect(judgeToken(model, { ...rendered, unmutated: users.A.token, token: users.A.token, claims: users.A.claims }, NOW).verdict).toBe("accept");
    expect(judgeToken(model, rendered, NOW)).toMatchObject({ verdict: "reject", reasons: ["not signed by a trusted key"] });
  });

  it.each([
    ["alg none", { header: [set("alg", "nOnE")] }, /alg "nOnE" is not an algorithm of a trusted key/],
    ["alg missing", { header: [{ op: "delete", name: "alg" } as Edit] }, /no alg/],
    ["alg null", { header: [set("alg", null)] }, /not a string/],
    ["crit", { header: [set("crit", ["x"])] }, /crit/],
    ["expired", { claims: [{ op: "set", name: "exp", value: { kind: "time", offset: -66 } } as Edit] }, /expired/],
    ["no exp", { claims: [{ op: "delete", name: "exp" } as Edit] }, /no exp/],
    ["exp null", { claims: [set("exp", null)] }, /not a NumericDate/],
    ["nbf future", { claims: [{ op: "set", name: "nbf", value: { kind: "time", offset: 66 } } as Edit] }, /not yet valid/],
    ["no sub", { claims: [{ op: "delete", name: "sub" } as Edit] }, /no sub/],
    ["empty sub", { claims: [set("sub", "")] }, /not a known user/],
    ["unknown sub", { claims: [set("sub", "someone")] }, /not a known user/],
    ["iss superstring", { claims: [{ op: "set", name: "iss", value: { kind: "issuer", edit: "superstring" } } as Edit] }, /iss/],
    ["iss in array", { claims: [{ op: "set", name: "iss", value: { kind: "issuer", edit: "in-array" } } as Edit] }, /iss/],
    ["aud wrong", { claims: [set("aud", "x")] }, /aud/],
    ["last exp expired", { claims: [{ op: "duplicate", name: "exp", value: { kind: "time", offset: -1000 } } as Edit] }, /expired/],
    ["attacker hmac", { signature: { kind: "hmac", alg: "HS256", key: "secret" } as const }, /not signed by a trusted key/],
    ["empty signature", { signature: { kind: "empty" } as const }, /not signed by a trusted key/],
    ["bit flipped", { mutations: [{ op: "flip-bit", at: 10, bit: 1 } as const] }, /bytes changed/],
  ])("rejects: %s", (_label, parts, reason) => {
    const judgement = judge(parts as Partial<TokenSpec>);
    expect(judgement.verdict).toBe("reject");
    expect(judgement.reasons.join("; ")).toMatch(reason);
  });

  it.each([
    ["exp inside the leeway", { claims: [{ op: "set", name: "exp", value: { kind: "time", offset: -30 } } as Edit] }],
    ["exp as an integer string", { claims: [set("exp", String(NOW + 600))] }],
    ["aud as an array with the audience", { claims: [{ op: "set", name: "aud", value: { kind: "audience", edit: "in-array" } } as Edit] }],
    ["an earlier duplicate expired", { claims: [{ op: "set", name: "exp", value: { kind: "time", offset: -1000 } } as Edit, { op: "duplicate", name: "exp", value: { kind: "time", offset: 600 } } as Edit] }],
    ["another kid", { header: [set("kid", "k2")] }],
    ["a jku header", { header: [set("jku", "http://127.0.0.1:1/jwks")] }],
  ])("does not decide: %s", (_label, parts) => {
    expect(judge(parts as Partial<TokenSpec>).verdict).toBe("either");
  });

  it("does not decide on encoding-only changes of the signature (token.signature-invalid judges them)", () => {
    const rendered = renderToken(spec({}), env);
    const [h, p, sig] = rendered.token.split(".");
    // The key is new each run: a signature without "-" or "_" (about 1 run in 15) has no standard-alphabet twin
    // without padding, so that variant is sent only when it differs; the padded standard form always does.
    const swapped = `${h}.${p}.${sig!.replaceAll("-", "+").replaceAll("_", "/")}`;
    const standardPadded = `${h}.${p}.${Buffer.from(sig!, "base64url").toString("base64")}`;
    const variants = [`${rendered.token}==`, `${h}.${p}.${sig!.slice(0, 10)}!${sig!.slice(10)}`, standardPadded, ...(swapped === rendered.token ? [] : [swapped])];
    for (const token of variants) expect(judgeToken(model, { ...rendered, token }, NOW).verdict, token).toBe("either");
    expect(judgeToken(model, { ...rendered, token: `${h}.${p}.${sig!.slice(1)}` }, NOW).verdict).toBe("reject");
  });

  it("ignores whitespace that HTTP strips around the value", () => {
    const rendered = renderToken(spec({}), env);
    expect(judgeToken(model, { ...rendered, token: `${rendered.token} ` }, NOW).verdict).toBe("accept");
  });

  it("decodes base64 the most lenient way", () => {
    expect(lenientBase64Bytes("AQID")).toEqual([1, 2, 3]);
    expect(lenientBase64Bytes("A Q=I!D")).toEqual([1, 2, 3]);
    expect(lenientBase64Bytes("_-8")).toEqual(lenientBase64Bytes("/+8"));
  });
});

describe("generators against the model", () => {
  const sample = (arb: fc.Arbitrary<TokenSpec>, numRuns: number) =>
    fc.sample(arb, { seed: 42, numRuns }).map((s) => ({ spec: s, judgement: judgeToken(model, renderToken(s, env), NOW) }));

  it("P1 tokens are mostly ones the model rejects, for many different reasons", () => {
    const samples = sample(rejectionSpecArb(arbOptions), 2000);
    const rejected = samples.filter((s) => s.judgement.verdict === "reject");
    expect(rejected.length / samples.length).toBeGreaterThan(0.8);
    // Tokens whose only fault is one of these: each is what a single missing check would let through.
    const single = (pattern: RegExp) => rejected.filter((s) => s.judgement.reasons.length === 1 && pattern.test(s.judgement.reasons[0]!)).length;
    expect(single(/^alg "none"/i)).toBeGreaterThan(0);
    expect(single(/^alg "[nN][oO][nN][eE]"/)).toBeGreaterThan(5);
    expect(single(/^expired/)).toBeGreaterThan(5);
    expect(single(/^no sub|^sub is/)).toBeGreaterThan(5);
    expect(single(/^no exp/)).toBeGreaterThan(0);
    expect(single(/^not yet valid/)).toBeGreaterThan(0);
    expect(single(/^iss is/)).toBeGreaterThan(0);
    expect(single(/^aud is/)).toBeGreaterThan(0);
    expect(single(/^not signed by a trusted key/)).toBeGreaterThan(5);
    expect(single(/^bytes changed/)).toBeGreaterThan(5);
    expect(single(/^crit/)).toBeGreaterThan(0);
  });

  it("P1 without an oracle never produces a trusted signature", () => {
    const noOracle = { ...arbOptions, hasOracle: false };
    for (const s of fc.sample(rejectionSpecArb(noOracle), { seed: 1, numRuns: 300 })) expect(s.signature.kind).not.toBe("oracle");
  });

  it("P2 tokens are ones the model accepts", () => {
    const samples = sample(acceptanceSpecArb(arbOptions), 300);
    expect(samples.filter((s) => s.judgement.verdict === "accept").length / samples.length).toBeGreaterThan(0.9);
    expect(samples.some((s) => s.spec.claims.length > 0 && s.spec.header.length > 0)).toBe(true);
  });

  it("the same seed gives the same tokens (descriptions and bytes)", () => {
    const a = fc.sample(rejectionSpecArb(arbOptions), { seed: 7, numRuns: 50 });
    const b = fc.sample(rejectionSpecArb(arbOptions), { seed: 7, numRuns: 50 });
    expect(a.map(describeSpec)).toEqual(b.map(describeSpec));
    expect(a.map((s) => renderToken(s, env).token)).toEqual(b.map((s) => renderToken(s, env).token));
  });

  it("rendered tokens always have decodable header and claims before byte mutations", () => {
    for (const s of fc.sample(rejectionSpecArb(arbOptions), { seed: 3, numRuns: 300 })) {
      const decoded = decodeToken(renderToken(s, env).unmutated);
      expect(typeof decoded.header).toBe("object");
    }
  });
});
