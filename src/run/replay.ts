import type { JWK } from "jose";
import type { AttackCheck } from "../checks/attack/record.ts";
import { applyAttack } from "../checks/attack/runner.ts";
import type { Attack, AttackContext } from "../checks/attack/types.ts";
import { RECORDS } from "../checks/registry.ts";
import type { CheckId } from "../catalogue/checks.ts";
import type { AuthproofConfig } from "../config/schema.ts";
import { AuthproofError } from "../errors.ts";
import { createAttackerKeys } from "../forge/attacker-keys.ts";
import { decodeToken, encodeSegment, rawSignerFromJwk, rawSignerFromSecret, signerFromPrivateJwk, signerFromSecret, type RawSigner, type Signer } from "../forge/index.ts";
import type { HttpRequest } from "../http/types.ts";
import type { Report, Result } from "../report/schema.ts";

/** A replay that cannot be built: one line, exit 2. */
export class ReplayError extends AuthproofError<"USAGE"> {
  constructor(message: string) {
    super("USAGE", message);
  }
}

export interface ReplayOptions {
  /** The signing oracle of the audit (the same secret or private key). */
  keys: AuthproofConfig["keys"];
  mode: AuthproofConfig["mode"];
  /** Which variant (default: the one the result's reproduce line sends). */
  variant?: string;
  /** A valid token of user A from the target now: the base of the attacks when there is no oracle. */
  realToken?: string;
  /** Re-mint with the current time instead of the audit's clock (the exact token has usually expired). */
  fresh?: boolean;
  now?: Date;
}

export interface Replay {
  result: Result;
  request: HttpRequest;
  /** `$AUTHPROOF_…` variable → value, as the reproduce line names them. */
  variables: Record<string, string>;
  /** The command with the variables: the result's reproduce line. */
  command: string;
  /** What is exact and what is not, one line each. */
  notes: string[];
}

/**
 * Rebuilds a result's request locally: the audit's users' real tokens are re-signed from their decoded claims
 * with the oracle (deterministic signatures, so the same bytes when the algorithm is the oracle's), and, for a
 * token or claims check, its attack variants are generated again from them at the audit's clock (`startedAt`)
 * and the result's variant picked. Tokens signed with the audit's throw-away attacker keys, or pointing at its
 * jku / x5u listener, or built from mined candidates, cannot be the same bytes again: the notes say so.
 */
export async function buildReplay(report: Report, id: string, options: ReplayOptions): Promise<Replay> {
  const result = findResult(report, id);
  if (!result.reproduce || !result.evidence?.exchanges[0]) throw new ReplayError(`${result.id}: nothing to replay (a ${result.status} result has no request to reproduce)`);
  const evidence = result.evidence.exchanges[0].request;
  const notes: string[] = [];
  const raw = rawOracle(options);
  const signer = await oracleSigner(options);
  const basis = report.replayBasis;
  const userTokens = new Map<string, string>();
  for (const user of basis?.users ?? []) {
    if (raw && raw.alg === user.header.alg) {
      const input = `${encodeSegment(user.header)}.${encodeSegment(user.claims)}`;
      userTokens.set(user.label, `${input}.${raw.sign(input)}`);
    }
  }
  if (options.realToken) userTokens.set("A", options.realToken);

  const record = RECORDS.get(result.checkId as CheckId) as Partial<AttackCheck> | undefined;
  const variables: Record<string, string> = {};
  let request: HttpRequest = { method: evidence.method, url: evidence.url, headers: withoutCredentials(evidence.headers), ...(evidence.body !== undefined ? { body: evidence.body } : {}) };
  const placeholders = result.replay?.placeholders ?? {};

  if (record?.spec && result.replay?.variant !== undefined) {
    const realToken = userTokens.get("A");
    if (!realToken) throw new ReplayError(`${result.id}: re-minting needs the audit's signing key (BETTER_AUTH_SECRET or AUTHPROOF_PRIVATE_JWK) or --real-token <a valid token of user A>`);
    const nowSec = Math.floor((options.fresh ? (options.now ?? new Date()).getTime() : Date.parse(report.startedAt)) / 1000);
    const victim = basis?.users.find((u) => u.label === "B");
    const ctx: AttackContext = {
      realToken,
      realClaims: decodeToken(realToken).claims as Record<string, unknown>,
      ...(victim ? { victim: { id: victim.userId, token: userTokens.get("B") ?? realToken } } : {}),
      publicJwks: (basis?.publicJwks ?? []) as JsonWebKey[],
      ...(signer ? { signer } : {}),
      expected: (basis?.expected ?? { identityClaim: "sub", leewaySec: 60 }) as AttackContext["expected"],
      listener: { jkuUrl: "http://127.0.0.1:9/jwks.json", x5uUrl: "http://127.0.0.1:9/x5u.pem" },
      attackerKeys: await createAttackerKeys(),
      nowSec,
      candidates: [],
    };
    const wanted = options.variant ?? result.replay.variant;
    const attacks = await record.spec.generate(ctx, {});
    const attack = attacks.find((a) => a.variant === wanted);
    if (!attack) {
      throw new ReplayError(
        `${result.id}: variant "${wanted}" cannot be made again here (${attacks.length} variants re-made; it may come from values mined with --source, or depend on the route); variants: ${attacks.slice(0, 8).map((a) => a.variant).join(" | ")}${attacks.length > 8 ? " | …" : ""}`,
      );
    }
    request = applyAttack(request, attack);
    const tokens = attackTokens(attack);
    tokens.forEach((token, i) => (variables[i === 0 ? "AUTHPROOF_TOKEN" : `AUTHPROOF_TOKEN_${i + 1}`] = token));
    notes.push(...exactness(attack, record.spec.needs?.listener === true, tokens[0], evidence.headers, options));
  } else if (Object.values(placeholders).includes("forged")) {
    throw new ReplayError(`${result.id}: ${result.checkId} is not a token or claims attack, so its token cannot be re-minted; its reproduce line shows the request`);
  }

  for (const [name, what] of Object.entries(placeholders)) {
    if (variables[name]) continue;
    const user = /^user (A|B)$/.exec(what)?.[1];
    const token = user ? userTokens.get(user) : undefined;
    if (token) {
      variables[name] = token;
      request = withCredential(request, evidence, name, token);
    } else {
      notes.push(`$${name} (${what}): cannot be re-made offline; set it yourself (${what.startsWith("session") ? "sign in as a test user and copy the session cookie" : "a valid token of that user"})`);
    }
  }
  if (!options.realToken && !raw && Object.values(placeholders).some((p) => p.startsWith("user"))) notes.push("no signing key given: user tokens cannot be re-signed");
  if ((basis?.users ?? []).length > 0) notes.push("the audit's test users were deleted when it ended: a target that looks users up will refuse their tokens now");
  return { result, request, variables, command: result.reproduce, notes };
}

