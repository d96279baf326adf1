/**
 * The cxone mapping as pure functions, with literal expected values (never computed by the code under test).
 * Written for the surviving mutants of `npm run mutation` (docs/testing.md): percent conversion, the abandon
 * precision check, the dialing-method reading, retry overrides, the revision and the PUT body.
 */
import { describe, expect, it } from "vitest";
import {
  cannotStoreOnCxone,
  fitsAbandonPrecision,
  readDialingMethod,
  readSkill,
  retryOverridesOf,
  revisionOf,
  toGeneralSettingsPatch,
} from "../../src/platform/cxone/mapping.js";
import type { GeneralSettings, SkillSettings } from "../../src/platform/cxone/schemas.js";
import { PlatformValidationError } from "../../src/platform/errors.js";
import { evenSchedule, evenSpacing, unevenRetryRefusal } from "../../src/platform/even-spacing.js";
import { fractionToPercent, percentToFraction } from "../../src/platform/percent.js";

const GENERAL = {
  maxConcurrentCallsPerAgent: 2,
  abandonRateThreshold: 2.9,
  overrideBusinessUnitAbandonRate: true,
  maximumAttempts: 4,
  minimumRetryMinutes: 45,
  maximumRatio: 2.5,
};
const skill = (
  general: Partial<GeneralSettings> = {},
  rest: Omit<SkillSettings, "general"> = {},
): SkillSettings => ({
  general: { ...GENERAL, ...general },
  ...rest,
});

describe("percent ⇄ fraction", () => {
  it("converts without float noise, both ways", () => {
    expect(percentToFraction(2.9)).toBe(0.029);
    expect(percentToFraction(2.95)).toBe(0.0295);
    expect(percentToFraction(0)).toBe(0);
    expect(percentToFraction(100)).toBe(1);
    expect(fractionToPercent(0.029)).toBe(2.9);
    expect(fractionToPercent(0.0295)).toBe(2.95);
    expect(fractionToPercent(1)).toBe(100);
  });
});

describe("even spacing", () => {
  it("finds d only for exactly [d, 2d, …] with a whole d ≥ 1", () => {
    expect(evenSpacing([30, 60, 90])).toBe(30);
    expect(evenSpacing([1])).toBe(1);
    expect(evenSpacing([30, 60, 91])).toBeUndefined();
    expect(evenSpacing([30, 30])).toBeUndefined();
    expect(evenSpacing([])).toBeUndefined();
    expect(evenSpacing([0, 0])).toBeUndefined();
    expect(evenSpacing([1.5, 3])).toBeUndefined();
    expect(evenSchedule(3, 20)).toEqual([20, 40, 60]);
    expect(evenSchedule(0, 20)).toEqual([]);
  });

  it("refuses a count that does not match, or uneven intervals, naming the field", () => {
    expect(unevenRetryRefusal({ maxAttempts: 2, intervalMinutes: [10] }, "H")).toEqual({
      field: "retrySettings.maxAttempts",
      message: "maxAttempts 2 does not match 1 interval(s)",
    });
    expect(unevenRetryRefusal({ maxAttempts: 2, intervalMinutes: [10, 25] }, "H holds one")).toEqual({
      field: "retrySettings.intervalMinutes",
      message:
        "H holds one, so only evenly spaced retries [d, 2d, 3d, …] can be written exactly; got [10, 25]",
    });
    expect(unevenRetryRefusal({ maxAttempts: 0, intervalMinutes: [] }, "H")).toBeUndefined();
    expect(unevenRetryRefusal({ maxAttempts: 2, intervalMinutes: [10, 20] }, "H")).toBeUndefined();
  });
});

