import { toBase64url } from "../../forge/base64url.ts";
import { decodeToken } from "../../forge/token.ts";
import { rawSignerFromEd25519Seed, rawSignerFromSecret, type RawSigner } from "../../forge/raw.ts";
import { applyMutations, type ByteMutation, describeMutation } from "./arbitraries/mutation.ts";

/*
 * A generated token is a recipe, not bytes: a base (a user's real header and claims), edits on top of it,
 * how it is signed and which bytes are mutated afterwards. Values that depend on the run (user ids, the
 * clock, the expected issuer) stay symbolic until rendering, so one seed describes the same token on every
 * run and the description reads the same in every report.
 */

export type Who = "A" | "B";

/** How a string taken from the target (a user id, the issuer) is bent. */
export type StringEdit = "prefix" | "superstring" | "upper" | "padded" | "in-array";

/** A value before rendering. */
export type Sym =
  | { kind: "literal"; value: unknown }
  | { kind: "user"; who: Who; edit?: StringEdit }
  | { kind: "time"; offset: number }
  | { kind: "issuer"; edit?: StringEdit }
  | { kind: "audience"; edit?: StringEdit };

/** One change to an ordered JSON object: set (the last member of that name, or append), delete, or append a duplicate member. */
export type Edit = { op: "set"; name: string; value: Sym } | { op: "delete"; name: string } | { op: "duplicate"; name: string; value: Sym };

export type SignatureSpec =
  | { kind: "oracle" }
  | { kind: "original" }
  | { kind: "empty" }
  | { kind: "bytes"; bytes: number[] }
  | { kind: "hmac"; alg: "HS256" | "HS384" | "HS512"; key: string }
  | { kind: "ed25519"; seed: number[] };

export interface TokenSpec {
  /** Whose real token the header and claims start from. */
  base: Who;
  header: Edit[];
  claims: Edit[];
  signature: SignatureSpec;
  mutations: ByteMutation[];
}

/** What rendering needs from the run. */
export interface TokenEnv {
  nowSec: number;
  users: Record<Who, { id: string; token: string; header: Record<string, unknown>; claims: Record<string, unknown> }>;
  issuer?: string;
  audience?: string;
  identityClaim: string;
  oracle?: RawSigner;
}

/** An ordered JSON object that may repeat member names. */
export type Entries = Array<[string, unknown]>;

