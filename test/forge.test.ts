import { createHmac, createPublicKey } from "node:crypto";
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import {
  appendSignatureBytes,
  ecdsaSignDeterministic,
  assemble,
  decodeToken,
  editClaims,
  editHeader,
  encodeSegment,
  flipSignatureBit,
  ForgeError,
  fromBase64url,
  hmacSign,
  hmacSignature,
  nonCanonicalSignature,
  paddedSignature,
  publicKeyEncodings,
  relabelAlg,
  replaceSignature,
  rawSignerFromJwk,
  signerFromPrivateJwk,
  signerFromSecret,
  standardAlphabetSignature,
  stripSignature,
  truncateSignature,
  truncateSignatureText,
  zeroSignature,
} from "../src/forge/index.ts";

// RFC 7515 Appendix A.1 (HS256).
const RFC7515_A1 = {
  k: "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
  jws:
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
};

// RFC 8037 Appendix A (Ed25519 key A.1/A.2, signature A.4).
const RFC8037 = {
  jwk: {
    kty: "OKP",
    crv: "Ed25519",
    d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
  } satisfies JWK,
  jws:
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc" +
    ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
};

const claims = { sub: "user-1", iat: 1_700_000_000, exp: 1_700_000_900, iss: "http://localhost:3000" };

async function keyPair(alg: string): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), alg, kid: `k-${alg}` },
    publicJwk: { ...(await exportJWK(publicKey)), alg, kid: `k-${alg}` },
  };
}

