import { describe, expect, it } from "vitest";
import { busiestWindow } from "../../src/domain/call-schedule.js";

describe("busiestWindow (half-open, first busiest window wins)", () => {
  it.each([
    [[], 60, { count: 0, times: [] }],
    [[0], 60, { count: 1, times: [0] }],
    [[0, 60], 60, { count: 1, times: [0] }], // minute 60 is outside [0, 60)
    [[0, 59], 60, { count: 2, times: [0, 59] }],
    [[0, 100, 130, 150, 400], 60, { count: 3, times: [100, 130, 150] }],
    [[0, 10, 100, 110], 60, { count: 2, times: [0, 10] }], // a later window as busy does not replace it
    [[0, 500, 1000], 60, { count: 1, times: [0] }], // windows shorter than every gap
    [[0, 10, 20, 30], 1000, { count: 4, times: [0, 10, 20, 30] }],
  ] as const)("%j in windows of %d minutes → %j", (times, windowMinutes, expected) => {
    expect(busiestWindow(times, windowMinutes)).toEqual(expected);
  });
});
