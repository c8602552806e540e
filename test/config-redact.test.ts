import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/load.ts";
import { REDACTED, makeRedactor, secretsFromConfig, shortenToken } from "../src/config/redact.ts";

const SECRET = "my-very-long-shared-secret-0123456789";

describe("makeRedactor", () => {
  it("replaces a secret and its base64 / base64url forms", () => {
    const redact = makeRedactor([SECRET]);
    const b64 = Buffer.from(SECRET).toString("base64");
    const b64url = Buffer.from(SECRET).toString("base64url");
    const out = redact(`secret=${SECRET} b64=${b64} url=${b64url}`);
    expect(out).toBe(`secret=${REDACTED} b64=${REDACTED} url=${REDACTED}`);
  });

  it("finds the secret inside larger base64 text at every byte alignment", () => {
    const redact = makeRedactor(["pa$$word-for-the-api!"]);
    for (const prefix of ["", "u:", "us:", "user:", "x"]) {
      const encoded = Buffer.from(`${prefix}pa$$word-for-the-api!tail`).toString("base64");
      const out = redact(`Authorization: Basic ${encoded}`);
      expect(out, prefix).toContain(REDACTED);
      // What is left cannot be decoded back to the secret.
      expect(Buffer.from(out.replace("Authorization: Basic ", "").replace(REDACTED, ""), "base64").toString()).not.toContain("word-for");
    }
  });

  it("redacts short secrets only where they stand alone, so check ids stay readable", () => {
    const redact = makeRedactor(["secret"]);
    expect(redact(`BETTER_AUTH_SECRET=secret; key "secret" (secret.strength)`)).toBe(`BETTER_AUTH_SECRET=${REDACTED}; key "${REDACTED}" (secret.strength)`);
  });

  it("shortens JWT-shaped strings unless tokens are included", async () => {
    const jwt = await new SignJWT({ sub: "u1" }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET));
    const text = `Authorization: Bearer ${jwt}`;
    expect(makeRedactor([])(text)).toBe(`Authorization: Bearer eyJhbGc…${jwt.slice(-6)}`);
    expect(makeRedactor([], { includeTokens: true })(text)).toBe(text);
    // alg-none style tokens with an empty signature and 2-segment fragments are tokens too
    const unsigned = jwt.split(".").slice(0, 2).join(".") + ".";
    expect(makeRedactor([])(unsigned)).toBe(shortenToken(unsigned));
  });

  it("shortens other given tokens and leaves unrelated text alone", () => {
    const session = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
    const redact = makeRedactor([SECRET], { tokens: [session] });
    expect(redact(`cookie better-auth.session_token=${session}.sig`)).toBe(`cookie better-auth.session_token=AbCdEfG…012345.sig`);
    const plain = 'GET /api/tasks/42 -> 404 {"detail":"Not Found"} eyJ';
    expect(redact(plain)).toBe(plain);
  });

  it("collects the secrets a configuration holds", async () => {
    const jwk = { kty: "OKP", crv: "Ed25519", x: "publicpart", d: "PRIVATE-D-VALUE-1234567890" };
    const config = await loadConfig({
      cwd: "/",
      flags: {},
      env: {
        BETTER_AUTH_SECRET: SECRET,
        AUTHPROOF_PRIVATE_JWK: JSON.stringify(jwk),
        AUTHPROOF_ACCOUNTS: JSON.stringify([{ email: "a@example.com", password: "password-of-a" }, { email: "b@example.com", password: "password-of-b" }]),
      },
    });
    const secrets = secretsFromConfig(config);
    expect(secrets).toEqual(expect.arrayContaining([SECRET, jwk.d, "password-of-a", "password-of-b"]));
    const redact = makeRedactor(secrets);
    const out = redact(`${JSON.stringify(config)}`);
    for (const s of [SECRET, jwk.d, "password-of-a", "password-of-b"]) expect(out).not.toContain(s);
    expect(redact("public x=publicpart")).toBe("public x=publicpart");
  });
});
