import { compactVerify, exportJWK, generateKeyPair, type JWK } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { AttackContext } from "../src/checks/attack/types.ts";
import { serialization } from "../src/checks/token/signature.ts";
import { createAttackerKeys } from "../src/forge/attacker-keys.ts";
import { decodeToken, fromBase64url, signerFromPrivateJwk } from "../src/forge/index.ts";

// token.serialization: each variant carries the real signature; all but one put other claims beside it.

let ctx: AttackContext;
let publicJwk: JWK;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
  publicJwk = await exportJWK(publicKey);
  const signer = await signerFromPrivateJwk({ ...(await exportJWK(privateKey)), kid: "k1" });
  const claims = { sub: "user-a", iat: 1_750_000_000, exp: 1_750_000_900, iss: "http://localhost:3000", aud: "http://localhost:3000" };
  ctx = {
    realToken: await signer.sign({}, claims),
    realClaims: claims,
    victim: { id: "user-b", token: "unused" },
    publicJwks: [publicJwk],
    expected: { identityClaim: "sub", leewaySec: 60 },
    attackerKeys: await createAttackerKeys(),
    nowSec: 1_750_000_000,
  };
});

/** The JWS JSON object a variant carries (the bearer value, or its base64url decoding). */
function jsonOf(bearer: string): Record<string, unknown> {
  const value = bearer.replace(/^Bearer /, "");
  return JSON.parse(value.startsWith("{") ? value : new TextDecoder().decode(fromBase64url(value))) as Record<string, unknown>;
}

describe("token.serialization", () => {
  it("sends the flattened, general, base64url-wrapped and polyglot forms, all expected to be refused", async () => {
    const attacks = await serialization(ctx);
    expect(attacks.map((a) => a.variant)).toEqual([
      "flattened JSON, claims unchanged",
      "flattened JSON, claims changed",
      "general JSON, claims changed",
      "flattened JSON base64url-encoded, claims changed",
      "JSON/compact polyglot (CVE-2022-39227)",
    ]);
    for (const attack of attacks) {
      expect(attack.expect).toBe("reject");
      expect(attack.impact).toBe(attack.variant.includes("unchanged") ? "leniency" : "forgery");
    }
  });

  it("keeps the real, verifying signature; the changed variants name the victim", async () => {
    const { segments } = decodeToken(ctx.realToken);
    for (const attack of await serialization(ctx)) {
      const json = jsonOf(attack.authorization as string);
      const signed = (json.signatures as Array<Record<string, string>> | undefined)?.[0] ?? (json as Record<string, string>);
      expect(signed.signature).toBe(segments.signature);
      expect(signed.protected).toBe(segments.header);
      // The JSON's own protected + payload + signature: genuine only where the claims are unchanged.
      const claimed = typeof json.payload === "string" ? json.payload : "";
      const verifies = await compactVerify(`${signed.protected}.${claimed}.${signed.signature}`, publicJwk as never).then(() => true, () => false);
      const forged = attack.impact === "forgery";
      expect(verifies, attack.variant).toBe(!forged || attack.variant.includes("polyglot"));
      expect((attack.token!.claims as Record<string, unknown>).sub).toBe(forged ? "user-b" : "user-a");
    }
  });

  it("the polyglot hides other claims between the dots of its first key", async () => {
    const polyglot = (await serialization(ctx)).at(-1)!;
    const value = (polyglot.authorization as string).replace(/^Bearer /, "");
    const [, payloadBetweenDots] = value.split(".");
    expect(JSON.parse(new TextDecoder().decode(fromBase64url(payloadBetweenDots!))).sub).toBe("user-b");
  });
});