function findResult(report: Report, id: string): Result {
  const direct = report.results.find((r) => r.id === id);
  if (direct) return direct;
  const finding = report.findings.find((f) => f.id === id);
  const viaFinding = finding && report.results.find((r) => r.id === finding.resultIds[0]);
  if (viaFinding) return viaFinding;
  const failed = report.results.filter((r) => r.status === "fail").map((r) => r.id);
  throw new ReplayError(`no result "${id}" in the report (failed results: ${failed.slice(0, 5).join(", ") || "none"}${failed.length > 5 ? ", …" : ""})`);
}

function rawOracle(options: ReplayOptions): RawSigner | undefined {
  if (options.mode === "shared-secret" && options.keys.secret) return rawSignerFromSecret(options.keys.secret);
  const jwk = privateJwk(options);
  return jwk ? rawSignerFromJwk(jwk) : undefined;
}

async function oracleSigner(options: ReplayOptions): Promise<Signer | undefined> {
  if (options.mode === "shared-secret" && options.keys.secret) return signerFromSecret(options.keys.secret);
  const jwk = privateJwk(options);
  return jwk ? signerFromPrivateJwk(jwk) : undefined;
}

function privateJwk(options: ReplayOptions): JWK | undefined {
  const { privateJwk: value } = options.keys;
  if (!value) return undefined;
  return (typeof value === "string" ? JSON.parse(value) : value) as JWK;
}

function withoutCredentials(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"));
}

/** The credential of each Authorization header the attack sends (the part after the scheme). */
function attackTokens(attack: Attack): string[] {
  const values = attack.authorization === null ? [] : Array.isArray(attack.authorization) ? attack.authorization : [attack.authorization];
  return values.map((v) => /^\S+\s+(\S.*)$/.exec(v)?.[1] ?? v).filter((v) => v.length >= 8);
}

/** Puts a user's token where the evidence had it (its Authorization header). */
function withCredential(request: HttpRequest, evidence: { headers: Record<string, string | string[]> }, _name: string, token: string): HttpRequest {
  const had = Object.entries(evidence.headers).find(([name]) => name.toLowerCase() === "authorization")?.[1];
  const scheme = typeof had === "string" ? (/^(\S+)\s/.exec(had)?.[1] ?? "Bearer") : "Bearer";
  return { ...request, headers: { ...request.headers, authorization: `${scheme} ${token}` } };
}

/** Whether the re-minted token is the audit's: its shortened form in the evidence ends like it. */
function exactness(attack: Attack, usesListener: boolean, token: string | undefined, headers: Record<string, string | string[]>, options: ReplayOptions): string[] {
  const notes: string[] = [];
  if (options.fresh) notes.push("re-minted with the current time (--fresh): the same attack, not the audit's exact token");
  if (usesListener) notes.push("this variant points at the audit's jku / x5u listener, which is not running: the URL is a placeholder");
  const sent = Object.entries(headers).find(([name]) => name.toLowerCase() === "authorization")?.[1];
  const shown = typeof sent === "string" ? sent : sent?.[0];
  const tail = shown?.match(/…(\S{1,6})$/)?.[1];
  if (token && tail && !options.fresh) {
    notes.push(
      token.endsWith(tail)
        ? `exact: the same token the audit sent (ends …${tail})`
        : `not the same bytes as the audit's token (…${tail}): ${/attacker|jwk|embedded|kid|confusion/i.test(attack.variant) ? "it is signed with the audit's throw-away attacker key" : "built from another base token or clock"}; the attack is the same`,
    );
  }
  return notes;
}
