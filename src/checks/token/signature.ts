import {
  appendSignatureBytes,
  decodeToken,
  editClaims,
  encodeSegment,
  flipSignatureBit,
  HMAC_ALGS,
  hmacSign,
  nonCanonicalSignature,
  paddedSignature,
  replaceSignature,
  signerFromPrivateJwk,
  signerFromSecret,
  standardAlphabetSignature,
  stripSignature,
  toBase64url,
  truncateSignature,
  truncateSignatureText,
  zeroSignature,
  type Signer,
} from "../../forge/index.ts";
import type { AttackerKeyPair } from "../../forge/attacker-keys.ts";
import type { Impact } from "../types.ts";
import { bearerAttack, deterministicTag, freshClaims, identityOf, realAlg, realHeader } from "../attack/context.ts";
import { commonSecrets, magicValues } from "../../data/dictionaries.ts";
import type { Candidate } from "../../model/target.ts";
import { candidateLabel } from "../../target/mining.ts";
import type { Attack, AttackContext, AttackGenerator } from "../attack/types.ts";
import { attackCheck, type AttackCheck } from "../attack/record.ts";

/** The mined candidates of one kind (strongest first), and the dictionary values that are not among them. */
function withMined(ctx: AttackContext, kind: Candidate["kind"], dictionary: readonly string[]): { mined: readonly Candidate[]; rest: string[] } {
  const mined = (ctx.candidates ?? []).filter((candidate) => candidate.kind === kind);
  const values = new Set(mined.map((candidate) => candidate.value));
  return { mined, rest: dictionary.filter((value) => !values.has(value)) };
}

/** How a mined value appears in a variant: the value (shortened when only the user's files hold it) and where it was found. */
const minedLabel = (candidate: Candidate) => `${candidateLabel(candidate)} (${candidate.source})`;

/** The real token's claims under an unsigned header (`{"alg":"none","typ":"JWT"}`), without a signature part. */
function unsignedInput(ctx: AttackContext): string {
  return `${encodeSegment({ alg: "none", typ: "JWT" })}.${decodeToken(ctx.realToken).segments.payload}`;
}

/**
 * `token.magic-value`: bearer values development shortcuts leave behind, as the whole bearer value and as the
 * signature of the real token. Values mined from the target's own material (its OpenAPI document, its error
 * answers, the `--source` files) go first, each variant naming its source, and are also tried as the signature
 * after an unsigned (`alg: none`) header ("signature placeholders on unsigned headers": `if alg == "none" and
 * sig == "guest_token"`); then the bundled dictionary. Bundled values are not tried after an unsigned header: a
 * backend that takes those takes `alg: none` with any signature, which token.alg-none reports (one flaw, one finding).
 */
export const magicValue: AttackGenerator = async (ctx) => {
  const checkId = "token.magic-value";
  const { mined, rest } = withMined(ctx, "bearer", magicValues());
  const attacks: Attack[] = [];
  const whole = (variant: string, value: string): Attack => ({ checkId, variant, authorization: `Bearer ${value}`, expect: "reject", likeInvalidControl: true });
  for (const candidate of mined) attacks.push(whole(`whole token=${minedLabel(candidate)}`, candidate.value));
  for (const value of rest) attacks.push(whole(`whole token=${value}`, value));
  for (const candidate of mined) attacks.push(bearerAttack(checkId, `signature=${minedLabel(candidate)}`, replaceSignature(ctx.realToken, candidate.value)));
  for (const value of rest) attacks.push(bearerAttack(checkId, `signature=${value}`, replaceSignature(ctx.realToken, value)));
  const unsigned = unsignedInput(ctx);
  for (const candidate of mined) attacks.push(bearerAttack(checkId, `unsigned header, signature=${minedLabel(candidate)}`, `${unsigned}.${candidate.value}`));
  return attacks;
};

/**
 * `token.guessable-secret`: the real claims HMAC-signed under HS256/384/512 with each secret mined from the
 * target's material (a fallback committed in `.env.example`, a default in `settings.py`; first, naming the
 * source, the value shortened when only the user's files hold it), then with each common / tutorial secret.
 */
export const guessableSecret: AttackGenerator = async (ctx) => {
  const claims = freshClaims(ctx);
  const { mined, rest } = withMined(ctx, "secret", commonSecrets());
  const attacks: Attack[] = [];
  const sign = async (secret: string, label: string) => {
    const key = new TextEncoder().encode(secret);
    for (const alg of HMAC_ALGS) {
      const token = await hmacSign(alg, key, { typ: "JWT" }, claims);
      attacks.push(bearerAttack("token.guessable-secret", `${alg} secret=${label}`, token));
    }
  };
  for (const candidate of mined) await sign(candidate.value, minedLabel(candidate));
  for (const secret of rest) await sign(secret, JSON.stringify(secret));
  return attacks;
};

