import { describe, expect, it } from "vitest";
import { holdBucket, memoryLedger, takeFromBucket } from "../../src/domain/budget-bucket.js";

/** 10 requests of burst, refilled at 10 a second. */
const P = { cap: 10, perMs: 0.01 };

describe("the request budget's token bucket (literal values)", () => {
  it("a fresh bucket is full; a take within it is granted at once", () => {
    expect(takeFromBucket(undefined, 3, 1000, P)).toEqual({
      state: { level: 7, at: 1000, heldUntil: 0 },
      result: { granted: 3, retryAt: 1000 },
    });
  });

  it("a take beyond the level gets what is there and when one more will be", () => {
    expect(takeFromBucket({ level: 7, at: 1000, heldUntil: 0 }, 10, 1000, P)).toEqual({
      state: { level: 0, at: 1000, heldUntil: 0 },
      result: { granted: 7, retryAt: 1100 },
    });
    // Half a request refilled after 50 ms: none granted, the next whole one in another 50 ms.
    expect(takeFromBucket({ level: 0, at: 1000, heldUntil: 0 }, 1, 1050, P)).toEqual({
      state: { level: 0.5, at: 1050, heldUntil: 0 },
      result: { granted: 0, retryAt: 1100 },
    });
  });

  it("refills up to the cap only; a clock that went backwards refills nothing and keeps the later time", () => {
    expect(takeFromBucket({ level: 0, at: 0, heldUntil: 0 }, 20, 1_000_000, P).result.granted).toBe(10);
    expect(takeFromBucket({ level: 2, at: 2000, heldUntil: 0 }, 1, 1000, P)).toEqual({
      state: { level: 1, at: 2000, heldUntil: 0 },
      result: { granted: 1, retryAt: 1000 },
    });
  });

  it("float error neither loses a whole request nor makes a refusal 'retry now'", () => {
    expect(takeFromBucket({ level: 3 - 1e-10, at: 0, heldUntil: 0 }, 3, 0, P).result.granted).toBe(3);
    const almost = takeFromBucket({ level: 1.99999, at: 0, heldUntil: 0 }, 2, 0, { cap: 10, perMs: 1 });
    expect(almost.result).toEqual({ granted: 1, retryAt: 0.001 });
  });

  it("a hold (429) empties the bucket until then, keeps a later hold, and refuses until it ends", () => {
    const held = holdBucket({ level: 5, at: 1000, heldUntil: 0 }, 5000, 1000, P);
    expect(held).toEqual({ level: 0, at: 1000, heldUntil: 5000 });
    expect(holdBucket(held, 3000, 1000, P).heldUntil).toBe(5000);
    expect(holdBucket(undefined, 3000, 1000, P)).toEqual({ level: 0, at: 1000, heldUntil: 3000 });
    expect(takeFromBucket(held, 1, 4999, P).result).toEqual({ granted: 0, retryAt: 5000 });
    expect(takeFromBucket(held, 1, 5000, P).result).toEqual({ granted: 1, retryAt: 5000 });
  });

  it("the in-process ledger keeps each key's bucket", () => {
    const ledger = memoryLedger();
    expect(ledger.take("a", 8, 0, P)).toEqual({ granted: 8, retryAt: 0 });
    expect(ledger.take("a", 8, 0, P)).toEqual({ granted: 2, retryAt: 100 });
    expect(ledger.take("b", 8, 0, P)).toEqual({ granted: 8, retryAt: 0 });
    ledger.hold("b", 500, 0, P);
    expect(ledger.take("b", 1, 100, P)).toEqual({ granted: 0, retryAt: 500 });
  });
});
