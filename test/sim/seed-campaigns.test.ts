import { describe, expect, it } from "vitest";
import { Random } from "../../src/sim/random.js";
import { seedCampaigns } from "../../src/sim/seed-campaigns.js";
import { validateRulesPatch } from "../../src/sim/validate-patch.js";
import { componentValidator } from "./contract.js";

const NOW = Date.UTC(2026, 0, 1);

describe("seeded campaigns", () => {
  const campaigns = seedCampaigns(200, new Random(1), NOW);

  it("numbers ids from CMP-10001 and gives varied, numbered names", () => {
    expect(campaigns.map((c) => c.id)).toEqual(Array.from({ length: 200 }, (_, i) => `CMP-${10001 + i}`));
    expect(campaigns.every((c, i) => c.name.endsWith(`-${String(i + 1).padStart(3, "0")}`))).toBe(true);
    const families = new Set(campaigns.map((c) => c.name.replace(/-\d+$/, "").split("-")[0]));
    expect(families).toEqual(new Set(["Collections", "Sales", "Survey", "Reminders"]));
    expect(new Set(campaigns.map((c) => c.status))).toEqual(new Set(["ACTIVE", "PAUSED", "STOPPED"]));
    expect(new Set(campaigns.map((c) => c.dialingRules.dialingMethod)).size).toBe(4);
  });

  it("is valid per the contract and the platform rule", () => {
    const validCampaign = componentValidator("Campaign");
    for (const c of campaigns) {
      expect(validCampaign(c), c.id).toBe(true);
      expect(validateRulesPatch(c.dialingRules), c.id).toEqual([]);
    }
  });

  it("is mostly US-compliant and realistic", () => {
    const compliant = campaigns.filter((c) => {
      const { retrySettings, abandonmentRateThreshold } = c.dialingRules;
      const increasing = retrySettings.intervalMinutes.every((m, i, all) => i === 0 || m > (all[i - 1] ?? 0));
      return abandonmentRateThreshold.maxRate <= 0.03 && increasing;
    });
    expect(compliant.length).toBeGreaterThanOrEqual(180);
    expect(compliant.length).toBeLessThan(200); // some drift for audits to find
    for (const c of campaigns.filter((x) => x.dialingRules.dialingMethod === "PREVIEW")) {
      expect(c.dialingRules.maxCallsPerAgent).toBe(1);
    }
  });

  it("is deterministic for a seed", () => {
    expect(seedCampaigns(200, new Random(1), NOW)).toEqual(campaigns);
    expect(seedCampaigns(200, new Random(2), NOW)).not.toEqual(campaigns);
  });
});
