import type { Signer } from "../forge/signers.ts";
import type { HttpDriver } from "../http/driver.ts";
import { bearer } from "../model/endpoint.ts";
import type { AuditUser, Probe } from "../model/target.ts";

/**
 * Why the users' valid tokens are refused, in one line naming the config key to set. With a signing oracle it
 * tries the token's claims re-signed, without `aud`, and with the identity under `id` / `user_id`; the first
 * variant the backend lets through names the cause.
 */
export async function diagnoseRefusedToken(driver: HttpDriver, probe: Probe, user: AuditUser, signer: Signer | undefined): Promise<string> {
  if (!signer)
    return "the backend does not trust the tokens as issued (check the JWKS URL or secret it verifies with, and --mode); give a signing key (BETTER_AUTH_SECRET or AUTHPROOF_PRIVATE_JWK) to let authproof diagnose further";
  const nowSec = Math.floor(Date.now() / 1000);
  const { alg: _alg, kid: _kid, ...header } = user.header;
  const claims: Record<string, unknown> = { ...user.claims, iat: nowSec, exp: nowSec + 600 };
  const { aud: _aud, ...withoutAud } = claims;
  const attempts: Array<[claims: Record<string, unknown>, cause: string]> = [
    [claims, "the backend accepts these claims signed with the configured key, but not as the issuer signed them: it verifies with another key (check the JWKS URL / secret it uses, or keys.privateJwk)"],
    [withoutAud, `the backend refuses tokens with aud=${JSON.stringify(user.claims.aud)} and accepts them without: set claims.audience (or identities.claims.aud) to the audience it expects, or none`],
    [{ ...claims, id: user.userId }, "the backend reads the user from an `id` claim: set claims.identityClaim to id"],
    [{ ...claims, user_id: user.userId }, "the backend reads the user from a `user_id` claim: set claims.identityClaim to user_id"],
    [{ ...withoutAud, user_id: user.userId }, "the backend reads the user from `user_id` and refuses this aud: set claims.identityClaim to user_id and claims.audience to what it expects"],
  ];
  for (const [variant, cause] of attempts) {
    const token = await signer.sign(header, variant);
    const exchange = await driver.send({ ...probe.request, headers: { ...probe.request.headers, ...bearer(token) } });
    const status = exchange.response?.status;
    if (status !== undefined && status !== 401 && status < 500) return cause;
  }
  return "the backend refuses even tokens signed with the configured key: the key or the mode does not match the target (wrong secret or private key, or --mode)";
}
