/**
 * Concurrency that follows the target (`--rps auto`): it starts low and grows while the target's latency stays
 * near the best it has shown and nothing is refused, and halves on a 429, a burst of 5xx or a latency climb
 * (additive increase, multiplicative decrease, judged once per window of answers).
 */
export class AdaptiveConcurrency {
  static readonly START = 4;
  static readonly WINDOW = 16;
  /** A window's median latency this many times the best median seen is growth: back off. */
  static readonly SLOWDOWN = 2;
  /** Grow only while the median stays within this factor of the best. */
  static readonly FLAT = 1.5;
  /** Share of 5xx answers in a window that counts as a spike. */
  static readonly SERVER_ERRORS = 0.25;

  private current: number;
  private best = Number.POSITIVE_INFINITY;
  private latencies: number[] = [];
  private limited = 0;
  private serverErrors = 0;
  /** Highest limit reached. */
  peak: number;

  constructor(readonly max: number) {
    this.current = Math.min(max, AdaptiveConcurrency.START);
    this.peak = this.current;
  }

  get limit(): number {
    return this.current;
  }

  /** One answer: its latency and status. */
  observe(latencyMs: number, status: number): void {
    this.latencies.push(latencyMs);
    if (status === 429) this.limited++;
    if (status >= 500) this.serverErrors++;
    if (this.latencies.length < AdaptiveConcurrency.WINDOW) return;
    const median = [...this.latencies].sort((a, b) => a - b)[this.latencies.length >> 1]!;
    const spike = this.limited > 0 || this.serverErrors / this.latencies.length > AdaptiveConcurrency.SERVER_ERRORS;
    if (spike || median > this.best * AdaptiveConcurrency.SLOWDOWN) this.current = Math.max(1, Math.floor(this.current / 2));
    else if (median <= this.best * AdaptiveConcurrency.FLAT) this.current = Math.min(this.max, this.current + 2);
    this.best = Math.min(this.best, median);
    this.peak = Math.max(this.peak, this.current);
    this.latencies = [];
    this.limited = 0;
    this.serverErrors = 0;
  }
}
