/** Time source for the driver's pacing; replaceable in tests so pacing is checked without wall-clock asserts. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms))),
};

/**
 * Token bucket that hands out reservations: `reserve()` takes one token now and returns how long the
 * caller must wait before using it. Tokens may go negative (debt), so callers that arrive together are
 * spaced exactly `1000 / rate` ms apart once the burst is spent. `rate <= 0` means unlimited.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly clock: Pick<Clock, "now">,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Takes a token; returns the wait in ms before the request may go out (0 = now). */
  reserve(): number {
    const now = this.clock.now();
    if (this.rate <= 0) return 0;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    this.tokens -= 1;
    const wait = this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.rate;
    return wait;
  }
}

/** Counting semaphore: at most `limit` holders at a time, waiters served in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  maxActive = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`concurrency must be >= 1, got ${limit}`);
  }

  /** Resolves when a slot is free (`front`: before every waiter); the caller must call the returned release exactly once. */
  async acquire(front = false): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => (front ? this.waiters.unshift(resolve) : this.waiters.push(resolve)));
    } else {
      this.active++;
    }
    this.maxActive = Math.max(this.maxActive, this.active);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }

  get inUse(): number {
    return this.active;
  }
}
