import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mergeRules, resolveTargets } from "../../src/domain/resolve.js";
import type { Campaign, DialingRules, PartialRules } from "../../src/domain/rules.js";
import { baseRules, fileOf } from "./helpers.js";

const campaign = (id: string, name: string, rules: DialingRules = baseRules()): Campaign => ({
  id,
  name,
  status: "ACTIVE",
  revision: 1,
  dialingRules: rules,
});
const PLATFORM = [
  campaign("CMP-1", "Collections-East-001"),
  campaign("CMP-2", "Collections-West-002"),
  campaign("CMP-3", "Sales-Renewals-003"),
  campaign("CMP-4", "Survey-NPS-004"),
];

describe("resolveTargets", () => {
  it("precedence per field: defaults < match < id", () => {
    const file = fileOf({
      defaults: { dialingRules: { dialingMethod: "POWER", maxCallsPerAgent: 2 } },
      campaigns: [
        { id: "CMP-1", dialingRules: { dialingMethod: "PREVIEW" } },
        { match: "Collections-*", dialingRules: { dialingMethod: "PROGRESSIVE", maxCallsPerAgent: 1 } },
      ],
    });
    const { targets, findings } = resolveTargets(file, PLATFORM);
    expect(findings).toEqual([]);
    expect(targets).toEqual([
      {
        campaignId: "CMP-1",
        campaignName: "Collections-East-001",
        desired: { dialingMethod: "PREVIEW", maxCallsPerAgent: 1 },
        sources: ['campaigns[1] (match "Collections-*")', "campaigns[0] (id CMP-1)"],
      },
      {
        campaignId: "CMP-2",
        campaignName: "Collections-West-002",
        desired: { dialingMethod: "PROGRESSIVE", maxCallsPerAgent: 1 },
        sources: ['campaigns[1] (match "Collections-*")'],
      },
    ]);
  });

  it("defaults fill fields no entry sets, and alone target nothing", () => {
    const file = fileOf({
      defaults: { dialingRules: { abandonmentRateThreshold: { maxRate: 0.02, coolDownSec: 60 } } },
      campaigns: [{ id: "CMP-3", dialingRules: { maxCallsPerAgent: 1 } }],
    });
    const { targets } = resolveTargets(file, PLATFORM);
    expect(targets.map((t) => t.campaignId)).toEqual(["CMP-3"]);
    expect(targets[0]?.desired).toEqual({
      abandonmentRateThreshold: { maxRate: 0.02, coolDownSec: 60 },
      maxCallsPerAgent: 1,
    });
    expect(targets[0]?.sources).toEqual(["defaults", "campaigns[0] (id CMP-3)"]);
    expect(
      resolveTargets(fileOf({ defaults: { dialingRules: { maxCallsPerAgent: 1 } } }), PLATFORM).targets,
    ).toEqual([]);
  });

  it("nested objects are replaced whole, not merged", () => {
    const file = fileOf({
      defaults: { dialingRules: { retrySettings: { maxAttempts: 2, intervalMinutes: [10, 20] } } },
      campaigns: [
        { id: "CMP-1", dialingRules: { retrySettings: { maxAttempts: 1, intervalMinutes: [30] } } },
      ],
    });
    expect(resolveTargets(file, PLATFORM).targets[0]?.desired.retrySettings).toEqual({
      maxAttempts: 1,
      intervalMinutes: [30],
    });
  });

  it("an unknown id is an error; a match that matches nothing is a warning", () => {
    const file = fileOf({ campaigns: [{ id: "CMP-404" }, { match: "Nope-*" }] });
    const { targets, findings } = resolveTargets(file, PLATFORM);
    expect(targets).toEqual([]);
    expect(findings).toEqual([
      {
        finding: expect.objectContaining({
          severity: "error",
          code: "TARGET_ID_NOT_FOUND",
          path: "campaigns[0].id",
        }),
      },
      {
        finding: expect.objectContaining({
          severity: "warning",
          code: "TARGET_MATCH_EMPTY",
          path: "campaigns[1].match",
        }),
      },
    ]);
  });

  it("the unknown-id and empty-match findings say what to do", () => {
    const file = fileOf({ campaigns: [{ id: "CMP-404" }, { match: "Nope-*" }] });
    expect(resolveTargets(file, PLATFORM).findings.map((f) => f.finding.message)).toEqual([
      "campaigns[0] (id CMP-404): the platform has no campaign with id CMP-404; check the id or remove the entry",
      'campaigns[1] (match "Nope-*") matches no campaign name on the platform; check the pattern (it is case-sensitive)',
    ]);
  });

  it("targets come in id order whatever the listing order", () => {
    const file = fileOf({ campaigns: [{ match: "*", dialingRules: { maxCallsPerAgent: 1 } }] });
    const listed = [...PLATFORM, campaign("CMP-0", "Zeta-000"), campaign("CMP-5", "Alpha-005")].reverse();
    expect(resolveTargets(file, listed).targets.map((t) => t.campaignId)).toEqual([
      "CMP-0",
      "CMP-1",
      "CMP-2",
      "CMP-3",
      "CMP-4",
      "CMP-5",
    ]);
  });

  it("overlapping matches setting a field differently are an error naming both entries", () => {
    const file = fileOf({
      campaigns: [
        { match: "Collections-*", dialingRules: { dialingMethod: "PREVIEW" } },
        { match: "*-East-*", dialingRules: { dialingMethod: "POWER" } },
      ],
    });
    const { targets, findings } = resolveTargets(file, PLATFORM);
    // the conflicted campaign stays a target (so the plan lists it as invalid), without the contested field
    expect(targets.map((t) => t.campaignId)).toEqual(["CMP-1", "CMP-2"]);
    expect(targets[0]?.desired).toEqual({});
    expect(findings).toHaveLength(1);
    expect(findings[0]?.campaignId).toBe("CMP-1");
    expect(findings[0]?.finding).toMatchObject({ severity: "error", code: "TARGET_MATCH_CONFLICT" });
    expect(findings[0]?.finding.message).toContain('campaigns[0] (match "Collections-*")');
    expect(findings[0]?.finding.message).toContain('campaigns[1] (match "*-East-*")');
  });

  it("overlapping matches that agree, or an id entry that decides, are fine", () => {
    const agree = fileOf({
      campaigns: [
        {
          match: "Collections-*",
          dialingRules: { retrySettings: { maxAttempts: 1, intervalMinutes: [60] } },
        },
        { match: "*-East-*", dialingRules: { retrySettings: { intervalMinutes: [60], maxAttempts: 1 } } },
      ],
    });
    expect(resolveTargets(agree, PLATFORM).findings).toEqual([]);
    const decided = fileOf({
      campaigns: [
        { match: "Collections-*", dialingRules: { dialingMethod: "PREVIEW" } },
        { match: "*-East-*", dialingRules: { dialingMethod: "POWER" } },
        { id: "CMP-1", dialingRules: { dialingMethod: "PROGRESSIVE" } },
      ],
    });
    const r = resolveTargets(decided, PLATFORM);
    expect(r.findings).toEqual([]);
    expect(r.targets.find((t) => t.campaignId === "CMP-1")?.desired).toEqual({
      dialingMethod: "PROGRESSIVE",
    });
  });

  it("targets do not alias the rules file", () => {
    const file = fileOf({
      campaigns: [{ id: "CMP-1", dialingRules: { retrySettings: { maxAttempts: 1, intervalMinutes: [5] } } }],
    });
    const t = resolveTargets(file, PLATFORM).targets[0];
    t?.desired.retrySettings?.intervalMinutes.push(99);
    expect(file.campaigns[0]?.dialingRules.retrySettings?.intervalMinutes).toEqual([5]);
  });
});

