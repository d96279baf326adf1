import { describe, expect, it } from "vitest";
import { floorOnly, underFloor } from "../../src/domain/policy-floor.js";
import { fileOf } from "./helpers.js";

const FLOOR = fileOf({
  profiles: ["US_TCPA"],
  licenseTier: "PROFESSIONAL",
  limits: {
    maxAbandonmentRate: 0.02,
    minRetryIntervalMinutes: 30,
    maxRetryIntervalMinutes: 600,
    maxRetries: 4,
    maxCallsPerAgent: 3,
    frequency: [{ maxAttempts: 3, windowMinutes: 60 }],
  },
  overrides: [{ limit: "maxCallsPerAgent.POWER", value: 3, reason: "floor: pilot" }],
});
const CHANGE = fileOf({
  profiles: ["UK_OFCOM", "US_TCPA"],
  licenseTier: "ENTERPRISE",
  limits: {
    maxAbandonmentRate: 0.01,
    minRetryIntervalMinutes: 20,
    maxRetryIntervalMinutes: 900,
    maxRetries: 6,
    maxCallsPerAgent: 2,
    frequency: [{ maxAttempts: 2, windowMinutes: 30 }],
  },
  overrides: [{ limit: "maxAbandonmentRate", value: 0.03, reason: "change: legal opinion" }],
  campaigns: [{ id: "CMP-1", dialingRules: { maxCallsPerAgent: 1 } }],
});

describe("a server's policy as a floor under a change", () => {
  it("under the floor: both sets of profiles, the strictest of each limit, both frequency rules, the floor's tier", () => {
    const judged = underFloor(CHANGE, FLOOR);
    expect(judged.profiles).toEqual(["US_TCPA", "UK_OFCOM"]);
    expect(judged.licenseTier).toBe("PROFESSIONAL");
    expect(judged.limits).toEqual({
      maxAbandonmentRate: 0.01,
      minRetryIntervalMinutes: 30,
      maxRetryIntervalMinutes: 600,
      maxRetries: 4,
      maxCallsPerAgent: 2,
      frequency: [
        { maxAttempts: 3, windowMinutes: 60 },
        { maxAttempts: 2, windowMinutes: 30 },
      ],
    });
    expect(judged.overrides.map((o) => o.reason)).toEqual(["floor: pilot", "change: legal opinion"]);
    expect(judged.campaigns).toEqual(CHANGE.campaigns);
  });

  it("a floor without a tier leaves none (the change cannot bring its own); no limits on either side, none", () => {
    const bare = fileOf({ profiles: [] });
    const judged = underFloor(CHANGE, bare);
    expect(judged).not.toHaveProperty("licenseTier");
    expect(judged.limits).toEqual(CHANGE.limits);
    expect(Object.keys(underFloor(bare, bare).limits)).toEqual([]);
    expect(underFloor(bare, FLOOR).limits).toEqual(FLOOR.limits);
  });

  it("the floor alone: its profiles, limits and tier, with the change's campaigns and every override", () => {
    const alone = floorOnly(CHANGE, FLOOR);
    expect(alone.profiles).toEqual(["US_TCPA"]);
    expect(alone.licenseTier).toBe("PROFESSIONAL");
    expect(alone.limits).toEqual(FLOOR.limits);
    expect(alone.overrides.map((o) => o.reason)).toEqual(["floor: pilot", "change: legal opinion"]);
    expect(alone.campaigns).toEqual(CHANGE.campaigns);
    expect(floorOnly(CHANGE, fileOf({ profiles: [] }))).not.toHaveProperty("licenseTier");
  });
});
