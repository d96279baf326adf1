import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffRules, holdsAll, patchFor } from "../../src/domain/diff.js";
import { overwritePatch, threeWayMerge } from "../../src/domain/merge.js";
import { DIALING_METHODS, type DialingRules } from "../../src/domain/rules.js";

const base: DialingRules = {
  dialingMethod: "PREDICTIVE",
  retrySettings: { maxAttempts: 2, intervalMinutes: [30, 120] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
  maxCallsPerAgent: 3,
};

describe("three-way merge", () => {
  it.each([
    {
      name: "only ours changed: ours is written",
      theirs: base,
      ours: { dialingMethod: "PROGRESSIVE" as const },
      patch: { dialingMethod: "PROGRESSIVE" },
      conflicts: [],
    },
    {
      name: "only theirs changed (another field): theirs kept, ours written",
      theirs: { ...base, maxCallsPerAgent: 5 },
      ours: { dialingMethod: "PROGRESSIVE" as const },
      patch: { dialingMethod: "PROGRESSIVE" },
      conflicts: [],
    },
    {
      name: "only theirs changed a field we do not manage: nothing to write",
      theirs: { ...base, maxCallsPerAgent: 5 },
      ours: {},
      patch: {},
      conflicts: [],
    },
    {
      name: "both changed the same field to the same value: nothing to write",
      theirs: { ...base, dialingMethod: "PROGRESSIVE" as const },
      ours: { dialingMethod: "PROGRESSIVE" as const },
      patch: {},
      conflicts: [],
    },
    {
      name: "both changed the same field differently: conflict, not written",
      theirs: { ...base, dialingMethod: "POWER" as const },
      ours: { dialingMethod: "PROGRESSIVE" as const, maxCallsPerAgent: 1 },
      patch: { maxCallsPerAgent: 1 },
      conflicts: [{ field: "dialingMethod", base: "PREDICTIVE", ours: "PROGRESSIVE", theirs: "POWER" }],
    },
    {
      name: "nested object changed by both differently: conflict on the whole field",
      theirs: { ...base, retrySettings: { maxAttempts: 2, intervalMinutes: [30, 240] } },
      ours: { retrySettings: { maxAttempts: 2, intervalMinutes: [60, 120] } },
      patch: {},
      conflicts: [
        {
          field: "retrySettings",
          base: base.retrySettings,
          ours: { maxAttempts: 2, intervalMinutes: [60, 120] },
          theirs: { maxAttempts: 2, intervalMinutes: [30, 240] },
        },
      ],
    },
  ])("$name", ({ theirs, ours, patch, conflicts }) => {
    const result = threeWayMerge(base, theirs, ours);
    expect(result.patch).toEqual(patch);
    expect(result.conflicts).toEqual(conflicts);
  });

  it("overwrite writes every differing field, conflicts included", () => {
    const theirs: DialingRules = { ...base, dialingMethod: "POWER", maxCallsPerAgent: 9 };
    expect(overwritePatch(theirs, { dialingMethod: "PROGRESSIVE", maxCallsPerAgent: 9 })).toEqual({
      dialingMethod: "PROGRESSIVE",
    });
    // Fields ours leaves out are not in the patch at all (an empty patch is a noop, not a write).
    expect(Object.keys(overwritePatch(theirs, { maxCallsPerAgent: 9 }))).toEqual([]);
  });
});

const rulesArb: fc.Arbitrary<DialingRules> = fc.record({
  dialingMethod: fc.constantFrom(...DIALING_METHODS),
  retrySettings: fc
    .uniqueArray(fc.integer({ min: 1, max: 500 }), { maxLength: 4 })
    .map((xs) => ({ maxAttempts: xs.length, intervalMinutes: [...xs].sort((a, b) => a - b) })),
  abandonmentRateThreshold: fc.record({
    maxRate: fc.constantFrom(0, 0.01, 0.03),
    coolDownSec: fc.constantFrom(0, 60, 300),
  }),
  maxCallsPerAgent: fc.integer({ min: 1, max: 4 }),
});
const partialArb = rulesArb.chain((r) =>
  fc
    .subarray(Object.keys(r) as (keyof DialingRules)[])
    .map((keys) => Object.fromEntries(keys.map((k) => [k, r[k]]))),
);

describe("merge properties", () => {
  it("applying the merge patch over theirs yields ours on every non-conflicting field and theirs elsewhere", () => {
    fc.assert(
      fc.property(rulesArb, rulesArb, partialArb, (b, theirs, ours) => {
        const { patch, conflicts } = threeWayMerge(b, theirs, ours);
        const result = { ...theirs, ...patch };
        const conflicted = new Set(conflicts.map((c) => c.field));
        for (const [field, value] of Object.entries(ours)) {
          if (!conflicted.has(field as keyof DialingRules))
            expect(result[field as keyof DialingRules]).toEqual(value);
        }
        for (const c of conflicts) expect(result[c.field]).toEqual(theirs[c.field]);
      }),
    );
  });

  it("when nobody else wrote (theirs = base) the merge is the plain diff, with no conflicts", () => {
    fc.assert(
      fc.property(rulesArb, partialArb, (b, ours) => {
        const { patch, conflicts } = threeWayMerge(b, b, ours);
        expect(conflicts).toEqual([]);
        expect(patch).toEqual(patchFor(diffRules(b, ours)));
      }),
    );
  });

  it("after writing the diff, the rules hold all desired values and the diff is empty", () => {
    fc.assert(
      fc.property(rulesArb, partialArb, (current, desired) => {
        const after = { ...current, ...patchFor(diffRules(current, desired)) };
        expect(holdsAll(after, desired)).toBe(true);
        expect(diffRules(after, desired)).toEqual([]);
      }),
    );
  });
});
