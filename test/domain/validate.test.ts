import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PROFILE_IDS, PROFILES, type ProfileId } from "../../src/domain/profiles.js";
import type { DialingMethod } from "../../src/domain/rules.js";
import { validateRules } from "../../src/domain/validate.js";
import { propertyRuns } from "../setup/property-runs.js";
import { baseRules, policyOf, schedule } from "./helpers.js";

const codes = (profiles: ProfileId[], rules = baseRules(), extra: Record<string, unknown> = {}) =>
  validateRules(rules, policyOf({ profiles, licenseTier: "ENTERPRISE", ...extra })).map((f) => f.code);

describe("abandonment limit per profile (boundaries)", () => {
  it.each([
    ["US_TCPA", 0.03, true],
    ["US_TCPA", 0.030001, false],
    ["US_TSR", 0.03, true],
    ["US_TSR", 0.030001, false],
    ["UK_OFCOM", 0.03, true],
    ["UK_OFCOM", 0.0301, false],
    ["CA_CRTC", 0.05, true],
    ["CA_CRTC", 0.050001, false],
    // profiles without an abandonment rule do not limit it
    ["US_REG_F", 0.2, true],
    ["FR", 0.2, true],
  ] as const)("%s maxRate %f passes: %s", (profile, maxRate, passes) => {
    const findings = validateRules(
      baseRules({ abandonmentRateThreshold: { maxRate, coolDownSec: 300 } }),
      policyOf({ profiles: [profile] }),
    );
    const f = findings.find((x) => x.code === "ABANDON_RATE_OVER_LIMIT");
    expect(f === undefined).toBe(passes);
    if (f) {
      expect(f.path).toBe("dialingRules.abandonmentRateThreshold.maxRate");
      expect(f.citation).toBe(PROFILES[profile].maxAbandonmentRate?.citation);
      expect(f.severity).toBe("error");
    }
  });

  it("combined profiles: the strictest wins (CA 5% + TCPA 3% → 3%)", () => {
    const rules = baseRules({ abandonmentRateThreshold: { maxRate: 0.04, coolDownSec: 1 } });
    expect(validateRules(rules, policyOf({ profiles: ["CA_CRTC"] }))).toEqual([]);
    const f = validateRules(rules, policyOf({ profiles: ["CA_CRTC", "US_TCPA"] }));
    expect(f.map((x) => x.code)).toEqual(["ABANDON_RATE_OVER_LIMIT"]);
    expect(f[0]?.message).toContain("US_TCPA limit of 0.03");
  });
});

