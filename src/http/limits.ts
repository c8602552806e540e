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
  private pausedUntil = 0;
  readonly granted: number[] = [];

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
    const pauseWait = Math.max(0, this.pausedUntil - now);
    if (this.rate <= 0) return pauseWait;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
    this.tokens -= 1;
    const debtWait = this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.rate;
    const wait = Math.max(debtWait, pauseWait);
    this.granted.push(now + wait);
    return wait;
  }

  /** Holds back every later reservation until `ms` from now (a server asked us to back off). */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
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

  /** Resolves when a slot is free; the caller must call the returned release exactly once. */
  async acquire(): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
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