describe("decodeToken / assemble", () => {
  it("decodes the RFC 7515 A.1 token", () => {
    const decoded = decodeToken(RFC7515_A1.jws);
    expect(decoded.header).toEqual({ typ: "JWT", alg: "HS256" });
    expect(decoded.claims).toEqual({ iss: "joe", exp: 1300819380, "http://example.com/is_root": true });
    expect(decoded.signature).toBe("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    expect(decoded.signingInput).toBe(RFC7515_A1.jws.slice(0, RFC7515_A1.jws.lastIndexOf(".")));
  });

  it("round-trips assemble and decode", () => {
    const token = assemble({ alg: "none" }, claims, "");
    expect(token.endsWith(".")).toBe(true);
    expect(decodeToken(token)).toMatchObject({ header: { alg: "none" }, claims, signature: "" });
    expect(encodeSegment(new Uint8Array([0xfb, 0xff]))).toBe("-_8");
  });

  it.each([
    ["two segments", "a.b"],
    ["bad base64url", "e30.!!.x"],
    ["non-canonical base64url", `${encodeSegment({})}.e31.x`],
    ["array header", `${encodeSegment([])}.${encodeSegment({})}.x`],
    ["invalid UTF-8", `${encodeSegment(new Uint8Array([0xff, 0xfe]))}.${encodeSegment({})}.x`],
  ])("rejects %s with a typed error", (_label, raw) => {
    expect(() => decodeToken(raw)).toThrow(ForgeError);
    try {
      decodeToken(raw);
    } catch (error) {
      expect((error as ForgeError).code).toBe("FORGE_MALFORMED_TOKEN");
    }
  });
});

describe("signers", () => {
  it("reproduces the RFC 7515 A.1 HS256 signature", async () => {
    const key = fromBase64url(RFC7515_A1.k);
    const signingInput = RFC7515_A1.jws.slice(0, RFC7515_A1.jws.lastIndexOf("."));
    expect(`${signingInput}.${hmacSignature("HS256", key, signingInput)}`).toBe(RFC7515_A1.jws);
    const viaJwk = await signerFromPrivateJwk({ kty: "oct", k: RFC7515_A1.k });
    const token = await viaJwk.sign({ typ: "JWT" }, { iss: "joe" });
    await expect(compactVerify(token, key)).resolves.toBeTruthy();
  });

  it("reproduces the RFC 8037 A.4 Ed25519 signature exactly", async () => {
    const signingInput = `${encodeSegment({ alg: "EdDSA" })}.${encodeSegment(new TextEncoder().encode("Example of Ed25519 signing"))}`;
    const token = `${signingInput}.${rawSignerFromJwk(RFC8037.jwk).sign(signingInput)}`;
    expect(token).toBe(RFC8037.jws);
    const signer = await signerFromPrivateJwk(RFC8037.jwk);
    expect(signer.alg).toBe("EdDSA");
    expect(signer.kid).toBeUndefined();
  });

  it("reproduces the RFC 6979 A.2.5 deterministic ECDSA P-256/SHA-256 signature of 'sample'", () => {
    const x = Buffer.from("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", "hex");
    const signature = ecdsaSignDeterministic("P-256", "sha256", x, new TextEncoder().encode("sample"));
    expect(Buffer.from(signature).toString("hex").toUpperCase()).toBe(
      "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716" +
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
    );
  });

  it.each(["ES256", "ES384", "ES512", "PS256", "PS384", "PS512"])("signs %s deterministically", async (alg) => {
    const { privateJwk, publicJwk } = await keyPair(alg);
    const signer = await signerFromPrivateJwk(privateJwk);
    const first = await signer.sign({}, claims);
    expect(await signer.sign({}, claims)).toBe(first);
    expect(await signer.sign({}, { ...claims, sub: "user-2" })).not.toBe(first);
    await expect(compactVerify(first, await importJWK(publicJwk, alg))).resolves.toBeTruthy();
  });

  it("refuses an EC key of the wrong curve for the alg", async () => {
    const { privateJwk } = await keyPair("ES256");
    await expect(signerFromPrivateJwk({ ...privateJwk, alg: "ES512" })).rejects.toMatchObject({ code: "FORGE_UNSUPPORTED_KEY" });
  });

  it.each(["EdDSA", "ES256", "ES384", "ES512", "RS256", "PS256"])("signs %s tokens that jose verifies", async (alg) => {
    const { privateJwk, publicJwk } = await keyPair(alg);
    const signer = await signerFromPrivateJwk(privateJwk);
    expect(signer).toMatchObject({ alg, kid: `k-${alg}` });
    const token = await signer.sign({ typ: "JWT" }, claims);
    const decoded = decodeToken(token);
    expect(decoded.header).toEqual({ alg, kid: `k-${alg}`, typ: "JWT" });
    expect(decoded.claims).toEqual(claims);
    await expect(compactVerify(token, await importJWK(publicJwk, alg))).resolves.toBeTruthy();
  });

  it("infers alg from the key type when the JWK has none", async () => {
    const { privateJwk } = await keyPair("ES256");
    const { alg: _alg, ...withoutAlg } = privateJwk;
    expect((await signerFromPrivateJwk(withoutAlg)).alg).toBe("ES256");
  });

  it("lets the header override or drop kid, and refuses a conflicting alg", async () => {
    const { privateJwk } = await keyPair("EdDSA");
    const signer = await signerFromPrivateJwk(privateJwk);
    expect(decodeToken(await signer.sign({ kid: "other" }, claims)).header.kid).toBe("other");
    expect(decodeToken(await signer.sign({ kid: undefined }, claims)).header).toEqual({ alg: "EdDSA" });
    await expect(signer.sign({ alg: "HS256" }, claims)).rejects.toMatchObject({ code: "FORGE_ALG_MISMATCH" });
  });

  it("refuses public keys and unknown key types with typed errors", async () => {
    const { publicJwk } = await keyPair("EdDSA");
    await expect(signerFromPrivateJwk(publicJwk)).rejects.toMatchObject({ code: "FORGE_UNSUPPORTED_KEY" });
    await expect(signerFromPrivateJwk({ kty: "OKP", crv: "X25519", x: "AA", d: "AA" })).rejects.toMatchObject({
      code: "FORGE_UNSUPPORTED_KEY",
    });
    expect(() => signerFromSecret("s", "EdDSA")).toThrow(ForgeError);
  });

  it("signs with a shared secret under each HMAC algorithm", async () => {
    for (const alg of ["HS256", "HS384", "HS512"]) {
      const token = await signerFromSecret("a shared secret", alg).sign({ typ: "JWT" }, claims);
      expect(decodeToken(token).header).toEqual({ alg, typ: "JWT" });
      await expect(compactVerify(token, new TextEncoder().encode("a shared secret"))).resolves.toBeTruthy();
    }
    const relabelled = signerFromSecret("s").withAlg?.("HS512");
    expect(relabelled?.alg).toBe("HS512");
  });

  it("HMAC-signs with an empty key (node:crypto) and a non-empty key (jose) alike", async () => {
    const empty = await hmacSign("HS256", new Uint8Array(), { typ: "JWT" }, claims);
    const { signingInput, signature } = decodeToken(empty);
    expect(signature).toBe(createHmac("sha256", Buffer.alloc(0)).update(signingInput).digest("base64url"));
    const key = new TextEncoder().encode("k");
    const nonEmpty = await hmacSign("HS384", key, { typ: "JWT" }, claims);
    expect(decodeToken(nonEmpty).signature).toBe(
      createHmac("sha384", key).update(decodeToken(nonEmpty).signingInput).digest("base64url"),
    );
  });

  it("signs tokens with unknown critical header parameters", async () => {
    const token = await signerFromSecret("s").sign({ crit: ["x-unknown"], "x-unknown": true }, claims);
    expect(decodeToken(token).header).toEqual({ alg: "HS256", crit: ["x-unknown"], "x-unknown": true });
  });
});

describe("mutators", () => {
  const secretBytes = new TextEncoder().encode("mutator secret");
  const base = async () => new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: "HS256" }).sign(secretBytes);
  const sig = (token: string) => Buffer.from(decodeToken(token).signature, "base64url");

  it("flips one bit, truncates, zeroes and extends the signature", async () => {
    const token = await base();
    const original = sig(token);
    const flipped = sig(flipSignatureBit(token));
    expect(flipped.length).toBe(original.length);
    expect(flipped[0]).toBe((original[0] as number) ^ 1);
    expect(flipped.subarray(1)).toEqual(original.subarray(1));
    expect(sig(flipSignatureBit(token, -1, 7)).at(-1)).toBe((original.at(-1) as number) ^ 0x80);
    expect(sig(truncateSignature(token, 1))).toEqual(original.subarray(0, original.length - 1));
    expect(decodeToken(truncateSignatureText(token, 4)).signature).toBe(decodeToken(token).signature.slice(0, -4));
    expect(sig(zeroSignature(token))).toEqual(Buffer.alloc(original.length));
    expect(sig(appendSignatureBytes(token, new Uint8Array([0])))).toEqual(Buffer.concat([original, Buffer.from([0])]));
    for (const mutated of [flipSignatureBit(token), truncateSignature(token), zeroSignature(token)]) {
      expect(decodeToken(mutated).signingInput).toBe(decodeToken(token).signingInput);
      await expect(compactVerify(mutated, secretBytes)).rejects.toThrow();
    }
  });

  it("encodes the same signature bytes non-canonically", async () => {
    const token = await base(); // 32-byte signature: 43 chars, 2 unused bits
    const mutated = nonCanonicalSignature(token) as string;
    const text = decodeToken(mutated).signature;
    expect(text).not.toBe(decodeToken(token).signature);
    expect(Buffer.from(text, "base64url")).toEqual(sig(token));
    expect(() => fromBase64url(text)).toThrow(ForgeError);
    const padded = paddedSignature(token) as string;
    expect(padded.endsWith("=")).toBe(true);
    expect(Buffer.from(padded.split(".")[2] as string, "base64url")).toEqual(sig(token));
    const std = standardAlphabetSignature(replaceSignature(token, "-_-_"));
    expect(std?.split(".")[2]).toBe("+/+/");
    expect(standardAlphabetSignature(replaceSignature(token, "AAAA"))).toBeUndefined();
  });

  it("strips the signature, relabels alg and edits header or claims keeping the rest", async () => {
    const token = await base();
    const parts = token.split(".");
    expect(stripSignature(token)).toBe(`${parts[0]}.${parts[1]}.`);
    const relabelled = relabelAlg(token, "ES256");
    expect(decodeToken(relabelled).header).toEqual({ alg: "ES256" });
    expect(relabelled.split(".").slice(1)).toEqual(parts.slice(1));
    expect(decodeToken(relabelAlg(token, undefined)).header).toEqual({});
    expect(decodeToken(editHeader(token, { kid: 7 })).header).toEqual({ alg: "HS256", kid: 7 });
    const edited = editClaims(token, { sub: "victim", iss: undefined });
    expect(decodeToken(edited).claims).toEqual({ sub: "victim", iat: claims.iat, exp: claims.exp });
    expect(decodeToken(edited).signature).toBe(parts[2]);
  });

  it("refuses to mutate a missing signature", () => {
    expect(() => flipSignatureBit(assemble({ alg: "none" }, {}, ""))).toThrow(ForgeError);
  });
});