describe("frequency rules as sliding windows (first call at minute 0)", () => {
  const DAY = 1440;
  it.each([
    // Reg F: more than 7 calls within 7 consecutive days
    ["US_REG_F", schedule(0, 60, 120, 180, 240, 300, 360), true], // 7 calls in one day
    ["US_REG_F", schedule(0, 60, 120, 180, 240, 300, 360, 420), false], // 8 calls
    ["US_REG_F", schedule(0, 1, 2, 3, 4, 5, 6, 7 * DAY), true], // 8th is on day 8: window is half-open
    ["US_REG_F", schedule(0, 1, 2, 3, 4, 5, 6, 7 * DAY - 1), false],
    ["US_REG_F", schedule(0, DAY, 2 * DAY, 3 * DAY, 4 * DAY, 5 * DAY, 6 * DAY, 7 * DAY, 8 * DAY), true], // 1/day
    // Florida / Oklahoma / Maryland: at most 3 per 24 h
    ["US_FL", schedule(0, 60, 120), true],
    ["US_FL", schedule(0, 60, 120, 180), false],
    ["US_FL", schedule(0, 60, 120, DAY), true],
    ["US_FL", schedule(0, 60, 120, DAY - 1), false],
    ["US_OK", schedule(0, 60, 120), true],
    ["US_OK", schedule(0, 60, 120, 180), false],
    ["US_MD", schedule(0, 60, 120), true],
    ["US_MD", schedule(0, 60, 120, 180), false],
    // sliding, not calendar: ≤ 3 per calendar day, yet 4 within minutes 1300–1600
    ["US_FL", schedule(0, 1300, 1400, 1500, 1600), false],
    // Massachusetts collections: at most 2 per 7 days
    ["US_MA_COLLECTIONS", schedule(0, 60), true],
    ["US_MA_COLLECTIONS", schedule(0, 60, 7 * DAY - 1), false],
    ["US_MA_COLLECTIONS", schedule(0, 60, 7 * DAY + 60), true],
    // France: at most 4 per 30 days
    ["FR", schedule(0, DAY, 2 * DAY, 3 * DAY), true],
    ["FR", schedule(0, DAY, 2 * DAY, 3 * DAY, 29 * DAY), false],
    ["FR", schedule(0, DAY, 2 * DAY, 3 * DAY, 30 * DAY), true],
  ] as const)("%s %j passes: %s", (profile, retrySettings, passes) => {
    const findings = validateRules(
      baseRules({ retrySettings: { ...retrySettings, intervalMinutes: [...retrySettings.intervalMinutes] } }),
      policyOf({ profiles: [profile], limits: { maxRetryIntervalMinutes: 43200 } }),
    );
    const f = findings.filter((x) => x.code === "FREQUENCY_WINDOW_EXCEEDED");
    expect(f.length === 0).toBe(passes);
    if (!passes) {
      expect(f[0]?.path).toBe("dialingRules.retrySettings.intervalMinutes");
      expect(f[0]?.citation).toBe(PROFILES[profile].frequency?.citation);
    }
    expect(findings.filter((x) => x.code !== "FREQUENCY_WINDOW_EXCEEDED" && x.severity === "error")).toEqual(
      [],
    );
  });

  it("the strictest rule for a window wins and quotes its own source (MA 2/7d over Reg F 7/7d)", () => {
    const rules = baseRules({ retrySettings: schedule(0, 60, 120) });
    const f = validateRules(rules, policyOf({ profiles: ["US_REG_F", "US_MA_COLLECTIONS"] }));
    expect(f.map((x) => x.code)).toEqual(["FREQUENCY_WINDOW_EXCEEDED"]);
    expect(f[0]?.citation).toContain("940 CMR 7.04(1)(f)");
  });

  it("identical rules from several profiles are reported once with both sources", () => {
    const f = validateRules(
      baseRules({ retrySettings: schedule(0, 1, 2, 3) }),
      policyOf({ profiles: ["US_FL", "US_OK", "US_MD"] }),
    );
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toContain("US_FL+US_OK+US_MD");
    expect(f[0]?.citation).toContain("Fla. Stat.");
    expect(f[0]?.citation).toContain("15 O.S.");
  });
});

describe("Ofcom 72 h re-call advice", () => {
  it.each([
    ["PREDICTIVE", 2, [60], true],
    ["POWER", 2, [60], true],
    ["PROGRESSIVE", 2, [60], true],
    ["PROGRESSIVE", 1, [60], false], // cannot abandon
    ["PREVIEW", 1, [60], false],
    ["PREDICTIVE", 2, [4320], false], // 72 h later
    ["PREDICTIVE", 2, [4319], true],
  ] as const)("%s ×%d retries %j warns: %s", (method, perAgent, intervals, warns) => {
    const f = validateRules(
      baseRules({
        dialingMethod: method,
        maxCallsPerAgent: perAgent,
        retrySettings: { maxAttempts: intervals.length, intervalMinutes: [...intervals] },
      }),
      policyOf({ profiles: ["UK_OFCOM"], licenseTier: "ENTERPRISE" }),
    );
    const w = f.filter((x) => x.code === "RECALL_WITHIN_ABANDON_WINDOW");
    expect(w.length === 1).toBe(warns);
    if (warns) expect(w[0]?.severity).toBe("warning");
    expect(f.filter((x) => x.severity === "error")).toEqual([]);
  });
});

describe("Ofcom 72 h re-call advice: the gap between two retries", () => {
  it("two retries 10 minutes apart, long after the first call, are flagged with that gap", () => {
    const f = validateRules(
      baseRules({
        dialingMethod: "PREDICTIVE",
        maxCallsPerAgent: 2,
        retrySettings: { maxAttempts: 2, intervalMinutes: [4400, 4410] },
      }),
      policyOf({ profiles: ["UK_OFCOM"], licenseTier: "ENTERPRISE" }),
    ).filter((x) => x.code === "RECALL_WITHIN_ABANDON_WINDOW");
    expect(f.map((x) => x.message)).toEqual([
      "PREDICTIVE can abandon calls and a retry comes 10 minutes after the previous attempt; after an abandoned or AMD-detected call, do not re-call within 72 h unless a live agent is guaranteed",
    ]);
  });
});

