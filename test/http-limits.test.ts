import { describe, expect, it } from "vitest";
import { Semaphore, TokenBucket } from "../src/http/limits.ts";

describe("TokenBucket", () => {
  it("spends the burst, then spaces reservations, then refills with time", () => {
    let t = 0;
    const bucket = new TokenBucket(5, 2, { now: () => t });
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 200, 400]);
    t = 1000; // 5 tokens refilled, debt of 2 paid, capped at the burst of 2
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 200]);
  });

  it("is unlimited at rate 0", () => {
    const bucket = new TokenBucket(0, 1, { now: () => 0 });
    expect(Array.from({ length: 100 }, () => bucket.reserve()).every((w) => w === 0)).toBe(true);
  });
});

describe("Semaphore", () => {
  it("admits at most limit holders and hands slots over in order", async () => {
    const sem = new Semaphore(2);
    const order: number[] = [];
    const r1 = await sem.acquire();
    const r2 = await sem.acquire();
    const third = sem.acquire().then((r) => (order.push(3), r));
    const fourth = sem.acquire().then((r) => (order.push(4), r));
    await Promise.resolve();
    expect(order).toEqual([]);
    r1();
    r1(); // a second release of the same slot is ignored
    const r3 = await third;
    expect(order).toEqual([3]);
    expect(sem.inUse).toBe(2);
    r2();
    (await fourth)();
    r3();
    expect(sem.inUse).toBe(0);
    expect(sem.maxActive).toBe(2);
  });

  it("puts a waiter asked for at the front ahead of the queue", async () => {
    const sem = new Semaphore(1);
    const order: string[] = [];
    const held = await sem.acquire();
    const late = sem.acquire().then((r) => (order.push("queued"), r));
    const retry = sem.acquire(true).then((r) => (order.push("retry"), r));
    held();
    (await retry)();
    (await late)();
    expect(order).toEqual(["retry", "queued"]);
  });
});