describe("cxone reading", () => {
  it("abandon precision: one decimal of a percent fits, two do not", () => {
    expect(fitsAbandonPrecision(0.029)).toBe(true);
    expect(fitsAbandonPrecision(0.03)).toBe(true);
    expect(fitsAbandonPrecision(0)).toBe(true);
    expect(fitsAbandonPrecision(0.0295)).toBe(false);
    expect(fitsAbandonPrecision(0.02901)).toBe(false);
  });

  it("dialing method: ratio ≤ 1 is progressive only; preview unless confirmation is disabled", () => {
    expect(readDialingMethod(skill({ maximumRatio: 1 }))).toEqual({ oneOf: ["PROGRESSIVE", "PREVIEW"] });
    expect(
      readDialingMethod(skill({ maximumRatio: 1 }, { delivery: { confirmationRequiredDisabled: true } })),
    ).toBe("PROGRESSIVE");
    expect(
      readDialingMethod(skill({ maximumRatio: 1.01 }, { delivery: { confirmationRequiredDisabled: true } })),
    ).toEqual({ oneOf: ["PREDICTIVE", "PROGRESSIVE"] });
    expect(readDialingMethod({ general: { maximumRatio: null } })).toEqual({
      oneOf: ["PREDICTIVE", "PROGRESSIVE", "PREVIEW"],
    });
  });

  it("reads a skill: retries are attempts − 1, evenly spaced by the minimum retry minutes", () => {
    expect(readSkill(skill({}, { delivery: { confirmationRequiredDisabled: true } }))).toEqual({
      rules: {
        dialingMethod: { oneOf: ["PREDICTIVE", "PROGRESSIVE"] },
        retrySettings: { maxAttempts: 3, intervalMinutes: [45, 90, 135] },
        abandonmentRateThreshold: { maxRate: 0.029, coolDownSec: 0 },
        maxCallsPerAgent: 2,
      },
    });
    expect(readSkill(skill({ maximumAttempts: 1 })).rules.retrySettings).toEqual({
      maxAttempts: 0,
      intervalMinutes: [],
    });
  });

  it("a skill missing a mapped value is not managed, and says which", () => {
    expect(readSkill(skill({ maximumAttempts: null })).notManaged).toBe(
      "CXone returned no value for maximumAttempts; set it on the skill (ACD > Skills > Parameters) so dialrules can plan against known values",
    );
    const two = readSkill({ general: { maxConcurrentCallsPerAgent: 1, abandonRateThreshold: 3 } });
    expect(two.notManaged).toBe(
      "CXone returned no value for maximumAttempts, minimumRetryMinutes; set them on the skill (ACD > Skills > Parameters) so dialrules can plan against known values",
    );
    expect(two.rules.retrySettings).toEqual({ maxAttempts: 0, intervalMinutes: [] });
  });

  it("retry overrides: the cadence's per-field maximums and a shorter rest, as the worst case", () => {
    expect(retryOverridesOf(skill())).toBeUndefined();
    expect(retryOverridesOf(skill({}, { cadence: {} }))).toBeUndefined();
    // A rest not shorter than the skill's minimum retry minutes overrides nothing.
    expect(retryOverridesOf(skill({}, { cadence: { destinationRetryRestMinutes: 45 } }))).toBeUndefined();
    expect(retryOverridesOf(skill({}, { cadence: { destinationRetryRestMinutes: 0 } }))).toBeUndefined();
    expect(
      retryOverridesOf(
        skill(
          {},
          {
            cadence: {
              cadenceMaximumAttempts: [
                { fieldName: "Home", attempts: 6 },
                { fieldName: "Work", attempts: 0 },
              ],
              cadences: [{ maximumAttempts: 2 }],
              destinationRetryRestMinutes: 15,
            },
          },
        ),
      ),
    ).toEqual({
      maxAttempts: 5,
      minGapMinutes: 15,
      description:
        "CXone skill parameters: cadence maximum attempts Home 6, ? 2; destination retry rest 15 min",
    });
    expect(
      retryOverridesOf(
        skill({ maximumAttempts: 8 }, { cadence: { cadences: [{ fieldName: "Cell", attempts: 3 }] } }),
      ),
    ).toEqual({
      maxAttempts: 7,
      minGapMinutes: 45,
      description: "CXone skill parameters: cadence maximum attempts Cell 3",
    });
    expect(
      retryOverridesOf({
        general: { maximumAttempts: null, minimumRetryMinutes: null },
        cadence: { destinationRetryRestMinutes: 20 },
      }),
    ).toEqual({
      maxAttempts: 0,
      minGapMinutes: 20,
      description: "CXone skill parameters: destination retry rest 20 min",
    });
    // No rest known (or a zero minimum): no minimum gap is claimed, rather than Infinity or 0.
    const cadence = { cadences: [{ fieldName: "Cell", attempts: 3 }] };
    for (const minimumRetryMinutes of [null, 0]) {
      expect(retryOverridesOf(skill({ minimumRetryMinutes }, { cadence }))).toEqual({
        maxAttempts: 3,
        description: "CXone skill parameters: cadence maximum attempts Cell 3",
      });
    }
  });

  it("revision: a 48-bit number that changes with every mapped value and only with them", () => {
    const base = revisionOf(skill());
    expect(Number.isSafeInteger(base)).toBe(true);
    expect(base).toBeGreaterThanOrEqual(0);
    expect(base).toBeLessThan(2 ** 48);
    expect(revisionOf(skill())).toBe(base);
    for (const change of [
      { maxConcurrentCallsPerAgent: 3 },
      { abandonRateThreshold: 3 },
      { overrideBusinessUnitAbandonRate: false },
      { maximumAttempts: 5 },
      { minimumRetryMinutes: 30 },
      { maximumRatio: 1 },
    ]) {
      expect(revisionOf(skill(change))).not.toBe(base);
    }
    expect(revisionOf(skill({}, { delivery: { confirmationRequiredDisabled: true } }))).not.toBe(base);
    expect(revisionOf(skill({}, { cadence: { destinationRetryRestMinutes: 10 } }))).not.toBe(base);
    expect(revisionOf(skill({ maximumRatio: 3 }))).toBe(base); // still progressive or predictive
    // The override flag set or not reported at all are different states.
    expect(revisionOf(skill({ overrideBusinessUnitAbandonRate: null }))).not.toBe(base);
  });
});