describe("licence", () => {
  it.each([
    ["ENTERPRISE", true],
    ["PROFESSIONAL", false],
    ["STANDARD", false],
    [undefined, false],
  ] as const)("PREDICTIVE with %s passes: %s", (tier, passes) => {
    const f = validateRules(
      baseRules({ dialingMethod: "PREDICTIVE", maxCallsPerAgent: 2 }),
      policyOf(tier ? { licenseTier: tier } : {}),
    );
    expect(f.some((x) => x.code === "LICENSE_PREDICTIVE_REQUIRES_ENTERPRISE")).toBe(!passes);
  });
  it("the message says which tier the file declares, or that it declares none", () => {
    const message = (tier?: string) =>
      validateRules(
        baseRules({ dialingMethod: "PREDICTIVE", maxCallsPerAgent: 2 }),
        policyOf(tier ? { licenseTier: tier } : {}),
      ).find((x) => x.code === "LICENSE_PREDICTIVE_REQUIRES_ENTERPRISE")?.message;
    expect(message()).toBe(
      "PREDICTIVE dialing needs the ENTERPRISE licence tier, but the rules file declares no licenseTier; use PROGRESSIVE, POWER or PREVIEW, or declare licenseTier: ENTERPRISE if the tenant has it",
    );
    expect(message("STANDARD")).toContain("but the rules file declares STANDARD;");
  });
  it("other methods need no licence tier", () => {
    for (const m of ["PROGRESSIVE", "POWER", "PREVIEW"] as const) {
      expect(validateRules(baseRules({ dialingMethod: m }), policyOf({}))).toEqual([]);
    }
  });
});

describe("maxCallsPerAgent per method", () => {
  it.each([
    ["PREVIEW", 1, null],
    ["PREVIEW", 2, "CALLS_PER_AGENT_PREVIEW"],
    ["PROGRESSIVE", 3, null],
    ["PROGRESSIVE", 4, "CALLS_PER_AGENT_OVER_CEILING"],
    ["POWER", 3, null],
    ["POWER", 4, "CALLS_PER_AGENT_OVER_CEILING"],
    ["PREDICTIVE", 3, null],
    ["PREDICTIVE", 4, "CALLS_PER_AGENT_OVER_CEILING"],
  ] as const)("%s with %d → %s", (method, n, code) => {
    const f = validateRules(
      baseRules({ dialingMethod: method as DialingMethod, maxCallsPerAgent: n }),
      policyOf({ licenseTier: "ENTERPRISE" }),
    );
    expect(f.map((x) => x.code)).toEqual(code ? [code] : []);
    if (code) {
      expect(f[0]?.path).toBe("dialingRules.maxCallsPerAgent");
      expect(f[0]?.citation).toBeTruthy();
    }
  });

  it("an override with a reason raises a ceiling; limits lower it", () => {
    const rules = baseRules({ dialingMethod: "POWER", maxCallsPerAgent: 4 });
    const loosened = policyOf({
      overrides: [{ limit: "maxCallsPerAgent.POWER", value: 4, reason: "vendor contract 17" }],
    });
    expect(validateRules(rules, loosened)).toEqual([]);
    expect(loosened.overrides).toEqual([
      { limit: "maxCallsPerAgent.POWER", from: 3, to: 4, reason: "vendor contract 17" },
    ]);
    const tightened = policyOf({ limits: { maxCallsPerAgent: 2 } });
    expect(
      validateRules(baseRules({ dialingMethod: "POWER", maxCallsPerAgent: 3 }), tightened).map((f) => f.code),
    ).toEqual(["CALLS_PER_AGENT_OVER_CEILING"]);
  });
});

