import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock/clock.js";
import { type Campaign, RULE_FIELDS } from "../../src/domain/rules.js";
import { parseRulesValue } from "../../src/domain/rules-file.js";
import { planAgainst } from "../../src/engine/plan.js";
import type { Platform } from "../../src/platform/platform.js";
import { baseRules } from "../domain/helpers.js";

/** planAgainst only reads a platform's name and capabilities; it never calls it. */
const offline: Platform = {
  name: "v2",
  capabilities: { conditionalWrite: true, writableFields: RULE_FIELDS },
  getCampaign: () => Promise.reject(new Error("not called")),
  listCampaigns: () => Promise.reject(new Error("not called")),
  updateRules: () => Promise.reject(new Error("not called")),
  close: () => Promise.resolve(),
};

const campaign = (id: string, name: string): Campaign => ({
  id,
  name,
  status: "ACTIVE",
  revision: 1,
  dialingRules: baseRules(),
});

const planOf = (value: Record<string, unknown>, campaigns: Campaign[]) =>
  planAgainst(
    {
      file: parseRulesValue({ profiles: [], ...value }, "test.yaml"),
      sourceText: JSON.stringify(value),
      platform: offline,
      clock: systemClock,
    },
    campaigns,
  );

describe("plan: nothing an entry selects is silently dropped", () => {
  it("campaigns two match entries claim with different values are listed invalid, naming both (reproduction)", () => {
    const campaigns = [
      campaign("CMP-1", "Survey-NPS-001"),
      campaign("CMP-2", "Survey-CSAT-002"),
      campaign("CMP-3", "Survey-NPS-003"),
    ];
    const plan = planOf(
      {
        campaigns: [
          { match: "Survey-*", dialingRules: { dialingMethod: "PREVIEW" } },
          { match: "Survey-NPS-*", dialingRules: { dialingMethod: "PROGRESSIVE" } },
        ],
      },
      campaigns,
    );
    expect(plan.campaigns.map((c) => [c.id, c.status])).toEqual([
      ["CMP-1", "invalid"],
      ["CMP-2", "change"],
      ["CMP-3", "invalid"],
    ]);
    expect(plan.summary).toMatchObject({ toChange: 1, invalid: 2 });
    const finding = plan.campaigns[0]?.findings.find((f) => f.code === "TARGET_MATCH_CONFLICT");
    expect(finding?.message).toContain('campaigns[0] (match "Survey-*")');
    expect(finding?.message).toContain('campaigns[1] (match "Survey-NPS-*")');
  });

  it("every campaign any entry selects appears in the plan with a status (property)", () => {
    const names = fc.constantFrom("A-x-1", "A-y-2", "B-x-3", "B-y-4", "C-x-5", "A-x-6");
    const patterns = fc.constantFrom("A-*", "*-x-*", "B-*", "*", "*-y-*", "C-*", "Z-*");
    const rules = fc.record(
      {
        dialingMethod: fc.constantFrom("PREVIEW", "PROGRESSIVE", "POWER"),
        maxCallsPerAgent: fc.integer({ min: 1, max: 3 }),
      },
      { requiredKeys: [] },
    );
    const entries = fc.tuple(
      fc.uniqueArray(fc.record({ id: fc.constantFrom("C0", "C1", "C2", "C3", "C9"), dialingRules: rules }), {
        selector: (e) => e.id,
        maxLength: 4,
      }),
      fc.uniqueArray(fc.record({ match: patterns, dialingRules: rules }), {
        selector: (e) => e.match,
        maxLength: 4,
      }),
    );
    fc.assert(
      fc.property(fc.array(names, { maxLength: 6 }), entries, (campaignNames, [ids, matches]) => {
        const campaigns = campaignNames.map((n, i) => campaign(`C${i}`, n));
        const plan = planOf({ campaigns: [...ids, ...matches] }, campaigns);
        const selected = campaigns.filter(
          (c) => ids.some((e) => e.id === c.id) || matches.some((e) => picomatch.isMatch(c.name, e.match)),
        );
        const listed = new Map(plan.campaigns.map((c) => [c.id, c.status]));
        for (const c of selected) expect(listed.get(c.id), c.id).toMatch(/^(change|unchanged|invalid)$/);
        expect(plan.campaigns).toHaveLength(selected.length);
        const counted = plan.summary.toChange + plan.summary.unchanged + plan.summary.invalid;
        expect(counted).toBe(selected.length);
      }),
    );
  });
});