/** Deeply nested JSON text (arrays: two characters a level, so the token stays small). */
function nestedJson(prefixMembers: string, depth: number): string {
  return `{${prefixMembers}"nested":${"[".repeat(depth)}${"]".repeat(depth)}}`;
}

const NESTING_DEPTH = 3000;
const HUGE_HEADER_BYTES = 1_000_000;

/** `token.malformed`: structurally broken tokens; the target must answer 401, never 5xx. */
export const malformed: AttackGenerator = async (ctx) => {
  const checkId = "token.malformed";
  const { segments, header, claims } = decodeToken(ctx.realToken);
  const { header: h, payload: p, signature: s } = segments;
  const bytes = (text: string | number[]) =>
    encodeSegment(typeof text === "string" ? new TextEncoder().encode(text) : new Uint8Array(text));
  const claimsJson = JSON.stringify(claims).slice(1, -1);
  const headerJson = JSON.stringify(header).slice(1, -1);
  const cases: Array<[string, string]> = [
    ["1 segment (header only)", h],
    ["2 segments (no signature part)", `${h}.${p}`],
    ["4 segments", `${h}.${p}.${s}.${s}`],
    ["5 segments", `${h}.${p}.${s}.${s}.${s}`],
    ["'..' (3 empty segments)", ".."],
    ["'...' (4 empty segments)", "..."],
    ["empty header segment", `.${p}.${s}`],
    ["empty payload segment", `${h}..${s}`],
    ["bad base64url in header", `${h.slice(0, 4)}*!${h.slice(6)}.${p}.${s}`],
    ["bad base64url in payload", `${h}.${p.slice(0, 4)}*!${p.slice(6)}.${s}`],
    ["bad base64url in signature", `${h}.${p}.${s.slice(0, 4)}*!${s.slice(6)}`],
    ["header of impossible base64url length (5 characters)", `eyJhb.${p}.${s}`],
    ["header not JSON", `${bytes("not json")}.${p}.${s}`],
    ["header is a JSON array", `${encodeSegment([header])}.${p}.${s}`],
    ["header is a JSON string", `${encodeSegment(String(header.alg ?? "none"))}.${p}.${s}`],
    ["header is JSON null", `${encodeSegment(null)}.${p}.${s}`],
    ["header with trailing garbage", `${bytes(`${JSON.stringify(header)}x`)}.${p}.${s}`],
    ["payload not JSON", `${h}.${bytes("not json")}.${s}`],
    ["payload is a JSON array", `${h}.${encodeSegment([claims])}.${s}`],
    ["payload is a JSON number", `${h}.${encodeSegment(1)}.${s}`],
    ["header invalid UTF-8", `${bytes([...Buffer.from(`{${headerJson},"x":"`), 0xff, 0xfe, ...Buffer.from('"}')])}.${p}.${s}`],
    ["payload invalid UTF-8", `${h}.${bytes([...Buffer.from(`{${claimsJson},"x":"`), 0xc3, 0x28, ...Buffer.from('"}')])}.${s}`],
    ["space inside the token", `${h}.${p.slice(0, 8)} ${p.slice(8)}.${s}`],
    [`header ${HUGE_HEADER_BYTES / 1_000_000} MB`, `${encodeSegment({ ...header, pad: "A".repeat(HUGE_HEADER_BYTES) })}.${p}.${s}`],
    [`payload nested ${NESTING_DEPTH} levels deep`, `${h}.${bytes(nestedJson(`${claimsJson},`, NESTING_DEPTH))}.${s}`],
    [`header nested ${NESTING_DEPTH} levels deep`, `${bytes(nestedJson(`${headerJson},`, NESTING_DEPTH))}.${p}.${s}`],
  ];
  return cases.map(([variant, token]) => {
    const attack = bearerAttack(checkId, variant, token, "must be 401, never 5xx, in bounded time");
    // Evidence stays small and shallow: report renderers must not choke on 1 MB or 3000 levels of nesting.
    if (token.length > 64_000) attack.token = { header: `(${token.length} characters, not shown)`, claims };
    if (variant.startsWith("payload nested")) attack.token = { header, claims: `(${variant}, not shown)` };
    if (variant.startsWith("header nested")) attack.token = { header: `(${variant}, not shown)`, claims };
    return attack;
  });
};

/** `token.signature-tampered`: claims changed, original signature kept. */
export const signatureTampered: AttackGenerator = async (ctx) => {
  const checkId = "token.signature-tampered";
  const identityClaim = ctx.expected.identityClaim;
  const attacks: Attack[] = [];
  if (ctx.victim) {
    attacks.push(bearerAttack(checkId, `${identityClaim}=victim id`, editClaims(ctx.realToken, { [identityClaim]: ctx.victim.id })));
  } else {
    const other = `authproof-other-${deterministicTag(identityOf(ctx))}`;
    attacks.push(bearerAttack(checkId, `${identityClaim}=another id`, editClaims(ctx.realToken, { [identityClaim]: other })));
  }
  if (typeof ctx.realClaims.exp === "number") {
    attacks.push(bearerAttack(checkId, "exp extended by 1 day", editClaims(ctx.realToken, { exp: ctx.realClaims.exp + 86_400 })));
  }
  attacks.push(bearerAttack(checkId, "claim admin=true added", editClaims(ctx.realToken, { admin: true })));
  return attacks;
};

/** `token.signature-invalid`: the signature bytes changed, or the same bytes encoded non-canonically. */
export const signatureInvalid: AttackGenerator = async (ctx) => {
  const checkId = "token.signature-invalid";
  const t = ctx.realToken;
  const sigLength = Buffer.from(decodeToken(t).signature, "base64url").length;
  const flipped = flipSignatureBit(t, 0, 0);
  // Forgery: signature bytes that no key produced. Leniency: the genuine signature bytes spelled differently
  // (stock libraries decode base64 leniently), or followed by extra bytes; the key is still needed for them.
  const cases: Array<[string, string | undefined, Impact, string?]> = [
    ["first bit flipped", flipped, "forgery"],
    ["last byte's high bit flipped", flipSignatureBit(t, -1, 7), "forgery"],
    ["truncated by 1 byte", truncateSignature(t, 1), "forgery"],
    ["truncated by 4 characters", truncateSignatureText(t, 4), "forgery"],
    ["truncated to half", truncateSignature(t, Math.ceil(sigLength / 2)), "forgery"],
    ["all zero bytes", zeroSignature(t), "forgery"],
    ["first bit flipped, with '=' padding", paddedSignature(flipped), "forgery", "a wrong signature in a padded spelling: accepted only if padding skips the check"],
    ["first bit flipped, unused trailing bits set", nonCanonicalSignature(flipped), "forgery", "a wrong signature in a non-canonical spelling"],
    ["one extra zero byte appended", appendSignatureBytes(t, new Uint8Array([0])), "leniency", "the genuine signature followed by a byte"],
    ["signature appended twice", appendSignatureBytes(t, new Uint8Array(Buffer.from(decodeToken(t).signature, "base64url"))), "leniency", "the genuine signature, twice"],
    ["non-canonical base64url (unused trailing bits set)", nonCanonicalSignature(t), "leniency", "same signature bytes; a lenient base64 decoder accepts it (encoding malleability)"],
    ["base64url with '=' padding", paddedSignature(t), "leniency", "same signature bytes; padding is not allowed in JWS (encoding malleability)"],
    ["standard base64 alphabet (+/)", standardAlphabetSignature(t), "leniency", "same signature bytes in the wrong alphabet (encoding malleability)"],
  ];
  return cases
    .filter((c): c is [string, string, Impact, string?] => c[1] !== undefined)
    .map(([variant, token, impact, note]) => ({ ...bearerAttack(checkId, variant, token, note), impact }));
};

/** `token.signature-stripped`: `header.payload.` with an empty signature. */
export const signatureStripped: AttackGenerator = async (ctx) => [
  bearerAttack("token.signature-stripped", "empty signature (header.payload.)", stripSignature(ctx.realToken)),
];

/** The attacker key pair of the same family as `alg`, re-labelled to `alg` (e.g. the RSA pair for PS256). */
export async function attackerSignerFor(ctx: AttackContext, alg: string): Promise<{ pair: AttackerKeyPair; signer: Signer } | undefined> {
  const keys = ctx.attackerKeys;
  const pair: AttackerKeyPair | undefined =
    alg === "EdDSA" || alg === "Ed25519"
      ? keys.okp
      : alg === "ES256"
        ? keys.ec
        : alg === "ES384"
          ? keys.ecP384
          : alg === "ES512"
            ? keys.ecP521
            : /^(RS|PS)(256|384|512)$/.test(alg)
              ? keys.rsa
              : undefined;
  if (!pair) return undefined;
  const signer = pair.alg === alg ? pair.signer : await signerFromPrivateJwk({ ...pair.privateJwk, alg });
  return { pair, signer };
}

/** A fixed strong secret that is certainly not the target's (fixed material, so output is deterministic). */
const WRONG_SECRET = `authproof-wrong-key-${"0f1e2d3c4b5a69788796a5b4c3d2e1f0".repeat(2)}`;

/** `token.wrong-key`: well-formed tokens with the real header and claims, signed with a key the target does not trust. */
export const wrongKey: AttackGenerator = async (ctx) => {
  const checkId = "token.wrong-key";
  const header = realHeader(ctx);
  const alg = realAlg(ctx) ?? "HS256";
  const claims = freshClaims(ctx);
  const { alg: _alg, kid: realKid, ...rest } = header;
  if ((HMAC_ALGS as readonly string[]).includes(alg) || !(await attackerSignerFor(ctx, alg))) {
    const hmacAlg = (HMAC_ALGS as readonly string[]).includes(alg) ? alg : "HS256";
    const signer = signerFromSecret(WRONG_SECRET, hmacAlg);
    return [bearerAttack(checkId, `${hmacAlg} with another secret`, await signer.sign({ ...header, alg: hmacAlg }, claims))];
  }
  const { pair, signer } = (await attackerSignerFor(ctx, alg))!;
  const attacks = [
    bearerAttack(checkId, `${alg} attacker ${pair.privateJwk.kty} key, own kid`, await signer.sign({ ...rest, kid: pair.kid }, claims)),
  ];
  if (realKid !== undefined) {
    attacks.unshift(bearerAttack(checkId, `${alg} attacker ${pair.privateJwk.kty} key, real kid`, await signer.sign({ ...rest, kid: realKid }, claims)));
  }
  return attacks;
};

/**
 * `token.serialization`: the real signature in the JWS JSON serializations (RFC 7515 §7.2) around changed
 * claims, and the JSON/compact polyglot of CVE-2022-39227 (the JSON verifies, the dots carry other claims).
 */
export const serialization: AttackGenerator = async (ctx) => {
  const checkId = "token.serialization";
  const { segments, header } = decodeToken(ctx.realToken);
  const { header: h, payload: p, signature: s } = segments;
  const victim = ctx.victim?.id ?? `authproof-other-${deterministicTag(identityOf(ctx))}`;
  const forged = editClaims(ctx.realToken, { [ctx.expected.identityClaim]: victim });
  const fp = decodeToken(forged).segments.payload;
  const forgedClaims = decodeToken(forged).claims;
  const flattened = (payload: string) => JSON.stringify({ protected: h, payload, signature: s });
  const cases: Array<[variant: string, value: string, claims: Record<string, unknown>, impact: Impact]> = [
    ["flattened JSON, claims unchanged", flattened(p), ctx.realClaims, "leniency"],
    ["flattened JSON, claims changed", flattened(fp), forgedClaims, "forgery"],
    ["general JSON, claims changed", JSON.stringify({ payload: fp, signatures: [{ protected: h, signature: s }] }), forgedClaims, "forgery"],
    ["flattened JSON base64url-encoded, claims changed", toBase64url(flattened(fp)), forgedClaims, "forgery"],
    ["JSON/compact polyglot (CVE-2022-39227)", `{"${h}.${fp}.":"","protected":"${h}","payload":"${p}","signature":"${s}"}`, forgedClaims, "forgery"],
  ];
  return cases.map(([variant, value, claims, impact]) => ({
    checkId,
    variant,
    authorization: `Bearer ${value}`,
    expect: "reject" as const,
    impact,
    token: { header, claims },
  }));
};

/** The token checks about signatures and keys, in the order they run. */
export const signatureChecks: AttackCheck[] = [
  attackCheck({ id: "token.magic-value", budget: "dictionary", generate: magicValue }),
  attackCheck({ id: "token.guessable-secret", budget: "dictionary", generate: guessableSecret }),
  attackCheck({ id: "token.malformed", crashIsFailure: true, generate: malformed }),
  attackCheck({ id: "token.signature-tampered", generate: signatureTampered }),
  attackCheck({ id: "token.signature-invalid", generate: signatureInvalid }),
  attackCheck({ id: "token.signature-stripped", generate: signatureStripped }),
  attackCheck({ id: "token.wrong-key", generate: wrongKey }),
  attackCheck({ id: "token.serialization", generate: serialization }),
];
