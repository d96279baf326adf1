import { describe, expect, it } from "vitest";
import { PROFILE_IDS, PROFILES } from "../../src/domain/profiles.js";
import { policyOf } from "./helpers.js";

/**
 * The regulatory data each profile brings, as literals: its advisories (codes; for the profiles whose only
 * findings are advisories, message and citation too) and its frequency window. A change to this data must be
 * a deliberate change of this table.
 */
describe("profile data", () => {
  it("each profile is filed under its own id", () => {
    for (const id of PROFILE_IDS) expect(PROFILES[id].id).toBe(id);
  });

  it.each([
    ["US_TCPA", ["ADVISORY_ABANDON_DEFINITION", "ADVISORY_CALLING_HOURS", "ADVISORY_RING_TIME"], []],
    ["US_TSR", ["ADVISORY_ABANDON_MESSAGE", "ADVISORY_RING_TIME"], []],
    ["US_REG_F", ["ADVISORY_AFTER_CONVERSATION"], [["US_REG_F", "7 consecutive days", 10080, 7]]],
    ["US_FL", ["ADVISORY_CALLING_HOURS"], [["US_FL", "24 hours", 1440, 3]]],
    [
      "US_OK",
      [
        [
          "ADVISORY_CALLING_HOURS",
          "US_OK: call only 08:00–20:00 in the called party's local time (not a campaign API field)",
          "15 O.S. § 775C.4",
        ],
      ],
      [["US_OK", "24 hours", 1440, 3]],
    ],
    [
      "US_MD",
      [
        [
          "ADVISORY_CALLING_HOURS",
          "US_MD: call only 08:00–20:00 in the called party's local time (not a campaign API field)",
          "Md. Com. Law § 14-4501 ff.",
        ],
      ],
      [["US_MD", "24 hours", 1440, 3]],
    ],
    ["US_MA_COLLECTIONS", [], [["US_MA_COLLECTIONS", "7 days", 10080, 2]]],
    ["UK_OFCOM", [], []],
    [
      "CA_CRTC",
      [
        [
          "ADVISORY_CALLING_HOURS",
          "CA_CRTC: call only 09:00–21:30 on weekdays and 10:00–18:00 on weekends (not a campaign API field)",
          "CRTC Unsolicited Telecommunications Rules",
        ],
      ],
      [],
    ],
    [
      "FR",
      [
        [
          "ADVISORY_CALLING_HOURS",
          "FR: call only Monday–Friday 10:00–13:00 and 14:00–20:00 (not a campaign API field)",
          "Code de la consommation art. D223-9",
        ],
        [
          "ADVISORY_REFUSAL_PAUSE",
          "FR: after a consumer refuses, do not call again for 60 days",
          "Code de la consommation art. D223-9",
        ],
      ],
      [["FR", "30 days", 43200, 4]],
    ],
  ] as [string, unknown[], unknown[]][])("%s: advisories and frequency window", (id, findings, frequency) => {
    const policy = policyOf({ profiles: [id], licenseTier: "ENTERPRISE" });
    const full = findings.some((f) => Array.isArray(f));
    expect(policy.findings.map((f) => (full ? [f.code, f.message, f.citation] : f.code))).toEqual(findings);
    expect(policy.frequency.map((f) => [f.id, f.window, f.windowMinutes, f.maxAttempts])).toEqual(frequency);
  });
});
