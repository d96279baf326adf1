import { describe, expect, it } from "vitest";
import { InstantClock, ManualClock } from "../../src/clock/clock.js";
import { defaultBurst, RateLimiter } from "../../src/http/rate-limiter.js";

/** Lets queued promise callbacks run. */
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe("RateLimiter", () => {
  it("respects the rate over a long run: N requests take (N - burst) intervals, never fewer", async () => {
    const clock = new InstantClock();
    const limiter = new RateLimiter({ perMinute: 100, clock });
    const start = clock.now();
    const grants: number[] = [];
    for (let i = 0; i < 1000; i++) {
      await limiter.acquire();
      grants.push(clock.now() - start);
    }
    // 97% of 100/min with a burst of 10.
    expect(limiter.burst).toBe(10);
    expect(limiter.intervalMs).toBeCloseTo(60_000 / 97, 6);
    expect(grants.slice(0, 10).every((t) => t === 0)).toBe(true);
    expect(grants.at(-1)).toBeCloseTo((1000 - 10) * limiter.intervalMs, 0);
    // No one-minute window holds more than the burst plus a minute at the effective rate.
    const allowed = limiter.burst + Math.ceil(60_000 / limiter.intervalMs);
    let busiest = 0;
    for (let i = 0, j = 0; i < grants.length; i++) {
      while ((grants[j] ?? 0) < (grants[i] ?? 0) - 60_000 + 1) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(allowed);
    expect(busiest).toBeGreaterThanOrEqual(allowed - 1);
  });

  it("never lets a client outrun a server bucket of the same nominal budget (capacity 1 min, continuous refill)", async () => {
    const clock = new InstantClock();
    const limiter = new RateLimiter({ perMinute: 100, clock });
    let tokens = 100;
    let last = clock.now();
    let minimum = tokens;
    for (let i = 0; i < 2000; i++) {
      // Idle gaps now and then let both buckets refill.
      if (i % 333 === 0) clock.advance(45_000);
      await limiter.acquire();
      const now = clock.now();
      tokens = Math.min(100, tokens + ((now - last) * 100) / 60_000);
      last = now;
      tokens -= 1;
      minimum = Math.min(minimum, tokens);
    }
    expect(minimum).toBeGreaterThanOrEqual(0);
  });

  it("serves waiters first in, first out and reports their waits", async () => {
    const clock = new ManualClock();
    const waits: number[] = [];
    const limiter = new RateLimiter({
      perMinute: 60,
      burst: 1,
      rateFraction: 1,
      clock,
      observer: { rateLimiterWait: (ms) => waits.push(ms) },
    });
    const order: number[] = [];
    await limiter.acquire();
    const pending = [1, 2, 3].map((i) => limiter.acquire().then(() => order.push(i)));
    await flush();
    expect(order).toEqual([]);
    clock.advance(999);
    await flush();
    expect(order).toEqual([]);
    clock.advance(1);
    await flush();
    expect(order).toEqual([1]);
    clock.advance(1000);
    await flush();
    clock.advance(1000);
    await Promise.all(pending);
    expect(order).toEqual([1, 2, 3]);
    expect(waits).toEqual([0, 1000, 2000, 3000]);
  });

  it("abort removes the waiter at once and does not spend its slot", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 60, burst: 1, rateFraction: 1, clock });
    await limiter.acquire();
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const next = limiter.acquire();
    let nextDone = false;
    void next.then(() => {
      nextDone = true;
    });
    expect(limiter.waiting).toBe(2);
    controller.abort(new Error("stop"));
    await expect(aborted).rejects.toThrow("stop");
    expect(limiter.waiting).toBe(1);
    // The freed slot goes to the next waiter at the first free time, not one interval later.
    clock.advance(1000);
    await flush();
    expect(nextDone).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
  });

  it("abort of the only waiter leaves no sleep behind", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 60, burst: 1, clock });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    await flush();
    expect(clock.pendingSleeps).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toThrow();
    await flush();
    expect(clock.pendingSleeps).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it("an already-aborted signal is refused without queueing", async () => {
    const limiter = new RateLimiter({ perMinute: 60, clock: new ManualClock() });
    await expect(limiter.acquire(AbortSignal.abort(new Error("gone")))).rejects.toThrow("gone");
    expect(limiter.waiting).toBe(0);
  });

  it("holdFor delays every later request (a 429's Retry-After applies to the whole client)", async () => {
    const clock = new InstantClock();
    const limiter = new RateLimiter({ perMinute: 100, clock });
    const start = clock.now();
    limiter.holdFor(5000);
    await limiter.acquire();
    expect(clock.now() - start).toBe(5000);
  });

  it("burst defaults to 10% of the budget, between 1 and 10", () => {
    expect(defaultBurst(100)).toBe(10);
    expect(defaultBurst(1000)).toBe(10);
    expect(defaultBurst(30)).toBe(3);
    expect(defaultBurst(5)).toBe(1);
  });

  it("rejects a nonsensical budget", () => {
    expect(() => new RateLimiter({ perMinute: 0, clock: new InstantClock() })).toThrow(RangeError);
    expect(() => new RateLimiter({ perMinute: Number.NaN, clock: new InstantClock() })).toThrow(RangeError);
  });
});

describe("RateLimiter.room (issue 17 §1: how many may go now)", () => {
  it("unknown until the platform states its budget; then what it stated less the reserve and the queue; 0 while held", async () => {
    const clock = new ManualClock(1_000_000);
    const limiter = new RateLimiter({ perMinute: 100, clock });
    expect(limiter.room()).toBeUndefined();
    const grant = await limiter.acquire();
    grant.settle({ status: 200, observation: { remaining: 60, resetMs: 0, limit: 100, windowMs: 60_000 } });
    // 60 stated, less the reserve of one
    expect(limiter.room()).toBe(59);
    const second = await limiter.acquire();
    expect(limiter.room()).toBe(58);
    second.settle({ status: 200 });
    limiter.holdFor(5_000);
    expect(limiter.room()).toBe(0);
  });
});
