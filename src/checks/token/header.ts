import { hmacSign } from "../../forge/index.ts";
import type { AttackerKeyPair } from "../../forge/attacker-keys.ts";
import { bearerAttack, freshClaims, oracleHeader, realHeader, validClaims } from "../attack/context.ts";
import type { Attack, AttackContext, AttackGenerator } from "../attack/types.ts";
import { attackCheck, type AttackCheck } from "../attack/record.ts";

function attackerPairs(ctx: AttackContext): Array<[string, AttackerKeyPair]> {
  const k = ctx.attackerKeys;
  return [
    ["RSA", k.rsa],
    ["EC", k.ec],
    ["OKP", k.okp],
  ];
}

/** The real header without alg, kid and any key-locating member. */
function neutralHeader(ctx: AttackContext): Record<string, unknown> {
  const { alg: _a, kid: _k, jwk: _j, jku: _u, x5u: _x, x5c: _c, ...rest } = realHeader(ctx);
  return rest;
}

/**
 * `token.embedded-jwk`: tokens signed with an attacker key that the header itself carries (`jwk`, and an
 * `x5c` self-signed certificate), with the attacker's kid and with the real kid.
 */
export const embeddedJwk: AttackGenerator = async (ctx) => {
  const checkId = "token.embedded-jwk";
  const claims = freshClaims(ctx);
  const base = neutralHeader(ctx);
  const realKid = realHeader(ctx).kid;
  const attacks: Attack[] = [];
  for (const [type, pair] of attackerPairs(ctx)) {
    attacks.push(bearerAttack(checkId, `${type} jwk (${pair.alg})`, await pair.signer.sign({ ...base, kid: pair.kid, jwk: pair.publicJwk }, claims)));
    if (realKid !== undefined) {
      attacks.push(
        bearerAttack(checkId, `${type} jwk (${pair.alg}), real kid`, await pair.signer.sign({ ...base, kid: realKid, jwk: pair.publicJwk }, claims)),
      );
    }
  }
  const x5u = ctx.attackerKeys.x5u;
  attacks.push(bearerAttack(checkId, "x5c self-signed certificate (RS256)", await x5u.signer.sign({ ...base, kid: undefined, x5c: [x5u.certDerBase64] }, claims)));
  return attacks;
};

/**
 * `token.jku-x5u`: `jku` / `x5u` pointing at the harness's loopback listener, which serves the attacker
 * keys; the target must refuse and the listener must see no fetch. Empty without a listener.
 */
export const jkuX5u: AttackGenerator = async (ctx) => {
  const checkId = "token.jku-x5u";
  const listener = ctx.listener;
  if (!listener) return [];
  const claims = freshClaims(ctx);
  const base = neutralHeader(ctx);
  const note = "the listener must record zero fetches";
  const attacks: Attack[] = [];
  for (const [type, pair] of attackerPairs(ctx)) {
    attacks.push(bearerAttack(checkId, `jku, ${type} key (${pair.alg})`, await pair.signer.sign({ ...base, kid: pair.kid, jku: listener.jkuUrl }, claims), note));
  }
  const x5u = ctx.attackerKeys.x5u;
  attacks.push(bearerAttack(checkId, "x5u, self-signed certificate (RS256)", await x5u.signer.sign({ ...base, kid: undefined, x5u: listener.x5uUrl }, claims), note));
  attacks.push(bearerAttack(checkId, "x5u and kid, self-signed certificate (RS256)", await x5u.signer.sign({ ...base, x5u: listener.x5uUrl }, claims), note));
  return attacks;
};

const LONG_KID_LENGTH = 10_000;

/**
 * `token.kid-injection`: path traversal, SQL and command injection, very long and non-string `kid`s, HMAC
 * signed with the key the injection would yield (empty for /dev/null, "1" for the SQL union).
 */
export const kidInjection: AttackGenerator = async (ctx) => {
  const checkId = "token.kid-injection";
  const claims = freshClaims(ctx);
  const base = neutralHeader(ctx);
  const empty = new Uint8Array();
  const one = new TextEncoder().encode("1");
  const cases: Array<[string, unknown, Uint8Array, string?]> = [
    ["kid=../../../../dev/null (HS256, empty key)", "../../../../dev/null", empty],
    ["kid=../../../../../../dev/null (HS256, empty key)", "../../../../../../dev/null", empty],
    ["kid=/dev/null (HS256, empty key)", "/dev/null", empty],
    ["kid=x' UNION SELECT '1';-- (HS256, key 1)", "x' UNION SELECT '1';--", one],
    ["kid=' OR '1'='1 (HS256, key 1)", "' OR '1'='1", one],
    ["kid=|sleep 5 (HS256, empty key)", "|sleep 5", empty, "a delayed answer reveals command injection"],
    ["kid=$(sleep 5) (HS256, empty key)", "$(sleep 5)", empty, "a delayed answer reveals command injection"],
    ['kid="" (HS256, empty key)', "", empty],
    [`kid of ${LONG_KID_LENGTH} characters (HS256, empty key)`, "A".repeat(LONG_KID_LENGTH), empty],
    ["kid=123 (number)", 123, empty],
    ["kid=null", null, empty],
    ["kid=true", true, empty],
    ["kid={} (object)", {}, empty],
    ['kid={"$ne":null} (object)', { $ne: null }, empty],
    ['kid=["x"] (array)', ["x"], empty],
  ];
  const attacks: Attack[] = [];
  for (const [variant, kid, key, note] of cases) {
    const token = await hmacSign("HS256", key, { ...base, kid }, claims);
    attacks.push(bearerAttack(checkId, variant, token, note ?? "must be 401, never 5xx, no delay"));
  }
  return attacks;
};

/** `token.crit-unknown` (oracle): a validly signed token whose header marks an unknown extension as critical. */
export const critUnknown: AttackGenerator = async (ctx) => {
  const signer = ctx.signer;
  if (!signer) return [];
  const checkId = "token.crit-unknown";
  const header = oracleHeader(ctx);
  const claims = validClaims(ctx);
  return [
    bearerAttack(checkId, 'crit=["x-unknown"]', await signer.sign({ ...header, crit: ["x-unknown"], "x-unknown": true }, claims)),
    bearerAttack(
      checkId,
      'crit=["x-authproof-a","x-authproof-b"]',
      await signer.sign({ ...header, crit: ["x-authproof-a", "x-authproof-b"], "x-authproof-a": 1, "x-authproof-b": { required: true } }, claims),
    ),
  ];
};

/** The token checks about header parameters that name keys or extensions, in the order they run. */
export const headerChecks: AttackCheck[] = [
  attackCheck({ id: "token.embedded-jwk", generate: embeddedJwk }),
  attackCheck({ id: "token.jku-x5u", needs: { listener: true }, generate: jkuX5u }),
  attackCheck({ id: "token.kid-injection", crashIsFailure: true, generate: kidInjection }),
  attackCheck({ id: "token.crit-unknown", needs: { oracle: true }, impact: "claims", generate: critUnknown }),
];
