import type { TargetModel } from "../../model/target.ts";
import { acceptanceModelFor, type AcceptanceModel } from "./acceptance-model.ts";
import type { TokenArbOptions } from "./arbitraries/token.ts";
import { rawSignerFromJwk, rawSignerFromSecret, type RawSigner } from "../../forge/raw.ts";
import type { JWK } from "jose";
import type { TokenEnv } from "./token-spec.ts";

/** Everything the token properties derive from the target model once. */
export interface TokenPropertyEnv {
  acceptance: AcceptanceModel;
  oracle?: RawSigner;
  arbOptions: TokenArbOptions;
  /** The rendering environment at a given time. */
  at(nowSec: number): TokenEnv;
}

/** The acceptance model, the raw oracle signer and the generator options of an audited target. */
export function tokenPropertyEnv(model: TargetModel): TokenPropertyEnv {
  const oracle = oracleOf(model);
  const acceptance = acceptanceModelFor(model, oracle);
  const [a, b] = model.users;
  if (!a || !b) throw new Error("the property checks need two test users");
  const users = Object.fromEntries(
    [a, b].map((user) => [user.label, { id: user.userId, token: user.token, header: user.header, claims: user.claims }]),
  ) as TokenEnv["users"];
  return {
    acceptance,
    ...(oracle ? { oracle } : {}),
    arbOptions: {
      identityClaim: acceptance.identityClaim,
      leewaySec: acceptance.leewaySec,
      marginSec: acceptance.marginSec,
      hasOracle: oracle !== undefined,
    },
    at: (nowSec) => ({
      nowSec,
      users,
      ...(acceptance.issuer !== undefined ? { issuer: acceptance.issuer } : {}),
      ...(acceptance.audience !== undefined ? { audience: acceptance.audience } : {}),
      identityClaim: acceptance.identityClaim,
      ...(oracle ? { oracle } : {}),
    }),
  };
}

/** The current time in whole seconds (token times are rendered against it). */
export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/** The signing oracle of the audit as a raw signer (tokens with any header text); undefined for a black box. */
function oracleOf(model: TargetModel): RawSigner | undefined {
  const { keys } = model.config;
  if (model.oracle === "private-key" && keys.privateJwk)
    return rawSignerFromJwk((typeof keys.privateJwk === "string" ? JSON.parse(keys.privateJwk) : keys.privateJwk) as JWK);
  if (model.oracle === "secret" && keys.secret) return rawSignerFromSecret(keys.secret);
  return undefined;
}
