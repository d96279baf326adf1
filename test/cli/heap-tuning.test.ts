import { describe, expect, it } from "vitest";
import {
  COLLECT_DURING_PARSE,
  collectGarbage,
  collectsAfterEntries,
  collectsBetweenStages,
} from "../../src/cli/heap-tuning.js";

describe("full collections of the one-shot validate (issue 17: ≤ 1 KB per entry at 10,000 entries)", () => {
  it("collects during the parse at 625, 1,250, 2,500 and 5,000 entries read, and at no other count", () => {
    expect(COLLECT_DURING_PARSE).toEqual([625, 1_250, 2_500, 5_000]);
    expect([1, 624, 625, 626, 1_250, 2_500, 5_000, 10_000, 100_000].filter(collectsAfterEntries)).toEqual([
      625, 1_250, 2_500, 5_000,
    ]);
  });

  it("collects between stages for inputs of 2,500 up to 20,000 entries", () => {
    expect([1, 2_499, 2_500, 10_000, 19_999, 20_000, 100_000].filter(collectsBetweenStages)).toEqual([
      2_500, 10_000, 19_999,
    ]);
  });

  it("collects without putting gc on this context", () => {
    collectGarbage();
    collectGarbage();
    expect("gc" in globalThis).toBe(false);
  });
});
