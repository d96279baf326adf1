/**
 * The limiter against model servers on an injected clock: a token bucket that states its budget in every
 * reply (the v2 simulator's gateway), one that lies, and one that states nothing (CXone).
 */
import { describe, expect, it } from "vitest";
import { InstantClock, ManualClock } from "../../src/clock/clock.js";
import { memoryLedger } from "../../src/domain/budget-bucket.js";
import type { BudgetObservation } from "../../src/http/rate-headers.js";
import { RateLimiter } from "../../src/http/rate-limiter.js";

/** A server bucket: capacity one minute's budget, continuous refill; what it says in each reply. */
class ModelServer {
  tokens: number;
  private at: number;
  refused = 0;
  constructor(
    private readonly clock: { now(): number },
    readonly perMinute: number,
    private readonly statedRemaining?: (truth: number) => number,
  ) {
    this.tokens = perMinute;
    this.at = clock.now();
  }
  take(): { status: number; observation?: BudgetObservation } {
    const now = this.clock.now();
    this.tokens = Math.min(this.perMinute, this.tokens + ((now - this.at) * this.perMinute) / 60_000);
    this.at = now;
    const ok = this.tokens >= 1 - 1e-9;
    if (ok) this.tokens -= 1;
    else this.refused += 1;
    const whole = Math.max(0, Math.floor(this.tokens + 1e-9));
    const resetMs = whole >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute / 1000) * 1000;
    const remaining = this.statedRemaining ? this.statedRemaining(whole) : whole;
    return {
      status: ok ? 200 : 429,
      observation: { remaining, resetMs, limit: this.perMinute, windowMs: 60_000 },
    };
  }
}

/**
 * `workers` loops sending `total` requests on a ManualClock moved in 20 ms ticks; replies come back after
 * 20–60 ms, so many requests overlap as they would on the network.
 */
async function drive(
  limiter: RateLimiter,
  server: ModelServer,
  clock: ManualClock,
  total: number,
  workers = 8,
  states = true,
): Promise<number> {
  const start = clock.now();
  let next = 0;
  let done = false;
  const work = Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (next < total) {
        next++;
        const grant = await limiter.acquire();
        const reply = server.take();
        await clock.sleep(20 + 20 * ((w + next) % 3));
        grant.settle(states ? reply : { status: reply.status });
      }
    }),
  ).then(() => {
    done = true;
  });
  while (!done) {
    await new Promise((r) => setImmediate(r));
    if (!done) clock.advance(20);
  }
  await work;
  return clock.now() - start;
}

describe("RateLimiter with a budget stated in the replies", () => {
  it("spends a full bucket at once (90 requests in well under a second of budget) and never draws a 429", async () => {
    const clock = new ManualClock();
    const server = new ModelServer(clock, 100);
    const limiter = new RateLimiter({ perMinute: 100, clock });
    const took = await drive(limiter, server, clock, 90);
    expect(server.refused).toBe(0);
    expect(limiter.usingStatedBudget).toBe(true);
    // Without the stated budget: 10 at once, then one per 0.62 s = 49 s.
    expect(took).toBeLessThan(10_000);
  });

  it("then keeps to the refill rate: 600 requests within 3 % of (600 - 100) / rate, 0 × 429", async () => {
    const clock = new ManualClock();
    const server = new ModelServer(clock, 100);
    const limiter = new RateLimiter({ perMinute: 100, clock });
    const took = await drive(limiter, server, clock, 600);
    expect(server.refused).toBe(0);
    const minimum = ((600 - 100) / 100) * 60_000;
    expect(took).toBeGreaterThanOrEqual(minimum * 0.98);
    expect(took).toBeLessThanOrEqual(minimum * 1.03);
  });

  it("never sends more than remains: a drained bucket is waited out until the stated reset", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 100, clock });
    const first = await limiter.acquire();
    first.settle({ status: 200, observation: { remaining: 0, resetMs: 5000 } });
    let granted = false;
    const next = limiter.acquire().then((g) => {
      granted = true;
      return g;
    });
    clock.advance(4999);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(granted).toBe(false);
    clock.advance(1);
    (await next).settle({ status: 200, observation: { remaining: 3, resetMs: 0 } });
    expect(granted).toBe(true);
  });

  it("falls back to the configured budget when the headers lie (429s while they say there is room)", async () => {
    const clock = new ManualClock();
    // The real bucket holds 100, but every reply claims 80 more remain.
    const server = new ModelServer(clock, 100, () => 80);
    const limiter = new RateLimiter({ perMinute: 100, clock });
    await drive(limiter, server, clock, 400, 4);
    expect(limiter.usingStatedBudget).toBe(false);
    // Two contradictions (and the requests already in flight then) before it stops believing them.
    expect(server.refused).toBeLessThanOrEqual(8);
  });

  it("ignores headers when told not to learn from them", async () => {
    const clock = new ManualClock();
    const server = new ModelServer(clock, 100);
    const limiter = new RateLimiter({ perMinute: 100, clock, learnFromHeaders: false });
    await drive(limiter, server, clock, 30);
    expect(limiter.usingStatedBudget).toBe(false);
  });
});

describe("RateLimiter with a configured budget only (no headers)", () => {
  it("a configured burst goes at once; more waits for the refill; 0 × 429 from a server of that budget", async () => {
    const clock = new ManualClock();
    const server = new ModelServer(clock, 100);
    const limiter = new RateLimiter({ perMinute: 100, burst: 50, clock });
    const took = await drive(limiter, server, clock, 50, 8, false);
    expect(took).toBeLessThan(2000);
    await drive(limiter, server, clock, 200, 8, false);
    expect(server.refused).toBe(0);
  });

  it("halves the rate on a 429 and recovers additively on successes (AIMD)", async () => {
    const clock = new InstantClock();
    const limiter = new RateLimiter({ perMinute: 100, clock });
    (await limiter.acquire()).settle({ status: 429 });
    expect(limiter.rateMultiplier).toBe(0.5);
    (await limiter.acquire()).settle({ status: 429 });
    expect(limiter.rateMultiplier).toBe(0.25);
    for (let i = 0; i < 5; i++) (await limiter.acquire()).settle({ status: 200 });
    expect(limiter.rateMultiplier).toBeCloseTo(0.75, 6);
    for (let i = 0; i < 10; i++) (await limiter.acquire()).settle({ status: 200 });
    expect(limiter.rateMultiplier).toBe(1);
  });

  it("two limiters on one ledger share one bucket (plan then apply, or two replicas)", async () => {
    const clock = new ManualClock();
    const ledger = memoryLedger();
    const a = new RateLimiter({ perMinute: 60, burst: 10, clock, ledger, key: "cred" });
    const b = new RateLimiter({ perMinute: 60, burst: 10, clock, ledger, key: "cred" });
    const other = new RateLimiter({ perMinute: 60, burst: 10, clock, ledger, key: "other-cred" });
    let granted = 0;
    for (let i = 0; i < 8; i++) void a.acquire().then(() => granted++);
    for (let i = 0; i < 8; i++) void b.acquire().then(() => granted++);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(granted).toBe(10);
    await other.acquire();
    // One more per second of refill at 97 % of 60/min.
    clock.advance(1100);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(granted).toBe(11);
  });
});
