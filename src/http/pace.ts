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

  constructor(readonly maxInFlight: number) {}

  /** The moving share of answers that were 429 (0..1). */
  get limitedRate(): number {
    return this.rate429;
  }

  /** Requests this origin may have in flight now. */
  get limit(): number {
    return Math.max(1, Math.ceil(this.maxInFlight * (1 - this.rate429 / 2)));
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

  /** Records one answer of the origin: a 429 or anything else. */
  observe(limited: boolean): void {
    this.rate429 += OriginPace.ALPHA * ((limited ? 1 : 0) - this.rate429);
    this.drain();
  }

  private drain(): void {
    while (this.active < this.limit && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()!();
    }
  }
}