describe("publicKeyEncodings", () => {
  it.each(["EdDSA", "ES256", "RS256"])("gives every encoding of a %s public key", async (alg) => {
    const { publicJwk, privateJwk } = await keyPair(alg);
    const encodings = publicKeyEncodings(privateJwk); // private members are dropped
    const labels = encodings.map((e) => e.label);
    expect(new Set(labels).size).toBe(labels.length);
    const expected = [
      "spki-pem-lf",
      "spki-pem-lf-no-trailing-newline",
      "spki-pem-crlf",
      "spki-pem-crlf-no-trailing-newline",
      ...(alg === "RS256" ? ["pkcs1-pem-lf"] : []),
      "spki-der",
      "raw-key-bytes",
      "jwk-json-compact",
      "jwk-json-pretty",
      "jwk-json-python",
      "openssh",
    ];
    expect(labels).toEqual(expected);
    const byLabel = Object.fromEntries(encodings.map((e) => [e.label, Buffer.from(e.bytes)]));
    const pem = (byLabel["spki-pem-lf"] as Buffer).toString();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expect((byLabel["spki-pem-lf-no-trailing-newline"] as Buffer).toString()).toBe(pem.slice(0, -1));
    expect((byLabel["spki-pem-crlf"] as Buffer).toString()).toBe(pem.replaceAll("\n", "\r\n"));
    expect((byLabel["spki-pem-crlf-no-trailing-newline"] as Buffer).toString()).toBe(pem.slice(0, -1).replaceAll("\n", "\r\n"));
    // The DER and PEM describe the same key as the JWK.
    const fromDer = createPublicKey({ key: byLabel["spki-der"] as Buffer, format: "der", type: "spki" });
    expect(fromDer.export({ format: "jwk" })).toMatchObject({ kty: publicJwk.kty });
    expect(createPublicKey(pem).export({ format: "jwk" })).toEqual(fromDer.export({ format: "jwk" }));
    const jwkJson = JSON.parse((byLabel["jwk-json-compact"] as Buffer).toString());
    expect(jwkJson).toEqual(publicJwk);
    expect((byLabel["jwk-json-pretty"] as Buffer).toString()).toBe(JSON.stringify(publicJwk, null, 2));
    expect(JSON.parse((byLabel["jwk-json-python"] as Buffer).toString())).toEqual(publicJwk);
    expect((byLabel["jwk-json-python"] as Buffer).toString()).toContain('", "');
    const raw = byLabel["raw-key-bytes"] as Buffer;
    if (alg === "EdDSA") expect(raw).toEqual(Buffer.from(publicJwk.x as string, "base64url"));
    if (alg === "ES256") {
      expect(raw.length).toBe(65);
      expect(raw[0]).toBe(4);
    }
    if (alg === "RS256") {
      expect(raw).toEqual(Buffer.from(publicJwk.n as string, "base64url"));
      expect((byLabel["pkcs1-pem-lf"] as Buffer).toString()).toMatch(/^-----BEGIN RSA PUBLIC KEY-----\n/);
    }
    const ssh = (byLabel["openssh"] as Buffer).toString();
    expect(ssh).toMatch({ EdDSA: /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5/, ES256: /^ecdsa-sha2-nistp256 /, RS256: /^ssh-rsa AAAAB3NzaC1yc2E/ }[alg] as RegExp);
  });

  it("parses the OpenSSH line back to the same key with node:crypto", async () => {
    const { publicJwk } = await keyPair("EdDSA");
    const ssh = Buffer.from(publicKeyEncodings(publicJwk).find((e) => e.label === "openssh")!.bytes).toString();
    const blob = Buffer.from(ssh.split(" ")[1] as string, "base64");
    expect(blob.subarray(blob.length - 32)).toEqual(Buffer.from(publicJwk.x as string, "base64url"));
  });

  it("refuses a JWK that is not a public key", () => {
    expect(() => publicKeyEncodings({ kty: "OKP", crv: "Ed25519" })).toThrow(ForgeError);
  });
});

// Keep CompactSign referenced for readers comparing with jose's own API.
void CompactSign;
