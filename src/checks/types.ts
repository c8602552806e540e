import type { CheckId } from "../catalogue/checks.ts";
import type { CheckOutcome, Endpoint } from "../judge/types.ts";
import type { AuditContext } from "../model/context.ts";
import type { TargetModel } from "../model/target.ts";

/**
 * What a check needs before it can run. An unmet need makes the check `skip` with the need's reason, before
 * anything is sent.
 */
export interface Needs {
  /** A signing oracle: the shared secret, or a private key the target trusts. */
  oracle?: boolean;
  /** The target's public keys (served as a JWKS). */
  publicKeys?: boolean;
  /** The attacker's loopback listener; the check fails if the listener sees any fetch. */
  listener?: boolean;
  /** Better Auth itself (sessions, cookies, its pages): not there when the audit mints its identities. */
  betterAuth?: boolean;
  /** A backend that takes JWTs: not there in session mode, where it takes Better Auth's session tokens. */
  jwt?: boolean;
}

/**
 * What the acceptance of one variant means (SPEC §2): a token made without the key let in (forgery), a
 * validly signed token that must be refused (claims), or the same valid signature or claims spelled
 * differently (leniency: hardening advice).
 */
export type Impact = "forgery" | "claims" | "leniency";

/**
 * Where a check runs in an audit: the units (operations, resources, CORS targets, or the audit itself) it
 * judges one by one. Checks that share a scope run side by side on each unit, in registry order.
 */
export interface Scope<Unit> {
  readonly name: string;
  units(model: TargetModel): Unit[];
  /** A test title for the unit. */
  label(unit: Unit): string;
  /** The endpoint a skip on this unit names, when it has one. */
  endpoint(unit: Unit): Endpoint | undefined;
}

/** One check's implementation: its catalogue id, what it needs, where it runs and how. */
export interface CheckRecord<Unit = unknown> {
  readonly id: CheckId;
  readonly needs?: Needs;
  readonly scope: Scope<Unit>;
  /** In a concurrent family, runs alone (after the checks declared before it, before those after): it changes what they read. */
  readonly exclusive?: boolean;
  /** Judges one unit; an empty list means the check does not apply to it (nothing is recorded). */
  run(ctx: AuditContext, unit: Unit): Promise<CheckOutcome | CheckOutcome[]>;
}

/** A check record with its unit type inferred from its scope. */
export function check<Unit>(record: CheckRecord<Unit>): CheckRecord<Unit> {
  return record;
}

/** The same checks, each needing a JWT backend (JWT attacks do not apply in session mode). */
export function jwtOnly<T extends CheckRecord<any>>(records: readonly T[]): T[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return records.map((record) => ({ ...record, needs: { ...record.needs, jwt: true } }));
}

/** A check family: the checks of one folder under src/checks/, run by one suite file. */
export interface Family {
  readonly name: string;
  /**
   * The family's checks change nothing another of its checks reads (attacks on probes aimed at ids that do
   * not exist or at the audit's own objects), so they may run at once; the shared driver still bounds the
   * requests in flight. Families that create, change or sign out (isolation, session, browser) run in order.
   */
  readonly concurrent?: boolean;
  // Each check has its own unit type; the suite hands every check the units of its own scope.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly checks: readonly CheckRecord<any>[];
}