const rulesArb: fc.Arbitrary<DialingRules> = fc.record({
  dialingMethod: fc.constantFrom("PREDICTIVE", "PROGRESSIVE", "POWER", "PREVIEW"),
  retrySettings: fc.record({
    maxAttempts: fc.nat(10),
    intervalMinutes: fc.array(fc.nat(5000), { maxLength: 10 }),
  }),
  abandonmentRateThreshold: fc.record({
    maxRate: fc.double({ min: 0, max: 1, noNaN: true }),
    coolDownSec: fc.nat(900),
  }),
  maxCallsPerAgent: fc.integer({ min: 1, max: 10 }),
});

describe("mergeRules", () => {
  it("merge(current, {}) deep-equals current, and is a copy (property)", () => {
    fc.assert(
      fc.property(rulesArb, (current) => {
        const merged = mergeRules(current, {});
        expect(merged).toEqual(current);
        expect(merged).not.toBe(current);
        expect(merged.retrySettings).not.toBe(current.retrySettings);
      }),
    );
  });
  it("present fields replace whole, absent stay (property)", () => {
    fc.assert(
      fc.property(
        rulesArb,
        rulesArb,
        fc.subarray([
          "dialingMethod",
          "retrySettings",
          "abandonmentRateThreshold",
          "maxCallsPerAgent",
        ] as const),
        (current, other, fields) => {
          const desired: PartialRules = {};
          for (const f of fields) Object.assign(desired, { [f]: other[f] });
          const merged = mergeRules(current, desired);
          for (const f of [
            "dialingMethod",
            "retrySettings",
            "abandonmentRateThreshold",
            "maxCallsPerAgent",
          ] as const) {
            expect(merged[f]).toEqual(fields.includes(f) ? other[f] : current[f]);
          }
          expect(mergeRules(merged, desired)).toEqual(merged); // idempotent
        },
      ),
    );
  });
});

describe("order independence (property)", () => {
  it("the platform's listing order never changes the targets", () => {
    const file = fileOf({
      defaults: { dialingRules: { maxCallsPerAgent: 1 } },
      campaigns: [
        { match: "Collections-*", dialingRules: { dialingMethod: "PREVIEW" } },
        { id: "CMP-3", dialingRules: { dialingMethod: "POWER" } },
        { match: "*-East-*", dialingRules: { dialingMethod: "POWER" } },
      ],
    });
    const expected = resolveTargets(file, PLATFORM);
    fc.assert(
      fc.property(fc.shuffledSubarray(PLATFORM, { minLength: PLATFORM.length }), (shuffled) => {
        expect(resolveTargets(file, shuffled)).toEqual(expected);
      }),
    );
  });
});
