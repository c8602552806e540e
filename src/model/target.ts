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

/** How one protected operation is probed: the request without credentials, and its controls. */
export interface Probe {
  op: Operation;
  /** The request to send, without Authorization. Read probes target A's real object; write probes a nonexistent one. */
  request: HttpRequest;
  kind: "read" | "write";
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

/** A non-public operation as it answered a request without any token. */
export interface AnonymousProbe {
  op: Operation;
  request: HttpRequest;
  exchange: Exchange;
}

export type OracleKind = "secret" | "private-key" | "none";

/**
 * Everything the harness learned about the target before attacking it. Plain JSON: the CLI builds it once
 * and hands it to the suites (vitest `provide`/`inject`).
 */
export interface TargetModel {
  config: AuthproofConfig;
  seed: number;
  startedAt: string;
  apiOrigin: string;
  authOrigin: string;
  oracle: OracleKind;
  publicJwks: JsonWebKey[];
  /** The JWKS document as served (for secret.jwks-private), when the mode has one. */
  jwksDocument?: unknown;
  expected: { issuer?: string; audience?: string; identityClaim: string; leewaySec: number };
  users: AuditUser[];
  operations: Operation[];
  resources: Resource[];
  objects: CreatedObject[];
  probes: Probe[];
  /** Every non-public operation sent without a token, for transport.unprotected-route. */
  anonymous: AnonymousProbe[];
  warnings: string[];
}
