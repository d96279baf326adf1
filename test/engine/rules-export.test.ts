import { describe, expect, it } from "vitest";
import type { Campaign, DialingRules } from "../../src/domain/rules.js";
import { renderExport, selectCampaigns } from "../../src/engine/rules-export.js";
import { baseRules } from "../domain/helpers.js";

const campaign = (id: string, name: string, dialingRules: DialingRules = baseRules()): Campaign => ({
  id,
  name,
  status: "STOPPED",
  revision: 1,
  dialingRules,
});

const CAMPAIGNS = [
  campaign("CMP-3", "Survey-NPS"),
  campaign("CMP-1", "Sales-East"),
  campaign("CMP-2", "Survey-CSAT"),
  campaign("CMP-4", "Sales-West"),
];
const idsOf = (cs: readonly Campaign[]) => cs.map((c) => c.id);

describe("export: which campaigns", () => {
  it("--all takes every campaign, in id order", () => {
    expect(idsOf(selectCampaigns(CAMPAIGNS, { ids: [], all: true }))).toEqual([
      "CMP-1",
      "CMP-2",
      "CMP-3",
      "CMP-4",
    ]);
  });

  it("--id and --match select their union, in id order; nothing selected without them", () => {
    expect(idsOf(selectCampaigns(CAMPAIGNS, { ids: ["CMP-4"], match: "Survey-*", all: false }))).toEqual([
      "CMP-2",
      "CMP-3",
      "CMP-4",
    ]);
    expect(idsOf(selectCampaigns(CAMPAIGNS, { ids: ["CMP-4", "CMP-1"], all: false }))).toEqual([
      "CMP-1",
      "CMP-4",
    ]);
    expect(selectCampaigns(CAMPAIGNS, { ids: [], all: false })).toEqual([]);
  });
});

describe("export: the rules file written", () => {
  const header = { platform: "v2", exportedAt: "2026-01-02T03:04:05.000Z", profiles: ["US_TCPA" as const] };

  it("YAML starts with where it came from, then the profiles, licence tier and one id entry per campaign", () => {
    const text = renderExport([campaign("CMP-1", "Sales-East")], { ...header, licenseTier: "ENTERPRISE" });
    expect(text).toBe(
      [
        "# Exported by dialrules from the v2 platform at 2026-01-02T03:04:05.000Z.",
        "# 1 campaign(s); names: Sales-East",
        "profiles:",
        "  - US_TCPA",
        "licenseTier: ENTERPRISE",
        "campaigns:",
        "  - id: CMP-1",
        "    dialingRules:",
        "      dialingMethod: PROGRESSIVE",
        "      retrySettings:",
        "        maxAttempts: 2",
        "        intervalMinutes:",
        "          - 60",
        "          - 1440",
        "      abandonmentRateThreshold:",
        "        maxRate: 0.03",
        "        coolDownSec: 300",
        "      maxCallsPerAgent: 1",
        "",
      ].join("\n"),
    );
  });

  it("the YAML intro names at most five campaigns, then an ellipsis", () => {
    const six = Array.from({ length: 6 }, (_, i) => campaign(`CMP-${i}`, `N${i}`));
    expect(renderExport(six, header).split("\n")[1]).toBe("# 6 campaign(s); names: N0, N1, N2, N3, N4, …");
    expect(renderExport(six.slice(0, 5), header).split("\n")[1]).toBe(
      "# 5 campaign(s); names: N0, N1, N2, N3, N4",
    );
  });

  it("JSON is the document alone; no licence tier unless given; a method the platform cannot tell is left out", () => {
    const unknownMethod = baseRules({ dialingMethod: { oneOf: ["PROGRESSIVE", "PREDICTIVE"] } });
    const text = renderExport([campaign("CMP-1", "Sales-East", unknownMethod)], header, "json");
    const { dialingMethod: _left, ...rest } = unknownMethod;
    expect(text).toBe(
      `${JSON.stringify({ profiles: ["US_TCPA"], campaigns: [{ id: "CMP-1", dialingRules: rest }] }, null, 2)}\n`,
    );
  });

  it("long lines are not folded; an empty schedule is written []", () => {
    const long = baseRules({ retrySettings: { maxAttempts: 0, intervalMinutes: [] } });
    const name = "x x ".repeat(30).trim();
    const text = renderExport([campaign(`CMP-${name}`, name, long)], header);
    expect(text).toContain(`  - id: CMP-${name}\n`);
    expect(text).toContain("        intervalMinutes: []\n");
  });
});
