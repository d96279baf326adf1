import { describe, expect, it } from "vitest";
import { sameValue } from "../../src/domain/equal.js";

describe("sameValue: structural equality of rule values", () => {
  it.each([
    [1, 1, true],
    [Number.NaN, Number.NaN, true],
    ["PREVIEW", "PREVIEW", true],
    [1, "1", false],
    [1, {}, false],
    [{}, 1, false],
    [null, {}, false],
    [{}, null, false],
    [[], {}, false],
    [{}, [], false],
    [[60, 120], [60, 120], true],
    [[60, 120], [120, 60], false],
    [[60], [60, 120], false],
    [[undefined], [], false],
    [{ maxRate: 0.03, coolDownSec: 0 }, { coolDownSec: 0, maxRate: 0.03 }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [{ r: { intervalMinutes: [60] } }, { r: { intervalMinutes: [60] } }, true],
    [{ r: { intervalMinutes: [60] } }, { r: { intervalMinutes: [61] } }, false],
  ] as const)("%j vs %j → %s", (a, b, same) => {
    expect(sameValue(a, b)).toBe(same);
  });
});
