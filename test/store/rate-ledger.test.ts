/**
 * The configured budget's bucket kept in the database: two limiters on two connections to one database
 * (a `plan` then an `apply`, or two `serve` replicas) spend one bucket between them.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { RateLimiter } from "../../src/http/rate-limiter.js";
import { KINDS, type TestDatabase, testDatabase } from "./databases.js";

/** Real time: the ledger's transactions are real database round trips. */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await pause(10);
}

describe.each(KINDS)("rate budget ledger (%s)", (kind) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.cleanup();
    db = undefined;
  });

  it("a second process sees the first one's requests of the last window", async () => {
    db = await testDatabase(kind);
    const clock = new ManualClock();
    const planStore = await db.open({ clock });
    const applyStore = await db.open({ clock });
    const budget = { perMinute: 60, burst: 20, clock, key: "https://tenant/token client-1" };
    const plan = new RateLimiter({ ...budget, ledger: planStore.rateLedger });
    for (let i = 0; i < 15; i++) (await plan.acquire()).settle({ status: 200 });

    const apply = new RateLimiter({ ...budget, ledger: applyStore.rateLedger });
    let granted = 0;
    for (let i = 0; i < 10; i++) void apply.acquire().then(() => granted++);
    await until(() => granted >= 5);
    await pause(200);
    // 20 in the bucket, 15 spent by the first process: 5 now, not 10.
    expect(granted).toBe(5);
    // The refill (97 % of 1/s) brings the next one.
    clock.advance(1100);
    await until(() => granted >= 6);
    expect(granted).toBe(6);
  });

  it("a 429's hold applies to every sharer of the bucket", async () => {
    db = await testDatabase(kind);
    const clock = new ManualClock();
    const a = await db.open({ clock });
    const b = await db.open({ clock });
    const budget = { perMinute: 60, burst: 20, clock, key: "k" };
    const first = new RateLimiter({ ...budget, ledger: a.rateLedger });
    first.holdFor(30_000);
    const second = new RateLimiter({ ...budget, ledger: b.rateLedger });
    await pause(200);
    let granted = false;
    void second.acquire().then(() => {
      granted = true;
    });
    await pause(200);
    expect(granted).toBe(false);
    clock.advance(30_000);
    await until(() => granted);
    expect(granted).toBe(true);
  });
});

describe("rate budget ledger (sqlite, serve's writer thread)", () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.cleanup();
    db = undefined;
  });

  it("a `plan` on the event loop's connection and `serve` on its writer thread spend one bucket", async () => {
    db = await testDatabase("sqlite");
    const clock = new ManualClock();
    const budget = { perMinute: 60, burst: 20, clock, key: "k" };
    const serve = new RateLimiter({
      ...budget,
      ledger: (await db.open({ clock, writerThread: true })).rateLedger,
    });
    const plan = new RateLimiter({ ...budget, ledger: (await db.open({ clock })).rateLedger });
    let granted = 0;
    for (let i = 0; i < 15; i++) void serve.acquire().then(() => granted++);
    for (let i = 0; i < 15; i++) void plan.acquire().then(() => granted++);
    await until(() => granted >= 20);
    await pause(200);
    expect(granted).toBe(20);
  });
});
