import { createAttackerKeys } from "../forge/attacker-keys.ts";
import type { AttackContext, AttackerKeys } from "../checks/attack/types.ts";
import { signerFromPrivateJwk, signerFromSecret, type Signer } from "../forge/signers.ts";
import { HttpDriver } from "../http/driver.ts";
import { startAttackerListener } from "../listener/attacker-listener.ts";
import type { AuditUser, TargetModel } from "../model/target.ts";
import { selectedIn } from "./selection.ts";

type Listener = Awaited<ReturnType<typeof startAttackerListener>>;

/** What a suite needs at run time: the model plus live objects (driver, signer, attacker keys, listener). */
export interface AuditContext {
  model: TargetModel;
  driver: HttpDriver;
  signer?: Signer;
  attackerKeys: AttackerKeys;
  userA: AuditUser;
  userB: AuditUser;
  /** Whether --only / --skip select this check. */
  selected(checkId: string): boolean;
  /** The attacker's loopback listener for jku/x5u, started on first use. */
  listener(): Promise<Listener>;
  attackContext(): Promise<AttackContext>;
  close(): Promise<void>;
}

/** Builds the run-time context of a suite from the model the CLI provided. */
export async function createAuditContext(model: TargetModel): Promise<AuditContext> {
  const { config } = model;
  const driver = new HttpDriver({
    allowedOrigins: [model.apiOrigin, model.authOrigin],
    rps: config.rate.rps,
    concurrency: config.rate.concurrency,
    timeoutMs: config.timeouts.requestMs,
  });
  const signer = await oracleSigner(model);
  const attackerKeys = await createAttackerKeys();
  const [userA, userB] = model.users as [AuditUser, AuditUser];
  let listener: Promise<Listener> | undefined;
  let attackContext: Promise<AttackContext> | undefined;
  const context: AuditContext = {
    model,
    driver,
    signer,
    attackerKeys,
    userA,
    userB,
    selected: selectedIn(model),
    listener: () => (listener ??= startAttackerListener(attackerKeys)),
    attackContext: () =>
      (attackContext ??= (async (): Promise<AttackContext> => {
        const live = await context.listener();
        return {
          realToken: userA.token,
          realClaims: userA.claims,
          victim: { id: userB.userId, token: userB.token },
          publicJwks: model.publicJwks,
          signer,
          expected: model.expected,
          listener: { jkuUrl: live.jkuUrl, x5uUrl: live.x5uUrl },
          attackerKeys,
          nowSec: Math.floor(Date.parse(model.startedAt) / 1000),
        };
      })()),
    close: async () => {
      await driver.close();
      if (listener) await (await listener).stop();
    },
  };
  return context;
}

async function oracleSigner(model: TargetModel): Promise<Signer | undefined> {
  const { keys } = model.config;
  if (model.oracle === "private-key" && keys.privateJwk) {
    const jwk = typeof keys.privateJwk === "string" ? JSON.parse(keys.privateJwk) : keys.privateJwk;
    return signerFromPrivateJwk(jwk);
  }
  if (model.oracle === "secret" && keys.secret) return signerFromSecret(keys.secret);
  return undefined;
}