/** A rendered token and what it carries. */
export interface RenderedToken {
  spec: TokenSpec;
  token: string;
  /** The token before byte mutations. */
  unmutated: string;
  headerEntries: Entries;
  claimsEntries: Entries;
  /** Last-member-wins views (what RFC 7515 §4 / RFC 7519 §4 allow a parser to see). */
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** The base header and claims of a user: the real token's, with fresh time claims and symbolic identity values. */
export function baseEntries(env: TokenEnv, who: Who): { header: Array<[string, Sym]>; claims: Array<[string, Sym]> } {
  const user = env.users[who];
  const header = Object.entries(user.header).map(([name, value]): [string, Sym] => [name, { kind: "literal", value }]);
  const claims: Array<[string, Sym]> = [];
  const realExp = numberOr(user.claims.exp, env.nowSec + 900);
  const realIat = numberOr(user.claims.iat, env.nowSec);
  const lifetime = Math.max(300, Math.min(3600, realExp - realIat));
  for (const [name, value] of Object.entries(user.claims)) {
    if (name === "exp") claims.push([name, { kind: "time", offset: lifetime }]);
    else if (name === "iat") claims.push([name, { kind: "time", offset: -5 }]);
    else if (name === "nbf") claims.push([name, { kind: "time", offset: -5 }]);
    else if (name === "iss" && env.issuer !== undefined) claims.push([name, { kind: "issuer" }]);
    else if (name === "aud" && env.audience !== undefined) claims.push([name, { kind: "audience" }]);
    else if (value === user.id) claims.push([name, { kind: "user", who }]);
    else claims.push([name, { kind: "literal", value }]);
  }
  const ensure = (name: string, value: Sym) => {
    if (!claims.some(([n]) => n === name)) claims.push([name, value]);
  };
  ensure(env.identityClaim, { kind: "user", who });
  ensure("exp", { kind: "time", offset: lifetime });
  if (env.issuer !== undefined) ensure("iss", { kind: "issuer" });
  if (env.audience !== undefined) ensure("aud", { kind: "audience" });
  return { header, claims };
}

/** Renders a recipe into a compact token (symbols resolved against `env`, signed, then mutated). */
export function renderToken(spec: TokenSpec, env: TokenEnv): RenderedToken {
  const base = baseEntries(env, spec.base);
  const headerEntries = resolveEntries(applyEdits(base.header, spec.header), env);
  const claimsEntries = resolveEntries(applyEdits(base.claims, spec.claims), env);
  const signingInput = `${toBase64url(entriesJson(headerEntries))}.${toBase64url(entriesJson(claimsEntries))}`;
  const unmutated = `${signingInput}.${signatureFor(spec, env, signingInput)}`;
  return {
    spec,
    token: applyMutations(unmutated, spec.mutations),
    unmutated,
    headerEntries,
    claimsEntries,
    header: lastWins(headerEntries),
    claims: lastWins(claimsEntries),
  };
}

function signatureFor(spec: TokenSpec, env: TokenEnv, signingInput: string): string {
  const sig = spec.signature;
  switch (sig.kind) {
    case "oracle":
      // Without an oracle there is no trusted key: an attacker key of the same kind stands in.
      return (env.oracle ?? rawSignerFromSecret("authproof-no-oracle")).sign(signingInput);
    case "original":
      return decodeToken(env.users[spec.base].token).signature;
    case "empty":
      return "";
    case "bytes":
      return toBase64url(Uint8Array.from(sig.bytes));
    case "hmac":
      return rawSignerFromSecret(sig.key, sig.alg).sign(signingInput);
    case "ed25519":
      return rawSignerFromEd25519Seed(Uint8Array.from(sig.seed)).sign(signingInput);
  }
}

/** Applies edits to ordered entries (values stay symbolic). */
export function applyEdits(entries: Array<[string, Sym]>, edits: Edit[]): Array<[string, Sym]> {
  let out = entries.slice();
  for (const edit of edits) {
    if (edit.op === "delete") out = out.filter(([name]) => name !== edit.name);
    else if (edit.op === "duplicate") out.push([edit.name, edit.value]);
    else {
      const index = out.map(([name]) => name).lastIndexOf(edit.name);
      if (index >= 0) out[index] = [edit.name, edit.value];
      else out.push([edit.name, edit.value]);
    }
  }
  return out;
}

function resolveEntries(entries: Array<[string, Sym]>, env: TokenEnv): Entries {
  return entries.map(([name, value]) => [name, resolveSym(value, env)]);
}

/** The concrete JSON value of a symbol. */
export function resolveSym(sym: Sym, env: TokenEnv): unknown {
  switch (sym.kind) {
    case "literal":
      return sym.value;
    case "time":
      return env.nowSec + sym.offset;
    case "user":
      return bend(env.users[sym.who].id, sym.edit);
    case "issuer":
      return bend(env.issuer ?? "", sym.edit);
    case "audience":
      return bend(env.audience ?? "", sym.edit);
  }
}

function bend(value: string, edit: StringEdit | undefined): unknown {
  switch (edit) {
    case undefined:
      return value;
    case "prefix":
      return value.slice(0, Math.max(0, value.length - 1));
    case "superstring":
      return `${value}x`;
    case "upper":
      return value === value.toUpperCase() ? value.toLowerCase() : value.toUpperCase();
    case "padded":
      return ` ${value}`;
    case "in-array":
      return [value];
  }
}

/** JSON text of ordered entries, repeated names kept (JSON.stringify cannot write duplicates). */
export function entriesJson(entries: Entries): string {
  return `{${entries.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value) ?? "null"}`).join(",")}}`;
}

/** The object a last-member-wins parser sees. */
export function lastWins(entries: Entries): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of entries) {
    if (name === "__proto__") Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    else out[name] = value;
  }
  return out;
}

/** Names that appear more than once. */
export function duplicatedNames(entries: Entries): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const [name] of entries) (seen.has(name) ? dup : seen).add(name);
  return [...dup];
}

/** A run-independent, human-readable description of a recipe (same seed → same text). */
export function describeSpec(spec: TokenSpec): string {
  const parts = [`base: ${spec.base}'s token`];
  if (spec.header.length) parts.push(`header: ${spec.header.map(describeEdit).join(", ")}`);
  if (spec.claims.length) parts.push(`claims: ${spec.claims.map(describeEdit).join(", ")}`);
  parts.push(`signature: ${describeSignature(spec.signature)}`);
  if (spec.mutations.length) parts.push(`bytes: ${spec.mutations.map(describeMutation).join(", ")}`);
  return parts.join("; ");
}

function describeEdit(edit: Edit): string {
  const name = JSON.stringify(edit.name);
  if (edit.op === "delete") return `-${name}`;
  return `${edit.op === "duplicate" ? "+dup " : ""}${name}=${describeSym(edit.value)}`;
}

/** A symbol as text: `A`, `now-65`, `<issuer>+"x"`, or JSON for literals. */
export function describeSym(sym: Sym): string {
  const edited = (text: string, edit?: StringEdit) => (edit ? `${edit}(${text})` : text);
  switch (sym.kind) {
    case "literal":
      return clip(JSON.stringify(sym.value) ?? "undefined");
    case "time":
      return sym.offset >= 0 ? `now+${sym.offset}` : `now${sym.offset}`;
    case "user":
      return edited(`id(${sym.who})`, sym.edit);
    case "issuer":
      return edited("<issuer>", sym.edit);
    case "audience":
      return edited("<audience>", sym.edit);
  }
}

function describeSignature(sig: SignatureSpec): string {
  switch (sig.kind) {
    case "oracle":
      return "trusted key";
    case "original":
      return "the real token's signature";
    case "empty":
      return "empty";
    case "bytes":
      return `${sig.bytes.length} arbitrary bytes`;
    case "hmac":
      return `${sig.alg} with key ${clip(JSON.stringify(sig.key))}`;
    case "ed25519":
      return "an attacker Ed25519 key";
  }
}

function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

