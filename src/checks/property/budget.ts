import type { TargetModel } from "../../model/target.ts";

/** The property checks and their defaults: runs, and the requests one run sends at most. */
export const PROPERTY_DEFAULTS = {
  "property.token-rejection": { runs: 200, requestsPerRun: 1 },
  "property.token-acceptance": { runs: 50, requestsPerRun: 1 },
  // A command sequence: up to MAX_COMMANDS commands, each followed by both users' list views, then cleanup.
  "property.isolation-model": { runs: 25, requestsPerRun: 0 },
  "property.header-fuzz": { runs: 100, requestsPerRun: 1 },
} as const;

export type PropertyId = keyof typeof PROPERTY_DEFAULTS;

/** Longest command sequence of the isolation property. */
export const MAX_COMMANDS = 8;
const ISOLATION_REQUESTS_PER_RUN = MAX_COMMANDS * 3 + MAX_COMMANDS;

/** Requests allowed beyond the runs themselves, for shrinking a counterexample: the budget is runs × per-run × this. */
export const SHRINK_FACTOR = 4;

export interface PropertySettings {
  /** fast-check seed: --seed, or the run's seed. */
  seed: number;
  numRuns: number;
  /** Most requests the property may send, shrinking included. */
  budget: number;
}

/** Seed, runs (--runs overrides the default) and request budget of one property. */
export function propertySettings(model: TargetModel, checkId: PropertyId): PropertySettings {
  const defaults = PROPERTY_DEFAULTS[checkId];
  const numRuns = model.config.run.runs ?? defaults.runs;
  const perRun = checkId === "property.isolation-model" ? ISOLATION_REQUESTS_PER_RUN : defaults.requestsPerRun;
  return { seed: model.config.run.seed ?? model.seed, numRuns, budget: numRuns * perRun * SHRINK_FACTOR };
}

/** Counts the requests a property sends; once spent, the remaining runs pass without sending. */
export class RequestBudget {
  used = 0;
  /** Runs that could not send because the budget was spent. */
  starved = 0;

  constructor(readonly limit: number) {}

  /** Reserves `n` requests; false (and nothing reserved) when that would exceed the limit. */
  take(n = 1): boolean {
    if (this.used + n > this.limit) {
      this.starved += 1;
      return false;
    }
    this.used += n;
    return true;
  }

  /** Gives back requests reserved but not sent. */
  refund(n = 1): void {
    this.used = Math.max(0, this.used - n);
  }

  get exhausted(): boolean {
    return this.starved > 0;
  }
}