describe("retry schedule structure", () => {
  const check = (maxAttempts: number, intervalMinutes: number[], limits: Record<string, unknown> = {}) =>
    validateRules(baseRules({ retrySettings: { maxAttempts, intervalMinutes } }), policyOf({ limits })).map(
      (f) => `${f.code}@${f.path.replace("dialingRules.retrySettings.", "")}`,
    );

  it("valid schedules pass", () => {
    expect(check(0, [])).toEqual([]);
    expect(check(3, [15, 60, 240], { minRetryIntervalMinutes: 10, maxRetryIntervalMinutes: 480 })).toEqual(
      [],
    );
    expect(check(2, [10, 480], { minRetryIntervalMinutes: 10, maxRetryIntervalMinutes: 480 })).toEqual([]);
  });
  it("intervals outside [min, max]", () => {
    expect(check(3, [5, 60, 600], { minRetryIntervalMinutes: 10, maxRetryIntervalMinutes: 480 })).toEqual([
      "RETRY_INTERVAL_OUT_OF_RANGE@intervalMinutes[0]",
      "RETRY_INTERVAL_OUT_OF_RANGE@intervalMinutes[2]",
    ]);
  });
  it("not strictly increasing — every offending index, including a retry at minute 0", () => {
    expect(check(3, [30, 30, 20])).toEqual([
      "RETRY_INTERVALS_NOT_INCREASING@intervalMinutes[1]",
      "RETRY_INTERVALS_NOT_INCREASING@intervalMinutes[2]",
    ]);
    expect(check(1, [0])).toEqual([
      "RETRY_INTERVAL_OUT_OF_RANGE@intervalMinutes[0]",
      "RETRY_INTERVALS_NOT_INCREASING@intervalMinutes[0]",
    ]);
  });
  it("gaps shorter than the minimum interval", () => {
    expect(check(2, [15, 20], { minRetryIntervalMinutes: 10 })).toEqual([
      "RETRY_GAP_TOO_SHORT@intervalMinutes[1]",
    ]);
  });
  it("maxAttempts must equal the number of intervals", () => {
    expect(check(3, [15, 60])).toEqual(["RETRY_COUNT_MISMATCH@maxAttempts"]);
    expect(check(1, [15, 60])).toEqual(["RETRY_COUNT_MISMATCH@maxAttempts"]);
  });
  it("limits.maxRetries caps the retries", () => {
    expect(check(3, [15, 60, 240], { maxRetries: 2 })).toEqual(["RETRY_TOO_MANY@maxAttempts"]);
    expect(check(2, [15, 60], { maxRetries: 2 })).toEqual([]);
  });

  it("what each schedule finding says, and which limit's source it cites", () => {
    const limits = { minRetryIntervalMinutes: 10, maxRetryIntervalMinutes: 480, maxRetries: 2 };
    const policy = policyOf({ limits });
    const findings = validateRules(
      baseRules({ retrySettings: { maxAttempts: 3, intervalMinutes: [5, 12, 600] } }),
      policy,
    ).map(({ severity, code, message, citation }) => ({ severity, code, message, citation }));
    expect(findings).toEqual([
      {
        severity: "error",
        code: "RETRY_INTERVAL_OUT_OF_RANGE",
        message: "retry 1 at minute 5 is outside the allowed range [10, 480] minutes after the first call",
        citation: policy.minRetryIntervalMinutes.citation,
      },
      {
        severity: "error",
        code: "RETRY_GAP_TOO_SHORT",
        message:
          "retry 2 at minute 12 is only 7 minutes after retry 1; at least 10 minutes are required between attempts",
        citation: policy.minRetryIntervalMinutes.citation,
      },
      {
        severity: "error",
        code: "RETRY_INTERVAL_OUT_OF_RANGE",
        message: "retry 3 at minute 600 is outside the allowed range [10, 480] minutes after the first call",
        citation: policy.maxRetryIntervalMinutes.citation,
      },
      {
        severity: "error",
        code: "RETRY_TOO_MANY",
        message: "maxAttempts 3 exceeds the limit of 2 retries",
        citation: policy.maxRetries?.citation,
      },
    ]);
    expect(policy.minRetryIntervalMinutes.citation).not.toBe(policy.maxRetryIntervalMinutes.citation);
    const messages = (maxAttempts: number, intervalMinutes: number[]) =>
      validateRules(baseRules({ retrySettings: { maxAttempts, intervalMinutes } }), policyOf({})).map(
        (f) => f.message,
      );
    expect(messages(2, [30, 20])).toContainEqual(
      "retry 2 at minute 20 is not after retry 1 at minute 30: the attempts would coincide or cross; list strictly increasing minutes",
    );
    expect(messages(1, [0])).toContainEqual(
      "retry 1 at minute 0 is not after the first call at minute 0: the attempts would coincide or cross; list strictly increasing minutes",
    );
    expect(messages(2, [60])).toEqual([
      "maxAttempts is 2 but intervalMinutes lists 1 retry; give one interval per retry",
    ]);
    expect(messages(1, [60, 120])).toEqual([
      "maxAttempts is 1 but intervalMinutes lists 2 retries; give one interval per retry",
    ]);
  });
});

