import type { AdaptiveConcurrency } from "./adaptive.ts";

/**
 * The pace of one origin under rate limiting. Each answer feeds a moving average of how often the origin
 * answers 429; the origin may have `ceil(maxInFlight × (1 − rate/2))` requests in flight, so its pace drops in
 * proportion to its 429 rate (to half at worst) and recovers as answers come back without 429. Other origins
 * have their own pace and never wait for this one. Retries go to the front of the queue.
 */
export class OriginPace {
  /** Weight of the newest answer in the moving 429 rate. */
  static readonly ALPHA = 0.1;
  private rate429 = 0;
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(
    readonly maxInFlight: number,
    /** Under `--rps auto`: the target's latency and refusals set how many go at once. */
    readonly adaptive?: AdaptiveConcurrency,
  ) {}

  /** The moving share of answers that were 429 (0..1). */
  get limitedRate(): number {
    return this.rate429;
  }

  /** Requests this origin may have in flight now. */
  get limit(): number {
    const ceiling = this.adaptive ? Math.min(this.maxInFlight, this.adaptive.limit) : this.maxInFlight;
    return Math.max(1, Math.ceil(ceiling * (1 - this.rate429 / 2)));
  }

  /** Resolves when the origin may take one more request; call the returned release exactly once. */
  async acquire(retry = false): Promise<() => void> {
    if (this.active >= this.limit || this.waiters.length > 0) {
      await new Promise<void>((resolve) => (retry ? this.waiters.unshift(resolve) : this.waiters.push(resolve)));
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  /** Records one answer of the origin: its status and how long it took. */
  observe(status: number, latencyMs = 0): void {
    this.rate429 += OriginPace.ALPHA * ((status === 429 ? 1 : 0) - this.rate429);
    this.adaptive?.observe(latencyMs, status);
    this.drain();
  }

  private drain(): void {
    while (this.active < this.limit && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()!();
    }
  }
}