describe("cxone writing", () => {
  it("writes exactly what CXone holds: percent, the override flag, attempts + 1 and the one interval", () => {
    expect(
      toGeneralSettingsPatch("7", {
        maxCallsPerAgent: 3,
        abandonmentRateThreshold: { maxRate: 0.029, coolDownSec: 0 },
        retrySettings: { maxAttempts: 2, intervalMinutes: [20, 40] },
      }),
    ).toEqual({
      maxConcurrentCallsPerAgent: 3,
      abandonRateThreshold: 2.9,
      overrideBusinessUnitAbandonRate: true,
      maximumAttempts: 3,
      minimumRetryMinutes: 20,
    });
    expect(toGeneralSettingsPatch("7", { retrySettings: { maxAttempts: 0, intervalMinutes: [] } })).toEqual({
      maximumAttempts: 1,
    });
    expect(toGeneralSettingsPatch("7", {})).toEqual({});
    expect(cannotStoreOnCxone({ maxCallsPerAgent: 2 })).toEqual([]);
  });

  it("refuses, sending nothing, what CXone cannot hold exactly — every part, with advice", () => {
    const rules = {
      dialingMethod: "POWER" as const,
      abandonmentRateThreshold: { maxRate: 0.0295, coolDownSec: 60 },
      retrySettings: { maxAttempts: 2, intervalMinutes: [20, 45] },
    };
    expect(cannotStoreOnCxone(rules)).toEqual([
      {
        field: "dialingMethod",
        message: "CXone has no setting for the dialing method of a Personal Connection skill",
      },
      {
        field: "abandonmentRateThreshold.coolDownSec",
        message:
          "CXone skills have no abandonment cool-down; set coolDownSec to 0 for cxone campaigns (got 60)",
      },
      {
        field: "abandonmentRateThreshold.maxRate",
        message:
          "CXone stores the abandon rate with one decimal of a percent, so 0.0295 (2.95%) would be stored rounded and drift from the rules file; use 0.029 (2.9%) or 0.03 (3%)",
      },
      {
        field: "retrySettings.intervalMinutes",
        message:
          "CXone holds one minimum retry interval per skill, so only evenly spaced retries [d, 2d, 3d, …] can be written exactly; got [20, 45]",
      },
    ]);
    let error: unknown;
    try {
      toGeneralSettingsPatch("41", { dialingMethod: "POWER" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PlatformValidationError);
    expect((error as Error).message).toBe(
      "skill 41: CXone cannot hold this change exactly, nothing was sent: dialingMethod: CXone has no setting for the dialing method of a Personal Connection skill",
    );
    expect(() =>
      toGeneralSettingsPatch("41", {
        dialingMethod: "POWER",
        abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 5 },
      }),
    ).toThrow(
      "nothing was sent: dialingMethod: CXone has no setting for the dialing method of a Personal Connection skill; abandonmentRateThreshold.coolDownSec: ",
    );
    // Anything but a refusal is a bug to surface, not a value CXone cannot store.
    expect(() => cannotStoreOnCxone({ retrySettings: null as never })).toThrow(TypeError);
  });
});
