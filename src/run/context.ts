import type { CheckId } from "../catalogue/checks.ts";
import { createAttackerKeys } from "../forge/attacker-keys.ts";
import { signerFromPrivateJwk, signerFromSecret, type Signer } from "../forge/signers.ts";
import { HttpDriver } from "../http/driver.ts";
import { startAttackerListener, type AttackerListener } from "../listener/attacker-listener.ts";
import type { AuditContext } from "../model/context.ts";
import type { AuditUser, TargetModel } from "../model/target.ts";
import { selectedIn } from "./selection.ts";
import { pacedBy, planPace } from "../http/pace-plan.ts";

/** A live audit context and how to end it. */
export interface LiveAuditContext extends AuditContext {
  close(): Promise<void>;
}

/** Builds the run-time context of an audit from the model the CLI prepared (`deadlineAt`: epoch ms, --max-time). */
export async function createAuditContext(model: TargetModel, deadlineAt?: number): Promise<LiveAuditContext> {
  const { config } = model;
  const driver = new HttpDriver({
    allowedOrigins: [model.apiOrigin, ...(model.authOrigin ? [model.authOrigin] : [])],
    ...pacedBy(planPace(config.rate, [config.api.baseUrl, ...(config.auth.baseUrl ? [config.auth.baseUrl] : [])])),
    timeoutMs: config.timeouts.requestMs,
    operationBudgetMs: config.timeouts.operationMs,
    ...(deadlineAt ? { deadlineAt } : {}),
  });
  const signer = await oracleSigner(model);
  const attackerKeys = await createAttackerKeys();
  const [userA, userB] = model.users as [AuditUser, AuditUser];
  const selected = selectedIn(model);
  let listener: Promise<AttackerListener> | undefined;
  const values = new Map<string, unknown>();
  const disposers: Array<() => unknown> = [];
  return {
    model,
    driver,
    ...(signer ? { signer } : {}),
    attackerKeys,
    userA,
    userB,
    selected: (checkId: CheckId) => selected(checkId),
    listener: () => (listener ??= startAttackerListener(attackerKeys)),
    shared<T>(key: string, make: () => T, dispose?: (value: T) => unknown): T {
      if (!values.has(key)) {
        const value = make();
        values.set(key, value);
        if (dispose) disposers.push(() => dispose(value));
      }
      return values.get(key) as T;
    },
    close: async () => {
      for (const dispose of disposers.reverse()) await Promise.resolve(dispose()).catch(() => undefined);
      await driver.close();
      if (listener) await (await listener).stop();
    },
  };
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