describe("every profile", () => {
  it.each(PROFILE_IDS)("%s has a title, citations and produces its advisories once", (id) => {
    const p = PROFILES[id];
    expect(p.title).toBeTruthy();
    if (p.maxAbandonmentRate) expect(p.maxAbandonmentRate.citation).toBeTruthy();
    if (p.frequency) expect(p.frequency.citation).toBeTruthy();
    const policy = policyOf({ profiles: [id] });
    for (const a of p.advisories) {
      const f = policy.findings.find((x) => x.code === a.code && x.message.endsWith(a.message));
      expect(f?.severity).toBe("warning");
      expect(f?.citation).toContain(a.citation);
    }
    expect(policy.findings.every((f) => f.severity === "warning")).toBe(true);
  });
  it("calling hours and ring time are advisories (warnings), never errors", () => {
    const policy = policyOf({ profiles: [...PROFILE_IDS] });
    const codes = new Set(policy.findings.map((f) => f.code));
    expect(codes.has("ADVISORY_CALLING_HOURS")).toBe(true);
    expect(codes.has("ADVISORY_RING_TIME")).toBe(true);
    expect(policy.findings.filter((f) => f.severity === "error")).toEqual([]);
  });
});

describe("determinism and order independence (property)", () => {
  const rulesArb = fc.record({
    dialingMethod: fc.constantFrom<DialingMethod>("PREDICTIVE", "PROGRESSIVE", "POWER", "PREVIEW"),
    retrySettings: fc.array(fc.integer({ min: 0, max: 20000 }), { maxLength: 12 }).chain((intervalMinutes) =>
      fc.record({
        maxAttempts: fc.integer({ min: 0, max: 14 }),
        intervalMinutes: fc.constant(intervalMinutes),
      }),
    ),
    abandonmentRateThreshold: fc.record({
      maxRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
      coolDownSec: fc.nat(900),
    }),
    maxCallsPerAgent: fc.integer({ min: 1, max: 6 }),
  });
  const profilesArb = fc.shuffledSubarray([...PROFILE_IDS]);

  it("same input, same findings; the order of profiles never matters", () => {
    fc.assert(
      fc.property(
        rulesArb,
        profilesArb,
        fc.constantFrom("ENTERPRISE", "STANDARD"),
        (rules, profiles, tier) => {
          const a = validateRules(rules, policyOf({ profiles, licenseTier: tier }));
          const b = validateRules(
            structuredClone(rules),
            policyOf({ profiles: [...profiles].reverse(), licenseTier: tier }),
          );
          expect(b).toEqual(a);
          expect(validateRules(rules, policyOf({ profiles, licenseTier: tier }))).toEqual(a);
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });

  it("codes are known; every error has a path and message", () => {
    fc.assert(
      fc.property(rulesArb, profilesArb, (rules, profiles) => {
        for (const f of validateRules(rules, policyOf({ profiles }))) {
          expect(f.path.startsWith("dialingRules.")).toBe(true);
          expect(f.message.length).toBeGreaterThan(10);
          expect(f.code).toMatch(/^[A-Z_]+$/);
        }
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});

it("the tutorial's overlap flag bug does not recur: overlapping retries are always reported", () => {
  expect(codes([], baseRules({ retrySettings: { maxAttempts: 2, intervalMinutes: [60, 60] } }))).toContain(
    "RETRY_INTERVALS_NOT_INCREASING",
  );
});
