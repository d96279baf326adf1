import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock/clock.js";
import { type Campaign, RULE_FIELDS } from "../../src/domain/rules.js";
import { parseRulesValue } from "../../src/domain/rules-file.js";
import { createPlan, planAgainst, sha256 } from "../../src/engine/plan.js";
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

const planOf = (value: Record<string, unknown>, campaigns: Campaign[], platform: Platform = offline) =>
  planAgainst(
    {
      file: parseRulesValue({ profiles: [], ...value }, "test.yaml"),
      sourceText: JSON.stringify(value),
      platform,
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

/** The plan's file findings but the policy's own (`profiles: []` is warned about). */
const aboutTargets = (plan: ReturnType<typeof planOf>) =>
  plan.findings.filter((f) => f.code !== "POLICY_NO_PROFILE");

describe("plan: what it says about each campaign and the file", () => {
  const rules = { dialingRules: { dialingMethod: "POWER" } };

  it("is in id order, hashed from the source text, and counts the file's errors (an unknown id is one)", () => {
    const value = {
      campaigns: [
        { id: "CMP-B", ...rules },
        { id: "cmp-a", ...rules },
        { id: "CMP-404", ...rules },
      ],
    };
    const plan = planOf(value, [campaign("CMP-B", "b"), campaign("cmp-a", "a")]);
    expect(plan.format).toBe("dialrules-plan/1");
    expect(plan.sourceHash).toBe(sha256(JSON.stringify(value)));
    expect(plan.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.campaigns.map((c) => c.id)).toEqual(["cmp-a", "CMP-B"]);
    expect(aboutTargets(plan).map((f) => [f.code, f.path])).toEqual([
      ["TARGET_ID_NOT_FOUND", "campaigns[2].id"],
    ]);
    expect(plan.summary).toEqual({ toChange: 2, unchanged: 0, invalid: 0, fileErrors: 1 });
    // A platform without listing notes has nothing to say about campaigns it leaves alone.
    expect(plan).not.toHaveProperty("notManaged");
  });

  it("keeps every targeting finding of a campaign (two fields in conflict: two findings)", () => {
    const plan = planOf(
      {
        campaigns: [
          { match: "S-*", dialingRules: { dialingMethod: "POWER", maxCallsPerAgent: 1 } },
          { match: "S-1", dialingRules: { dialingMethod: "PREVIEW", maxCallsPerAgent: 2 } },
        ],
      },
      [campaign("CMP-1", "S-1")],
    );
    expect(
      plan.campaigns[0]?.findings.filter((f) => f.code === "TARGET_MATCH_CONFLICT").map((f) => f.path),
    ).toEqual(["campaigns[1].dialingRules.dialingMethod", "campaigns[1].dialingRules.maxCallsPerAgent"]);
  });

  it("names a field the platform cannot write or change while running, and checks only writable ones", () => {
    const checked: object[] = [];
    const limited: Platform = {
      ...offline,
      name: "limited",
      capabilities: {
        conditionalWrite: true,
        writableFields: ["dialingMethod", "maxCallsPerAgent"],
        writableWhileActive: [],
      },
      checkWrite: (patch) => {
        checked.push(patch);
        return [{ field: "maxCallsPerAgent", message: "too many" }];
      },
    };
    const plan = planOf(
      {
        campaigns: [
          {
            id: "CMP-1",
            dialingRules: {
              maxCallsPerAgent: 2,
              abandonmentRateThreshold: { maxRate: 0.02, coolDownSec: 300 },
            },
          },
        ],
      },
      [campaign("CMP-1", "a")],
      limited,
    );
    expect(checked).toEqual([{ maxCallsPerAgent: 2 }]);
    expect(plan.campaigns[0]?.status).toBe("invalid");
    expect(plan.campaigns[0]?.findings.filter((f) => f.code !== "TARGET_MATCH_CONFLICT")).toEqual([
      {
        severity: "error",
        code: "CAMPAIGN_RUNNING",
        path: "dialingRules.abandonmentRateThreshold",
        message:
          "the campaign is running and the limited platform only accepts changes to nothing while it runs; stop the campaign first, or leave abandonmentRateThreshold out for now",
      },
      {
        severity: "error",
        code: "CAMPAIGN_RUNNING",
        path: "dialingRules.maxCallsPerAgent",
        message:
          "the campaign is running and the limited platform only accepts changes to nothing while it runs; stop the campaign first, or leave maxCallsPerAgent out for now",
      },
      {
        severity: "error",
        code: "PLATFORM_FIELD_NOT_WRITABLE",
        path: "dialingRules.abandonmentRateThreshold",
        message:
          "the limited platform has no setting for abandonmentRateThreshold; change it in the platform's own admin tool or remove it from the rules file",
      },
      {
        severity: "error",
        code: "PLATFORM_CANNOT_STORE",
        path: "dialingRules.maxCallsPerAgent",
        message: "limited: too many",
      },
    ]);
  });

  it("lists the fields writable while running, comma-separated", () => {
    const running: Platform = {
      ...offline,
      capabilities: {
        ...offline.capabilities,
        writableWhileActive: ["abandonmentRateThreshold", "maxCallsPerAgent"],
      },
    };
    const plan = planOf({ campaigns: [{ id: "CMP-1", ...rules }] }, [campaign("CMP-1", "a")], running);
    expect(plan.campaigns[0]?.findings.map((f) => f.message)).toEqual([
      "the campaign is running and the v2 platform only accepts changes to abandonmentRateThreshold, maxCallsPerAgent while it runs; stop the campaign first, or leave dialingMethod out for now",
    ]);
  });

  it("an id or match naming a campaign the platform leaves alone is a warning with the reason, not an error", () => {
    const skipping: Platform = {
      ...offline,
      listingNotes: () => ({
        notManaged: [
          { id: "SK-9", name: "IVR-blast", reason: "agentless campaign" },
          { id: "SK-8", name: "Other", reason: "external campaign" },
        ],
        findings: [],
      }),
    };
    // Eleven entries before the one naming SK-9, so its index has two digits.
    const padding = Array.from({ length: 11 }, (_, i) => ({ id: `CMP-${i}`, ...rules }));
    const plan = planOf(
      {
        campaigns: [
          ...padding,
          { id: "SK-9", ...rules },
          { id: "CMP-404", ...rules },
          { match: "IVR-*", ...rules },
        ],
      },
      padding.map((e) => campaign(e.id, e.id)),
      skipping,
    );
    expect(aboutTargets(plan)).toEqual([
      {
        severity: "warning",
        code: "CAMPAIGN_NOT_MANAGED",
        path: "campaigns[11].id",
        message:
          "campaign SK-9 (IVR-blast) is not managed by dialrules: agentless campaign; nothing is planned for it",
      },
      expect.objectContaining({ code: "TARGET_ID_NOT_FOUND", path: "campaigns[12].id" }),
      expect.objectContaining({ code: "TARGET_MATCH_EMPTY", path: "campaigns[13].match" }),
      {
        severity: "warning",
        code: "CAMPAIGN_NOT_MANAGED",
        path: "campaigns[13]",
        message:
          "campaign SK-9 (IVR-blast) matches but is not managed by dialrules: agentless campaign; nothing is planned for it",
      },
    ]);
    expect(plan.notManaged?.map((c) => c.id)).toEqual(["SK-9", "SK-8"]);
  });

  it("no campaign left alone: no notManaged list", () => {
    const none: Platform = { ...offline, listingNotes: () => ({ notManaged: [], findings: [] }) };
    expect(
      planOf({ campaigns: [{ id: "CMP-1", ...rules }] }, [campaign("CMP-1", "a")], none),
    ).not.toHaveProperty("notManaged");
  });

  it("estimates capacity when given the inputs", () => {
    const plan = planAgainst(
      {
        file: parseRulesValue({ profiles: [], campaigns: [{ id: "CMP-1", ...rules }] }, "test.yaml"),
        sourceText: "",
        platform: offline,
        clock: systemClock,
        capacity: { agents: 10, avgHandleTimeSec: 180, connectRate: 0.3 },
      },
      [campaign("CMP-1", "a")],
    );
    expect(plan.campaigns[0]?.capacity).toMatchObject({ method: "POWER", inputs: { agents: 10 } });
  });

  it("createPlan reads the campaigns with the caller's abort signal", async () => {
    const signal = new AbortController().signal;
    const seen: unknown[] = [];
    const listing: Platform = {
      ...offline,
      listCampaigns: (options) => {
        seen.push(options?.signal);
        return Promise.resolve([campaign("CMP-1", "a")]);
      },
    };
    const plan = await createPlan({
      file: parseRulesValue({ profiles: [], campaigns: [] }, "t.yaml"),
      sourceText: "",
      platform: listing,
      clock: systemClock,
      signal,
    });
    expect(plan.campaigns).toEqual([]);
    expect(seen).toEqual([signal]);
  });
});
