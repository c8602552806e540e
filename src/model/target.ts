import type { Exchange, HttpRequest } from "../http/types.ts";
import type { Controls } from "../judge/types.ts";
import type { Operation } from "../target/openapi.ts";
import type { Resource } from "../target/resources.ts";
import type { AuthproofConfig } from "../config/schema.ts";

/** A test user: signed up (or signed in) through Better Auth, with a backend JWT issued by the target. */
export interface AuditUser {
  label: "A" | "B";
  userId: string;
  email: string;
  password: string;
  sessionToken: string;
  /** Raw Set-Cookie headers of the sign-in / sign-up answer. */
  cookies: string[];
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Signed up by this audit (not a configured account): the audit deletes it at the end, where the target allows. */
  createdByAudit?: boolean;
}

/** What a state-changing probe may touch: the only kinds of write the audit sends by default. */
export type WriteAim = "an id that does not exist" | "a new object of the audit" | "a body that cannot be applied" | "opted in (--allow-destructive)";

/** How one protected operation is probed: the request without credentials, and its controls. */
export interface Probe {
  op: Operation;
  /** The request to send, without Authorization. Read probes target A's real object; write probes a nonexistent one. */
  request: HttpRequest;
  kind: "read" | "write";
  /** What a write probe is aimed at. */
  aim?: WriteAim;
  controls: Controls;
}

/** An object the harness created for the isolation checks, cleaned up at the end. */
export interface CreatedObject {
  resource: string;
  owner: "A" | "B";
  id: string;
  url: string;
  body: unknown;
  created: unknown;
}

/** A non-public operation as it answered a request without any token, or why it was not sent. */
export interface AnonymousProbe {
  op: Operation;
  request: HttpRequest;
  exchange?: Exchange;
  /** User A's valid token on the same request, when the probe sent it. */
  withToken?: Exchange;
  /** Why the request was not sent (it would change data the audit did not create). */
  skipped?: string;
}

export type OracleKind = "secret" | "private-key" | "none";

/**
 * A value the target's own material suggests as a backdoor bearer token or a signing secret (mined from the
 * OpenAPI document, error answers and the `--source` files). `source` names where it was found:
 * `openapi: components.securitySchemes.HTTPBearer.description`, `response: GET /api/tasks 401`,
 * `file: .env.example:6`. Values from files are never shown in full (see `candidateLabel`).
 */
export interface Candidate {
  value: string;
  kind: "bearer" | "secret";
  source: string;
}

/**
 * Everything the harness learned about the target before attacking it. Plain JSON: the CLI builds it once
 * and hands it to the suites (the suite worker's data, see suite-protocol.ts).
 */
export interface TargetModel {
  config: AuthproofConfig;
  seed: number;
  startedAt: string;
  apiOrigin: string;
  /** Better Auth's origin; absent when the audit mints its identities without Better Auth. */
  authOrigin?: string;
  /** Where the users came from: Better Auth (signed up or in), or minted with the signing key. */
  identities: "better-auth" | "minted";
  oracle: OracleKind;
  publicJwks: JsonWebKey[];
  /** The JWKS document as served (for secret.jwks-private), when the mode has one. */
  jwksDocument?: unknown;
  expected: { issuer?: string; audience?: string; identityClaim: string; leewaySec: number; requireKnownSubject?: boolean };
  users: AuditUser[];
  operations: Operation[];
  resources: Resource[];
  objects: CreatedObject[];
  /** Item URLs of objects requests created by accident during preparation (deleted at the end). */
  strays: string[];
  probes: Probe[];
  /** Every non-public operation sent without a token, for transport.unprotected-route. */
  anonymous: AnonymousProbe[];
  /** Backdoor tokens and secrets mined from the target's material (token.magic-value, token.guessable-secret, secret.strength). */
  candidates: Candidate[];
  warnings: string[];
}
