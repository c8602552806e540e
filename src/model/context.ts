import type { CheckId } from "../catalogue/checks.ts";
import type { AttackerKeys } from "../forge/attacker-keys.ts";
import type { Signer } from "../forge/signers.ts";
import type { HttpDriver } from "../http/driver.ts";
import type { AttackerListener } from "../listener/attacker-listener.ts";
import type { AuditUser, TargetModel } from "./target.ts";

/**
 * What a check sees while it runs: the target model plus the live objects of the audit. One context serves
 * the whole audit (one driver and one pace, one set of attacker keys, one listener), so checks of different
 * families share what they build through `shared`.
 */
export interface AuditContext {
  model: TargetModel;
  driver: HttpDriver;
  /** The signing oracle: the shared secret or a private key the target trusts; undefined for a black box. */
  signer?: Signer;
  attackerKeys: AttackerKeys;
  userA: AuditUser;
  userB: AuditUser;
  /** Whether --only / --skip select this check. */
  selected(checkId: CheckId): boolean;
  /** The attacker's loopback listener for jku/x5u, started on first use. */
  listener(): Promise<AttackerListener>;
  /**
   * A value made once per audit and shared by every check that asks for the same key (the cookie scene, one
   * CORS probe run per target, the browser session). `dispose` runs when the audit ends.
   */
  shared<T>(key: string, make: () => T, dispose?: (value: T) => unknown): T;
}
