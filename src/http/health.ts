/**
 * Notices that a target stopped answering: an origin whose connections keep failing (refused or reset) with no
 * answer in between is marked stopped, and the driver sends it nothing more. Tuned so that stray resets never
 * trip it: the streak must hold at least one refusal (nothing listens any more) and `failures` failures within
 * `windowMs`; a streak of resets alone needs `resetsOnly` failures. Any answer, whatever its status, ends a streak.
 */
export interface StopPolicy {
  /** Failures in a row (at least one a refusal) that mark an origin stopped (default 5). */
  failures: number;
  /** Failures in a row, all resets, that mark an origin stopped (default 20). */
  resetsOnly: number;
  /** The streak counts only failures this recent (default 10 s). */
  windowMs: number;
}

export const DEFAULT_STOP_POLICY: StopPolicy = { failures: 5, resetsOnly: 20, windowMs: 10_000 };

type Failure = { at: number; kind: "refused" | "reset" };

export class OriginHealth {
  private readonly streaks = new Map<string, Failure[]>();
  private readonly stopped = new Map<string, string>();

  constructor(
    private readonly policy: StopPolicy = DEFAULT_STOP_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  /** The origin answered (any status). */
  answered(origin: string): void {
    this.streaks.delete(origin);
  }

  /** A connection to the origin failed before any answer. */
  failed(origin: string, kind: "refused" | "reset"): void {
    if (this.stopped.has(origin)) return;
    const now = this.now();
    const streak = (this.streaks.get(origin) ?? []).filter((f) => now - f.at <= this.policy.windowMs);
    streak.push({ at: now, kind });
    this.streaks.set(origin, streak);
    const refusals = streak.filter((f) => f.kind === "refused").length;
    if ((refusals > 0 && streak.length >= this.policy.failures) || streak.length >= this.policy.resetsOnly) {
      this.stopped.set(origin, `${streak.length} connections in a row failed (${refusals} refused, ${streak.length - refusals} reset)`);
      this.streaks.delete(origin);
    }
  }

  /** Why the origin counts as stopped, or undefined while it still answers. */
  stoppedBecause(origin: string): string | undefined {
    return this.stopped.get(origin);
  }

  /** The origins marked stopped, in the order they stopped. */
  stoppedOrigins(): string[] {
    return [...this.stopped.keys()];
  }
}
