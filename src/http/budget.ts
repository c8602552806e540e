/**
 * Per-operation time budgets: how long each operation (method + path template) has kept the run busy, counted
 * as the time during which at least one of its requests was in flight or waiting out a 429 (overlapping
 * requests count once). Once an operation has used its budget, the driver sends it nothing more.
 */
export class OperationBudgets {
  private readonly usage = new Map<string, { busyMs: number; active: number; since: number }>();

  constructor(
    readonly budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Milliseconds the operation has used so far. */
  used(key: string): number {
    const entry = this.usage.get(key);
    if (!entry) return 0;
    return entry.busyMs + (entry.active > 0 ? this.now() - entry.since : 0);
  }

  /** Whether the operation has used its whole budget. */
  exhausted(key: string): boolean {
    return this.budgetMs > 0 && this.used(key) >= this.budgetMs;
  }

  /** Marks one request of the operation busy; call the returned function exactly once when it is done. */
  begin(key: string): () => void {
    let entry = this.usage.get(key);
    if (!entry) this.usage.set(key, (entry = { busyMs: 0, active: 0, since: 0 }));
    if (entry.active === 0) entry.since = this.now();
    entry.active += 1;
    let ended = false;
    const current = entry;
    return () => {
      if (ended) return;
      ended = true;
      current.active -= 1;
      if (current.active === 0) current.busyMs += this.now() - current.since;
    };
  }
}
