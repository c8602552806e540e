import type { JWK } from "jose";
import {
  ASYMMETRIC_ALGS,
  HMAC_ALGS,
  hmacSign,
  publicKeyEncodings,
  relabelAlg,
  stripSignature,
} from "../../forge/index.ts";
import { bearerAttack, freshClaims, realAlg, realHeader } from "../attack/context.ts";
import type { Attack, AttackGenerator } from "../attack/types.ts";
import { attackCheck, type AttackCheck } from "../attack/record.ts";

/**
 * Every upper/lower-case spelling of `word` (2^letters of them).
 * @example casings("none").length // 16
 */
export function casings(word: string): string[] {
  const out: string[] = [];
  for (let mask = 0; mask < 1 << word.length; mask++) {
    out.push([...word].map((c, i) => (mask & (1 << i) ? c.toUpperCase() : c.toLowerCase())).join(""));
  }
  return [...new Set(out)];
}

/** `token.alg-none`: every casing of `none`, `""`, a missing alg and `null`, each with an empty and the original signature. */
export const algNone: AttackGenerator = async (ctx) => {
  const checkId = "token.alg-none";
  const values: Array<[string, unknown]> = [
    ...casings("none").map((c): [string, unknown] => [`alg=${c}`, c]),
    ['alg=""', ""],
    ["alg missing", undefined],
    ["alg=null", null],
  ];
  const attacks: Attack[] = [];
  for (const [label, value] of values) {
    const relabelled = relabelAlg(ctx.realToken, value);
    attacks.push(bearerAttack(checkId, `${label} signature=empty`, stripSignature(relabelled)));
    attacks.push(bearerAttack(checkId, `${label} signature=original`, relabelled));
  }
  return attacks;
};

/**
 * `token.alg-confusion`: HS256/384/512 keyed with each of the target's public keys in every encoding
 * (PEM variants, PKCS#1, DER, raw, JWK JSON, OpenSSH). Empty without public keys.
 */
export const algConfusion: AttackGenerator = async (ctx) => {
  const checkId = "token.alg-confusion";
  const claims = freshClaims(ctx);
  const { alg: _alg, ...headerRest } = realHeader(ctx);
  const attacks: Attack[] = [];
  const many = ctx.publicJwks.length > 1;
  for (const [index, jwk] of ctx.publicJwks.entries()) {
    const kid = typeof (jwk as JWK).kid === "string" ? ((jwk as JWK).kid as string) : undefined;
    const header = kid === undefined ? headerRest : { ...headerRest, kid };
    const keyLabel = many ? ` key#${index}${kid === undefined ? "" : `(${kid})`}` : "";
    for (const encoding of publicKeyEncodings(jwk as JWK)) {
      for (const alg of HMAC_ALGS) {
        const token = await hmacSign(alg, encoding.bytes, header, claims);
        attacks.push(bearerAttack(checkId, `${alg}${keyLabel} key=${encoding.label}`, token));
      }
    }
  }
  return attacks;
};

/**
 * `token.alg-relabel`: the real token with `alg` changed and the signature kept; for a shared secret, also
 * re-signed under the other HMAC algorithms (R401 unless the policy allows them).
 */
export const algRelabel: AttackGenerator = async (ctx) => {
  const checkId = "token.alg-relabel";
  const alg = realAlg(ctx);
  const targets = [...ASYMMETRIC_ALGS, ...HMAC_ALGS].filter((a) => a !== alg);
  const attacks: Attack[] = targets.map((target) =>
    bearerAttack(checkId, `alg=${target} signature=original`, relabelAlg(ctx.realToken, target)),
  );
  if (alg !== undefined) {
    for (const spelling of [alg.toLowerCase(), alg.toUpperCase()].filter((a, i, all) => a !== alg && all.indexOf(a) === i)) {
      attacks.push(
        // The genuine signature under the same algorithm spelled differently: hardening advice, not a forgery.
        { ...bearerAttack(checkId, `alg=${spelling} signature=original`, relabelAlg(ctx.realToken, spelling), "the alg name is case-sensitive"), impact: "leniency" as const },
      );
    }
  }
  const signer = ctx.signer;
  if (signer && alg !== undefined && (HMAC_ALGS as readonly string[]).includes(alg)) {
    const { alg: _alg, ...rest } = realHeader(ctx);
    for (const other of HMAC_ALGS.filter((a) => a !== alg)) {
      const resigner = signer.withAlg?.(other);
      if (!resigner) continue;
      attacks.push(
        // Made with the key: an algorithm allow-list that is not pinned, not a forgery.
        { ...bearerAttack(checkId, `alg=${other} re-signed with the shared secret`, await resigner.sign(rest, freshClaims(ctx)), "R401 unless the policy allows this algorithm"), impact: "leniency" as const },
      );
    }
  }
  return attacks;
};

/** `token.empty-key`: HS256/384/512 signed with an empty key, without and with the real kid. */
export const emptyKey: AttackGenerator = async (ctx) => {
  const checkId = "token.empty-key";
  const claims = freshClaims(ctx);
  const realKid = realHeader(ctx).kid;
  const attacks: Attack[] = [];
  for (const alg of HMAC_ALGS) {
    attacks.push(bearerAttack(checkId, `${alg} empty key`, await hmacSign(alg, new Uint8Array(), { typ: "JWT" }, claims)));
    if (realKid !== undefined) {
      attacks.push(
        bearerAttack(checkId, `${alg} empty key, real kid`, await hmacSign(alg, new Uint8Array(), { kid: realKid, typ: "JWT" }, claims)),
      );
    }
  }
  return attacks;
};

/** The token checks about the alg header, in the order they run. */
export const algChecks: AttackCheck[] = [
  attackCheck({ id: "token.alg-none", generate: algNone }),
  attackCheck({ id: "token.alg-confusion", needs: { publicKeys: true }, generate: algConfusion }),
  attackCheck({ id: "token.alg-relabel", generate: algRelabel }),
  attackCheck({ id: "token.empty-key", generate: emptyKey }),
];
