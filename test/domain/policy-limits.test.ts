/**
 * The policy's limits value by value: ties between profiles, limits equal to the effective value, overrides of
 * every kind of limit, frequency windows shared by several profiles, advisories and the order of findings.
 */
import { describe, expect, it } from "vitest";
import { policyOf } from "./helpers.js";

const TCPA_ABANDON =
  "47 CFR 64.1200(a)(7): abandoned calls ≤ 3% of calls answered live, per campaign per 30 days";
const TSR_ABANDON = "16 CFR 310.4(b)(4): safe harbour ≤ 3% abandoned per campaign per 30-day period";
const OFCOM_ABANDON =
  "Ofcom persistent-misuse statement 2010 (method kept in 2016): abandoned calls ≤ 3% of live calls per campaign per 24 h, incl. AMD false positives";
const BASELINE_MIN = {
  value: 1,
  citation: "dialrules baseline: a retry needs at least one minute after the previous attempt",
  source: "baseline",
};
const BASELINE_MAX = {
  value: 43200,
  citation: "dialrules baseline: a retry more than 30 days after the first call belongs to a new campaign",
  source: "baseline",
};
const PREVIEW = {
  value: 1,
  citation: "preview dialing: the agent reviews the record and places exactly one call (platform contract)",
  source: "baseline",
};
const PROGRESSIVE = {
  value: 3,
  citation:
    "dialrules ceiling 3 lines/agent, after Cisco Unified CCX admin API linesPerAgent ≤ 3.0 (agent progressive campaigns)",
  source: "baseline",
};
const POWER = {
  value: 3,
  citation:
    "dialrules ceiling 3 lines/agent for fixed-ratio dialing; no public CXone bound — same value as Cisco Unified CCX lines-per-agent ≤ 3.0",
  source: "baseline",
};
const PREDICTIVE = {
  value: 3,
  citation:
    "dialrules ceiling 3 lines/agent, after Cisco Unified CCX admin API maxLinesPerAgent ≤ 3.0 (agent predictive campaigns)",
  source: "baseline",
};
const fromLimits = (value: number) => ({
  value,
  citation: "rules file limits.maxCallsPerAgent",
  source: "limits",
});
const nonAdvisory = (p: ReturnType<typeof policyOf>) =>
  p.findings.filter((f) => !f.code.startsWith("ADVISORY_"));

describe("policyFromFile: baseline and ties", () => {
  it("a file without profiles or limits gets exactly the baseline, and no key for an absent limit", () => {
    expect(policyOf({})).toStrictEqual({
      profiles: [],
      minRetryIntervalMinutes: BASELINE_MIN,
      maxRetryIntervalMinutes: BASELINE_MAX,
      maxCallsPerAgent: { PREVIEW, PROGRESSIVE, POWER, PREDICTIVE },
      frequency: [],
      overrides: [],
      findings: [
        {
          severity: "warning",
          code: "POLICY_NO_PROFILE",
          path: "profiles",
          message:
            "no regulatory profile selected: only structural checks run; list the profiles that apply (e.g. US_TCPA)",
        },
      ],
    });
  });

  it("profiles with the same abandonment limit share it: sources joined by '+', citations by '; '", () => {
    expect(policyOf({ profiles: ["UK_OFCOM", "US_TSR", "US_TCPA"] }).maxAbandonmentRate).toEqual({
      value: 0.03,
      citation: `${TCPA_ABANDON}; ${TSR_ABANDON}; ${OFCOM_ABANDON}`,
      source: "US_TCPA+US_TSR+UK_OFCOM",
    });
    expect(policyOf({ profiles: ["CA_CRTC", "UK_OFCOM"] }).maxAbandonmentRate).toEqual({
      value: 0.03,
      citation: OFCOM_ABANDON,
      source: "UK_OFCOM",
    });
  });

  it("a limit equal to the effective one is no error and leaves its source", () => {
    const p = policyOf({
      profiles: ["US_TCPA"],
      limits: {
        maxAbandonmentRate: 0.03,
        minRetryIntervalMinutes: 1,
        maxRetryIntervalMinutes: 43200,
        maxCallsPerAgent: 3,
      },
    });
    expect(nonAdvisory(p)).toEqual([]);
    expect(p.maxAbandonmentRate).toEqual({ value: 0.03, citation: TCPA_ABANDON, source: "US_TCPA" });
    expect(p.minRetryIntervalMinutes).toEqual(BASELINE_MIN);
    expect(p.maxRetryIntervalMinutes).toEqual(BASELINE_MAX);
    expect(p.maxCallsPerAgent).toEqual({ PREVIEW, PROGRESSIVE, POWER, PREDICTIVE });
  });

  it("a retry-interval range of one value is allowed; one below it is empty", () => {
    expect(
      nonAdvisory(
        policyOf({
          profiles: ["US_TCPA"],
          limits: { minRetryIntervalMinutes: 400, maxRetryIntervalMinutes: 400 },
        }),
      ),
    ).toEqual([]);
    expect(
      nonAdvisory(
        policyOf({
          profiles: ["US_TCPA"],
          limits: { minRetryIntervalMinutes: 401, maxRetryIntervalMinutes: 400 },
        }),
      ),
    ).toEqual([
      {
        severity: "error",
        code: "POLICY_EMPTY_RANGE",
        path: "limits",
        message:
          "minRetryIntervalMinutes 401 is above maxRetryIntervalMinutes 400: no retry schedule can pass",
      },
    ]);
  });

  it("the license tier and UK_OFCOM's re-call wait are carried into the policy", () => {
    const p = policyOf({ profiles: ["UK_OFCOM"], licenseTier: "ENTERPRISE" });
    expect(p.licenseTier).toBe("ENTERPRISE");
    expect(p.recallAfterAbandonMinutes).toEqual({
      value: 4320,
      citation:
        "Ofcom persistent-misuse statement 2010: no re-call within 72 h after an abandoned or AMD-detected call unless a live agent is guaranteed",
      source: "UK_OFCOM",
    });
  });

  it("limits.maxAbandonmentRate without a profile that limits it sets the limit", () => {
    const p = policyOf({ limits: { maxAbandonmentRate: 0.04 } });
    expect(p.maxAbandonmentRate).toEqual({
      value: 0.04,
      citation: "rules file limits.maxAbandonmentRate",
      source: "limits",
    });
    expect(nonAdvisory(p).map((f) => f.code)).toEqual(["POLICY_NO_PROFILE"]);
  });
});

describe("policyFromFile: limits.maxCallsPerAgent", () => {
  it("lowers only the ceilings above it; PREVIEW's 1 stays the baseline's", () => {
    const two = policyOf({ profiles: ["US_TCPA"], limits: { maxCallsPerAgent: 2 } });
    expect(nonAdvisory(two)).toEqual([]);
    expect(two.maxCallsPerAgent).toEqual({
      PREVIEW,
      PROGRESSIVE: fromLimits(2),
      POWER: fromLimits(2),
      PREDICTIVE: fromLimits(2),
    });
    const one = policyOf({ profiles: ["US_TCPA"], limits: { maxCallsPerAgent: 1 } });
    expect(one.maxCallsPerAgent).toEqual({
      PREVIEW,
      PROGRESSIVE: fromLimits(1),
      POWER: fromLimits(1),
      PREDICTIVE: fromLimits(1),
    });
  });

  it("above every ceiling is LIMIT_LOOSENS, quoting the highest ceiling, and changes nothing", () => {
    const p = policyOf({ profiles: ["US_TCPA"], limits: { maxCallsPerAgent: 10 } });
    expect(nonAdvisory(p)).toEqual([
      {
        severity: "error",
        code: "LIMIT_LOOSENS",
        path: "limits.maxCallsPerAgent",
        message:
          "10 is looser than the effective limit 3; limits: can only tighten — loosening needs an overrides: entry with a reason",
      },
    ]);
    expect(p.maxCallsPerAgent).toEqual({ PREVIEW, PROGRESSIVE, POWER, PREDICTIVE });
  });

  it("after an override raised one ceiling, a value below it tightens that one; above it is an error", () => {
    const overrides = [{ limit: "maxCallsPerAgent.POWER", value: 5, reason: "pilot" }];
    const four = policyOf({ profiles: ["US_TCPA"], overrides, limits: { maxCallsPerAgent: 4 } });
    expect(nonAdvisory(four)).toEqual([]);
    expect(four.maxCallsPerAgent).toEqual({ PREVIEW, PROGRESSIVE, POWER: fromLimits(4), PREDICTIVE });
    const six = policyOf({ profiles: ["US_TCPA"], overrides, limits: { maxCallsPerAgent: 6 } });
    expect(nonAdvisory(six).map((f) => f.message)).toEqual([
      "6 is looser than the effective limit 5; limits: can only tighten — loosening needs an overrides: entry with a reason",
    ]);
  });
  it("a value equal to the highest ceiling is no error, even above the others", () => {
    const p = policyOf({
      profiles: ["US_TCPA"],
      overrides: [{ limit: "maxCallsPerAgent.POWER", value: 5, reason: "pilot" }],
      limits: { maxCallsPerAgent: 5 },
    });
    expect(nonAdvisory(p)).toEqual([]);
    expect(p.maxCallsPerAgent).toEqual({
      PREVIEW,
      PROGRESSIVE,
      POWER: { value: 5, citation: "override (pilot)", source: "overrides[0]" },
      PREDICTIVE,
    });
  });
});

describe("policyFromFile: overrides", () => {
  it("loosen the retry-interval limits and the ceilings, each recorded with its reason", () => {
    const p = policyOf({
      profiles: ["US_TCPA"],
      overrides: [
        { limit: "minRetryIntervalMinutes", value: 0, reason: "r0" },
        { limit: "maxRetryIntervalMinutes", value: 50000, reason: "r1" },
        { limit: "maxCallsPerAgent.POWER", value: 5, reason: "r2" },
      ],
    });
    expect(nonAdvisory(p)).toEqual([]);
    expect(p.minRetryIntervalMinutes).toEqual({
      value: 0,
      citation: "override (r0)",
      source: "overrides[0]",
    });
    expect(p.maxRetryIntervalMinutes).toEqual({
      value: 50000,
      citation: "override (r1)",
      source: "overrides[1]",
    });
    expect(p.maxCallsPerAgent).toEqual({
      PREVIEW,
      PROGRESSIVE,
      POWER: { value: 5, citation: "override (r2)", source: "overrides[2]" },
      PREDICTIVE,
    });
    expect(p.overrides).toEqual([
      { limit: "minRetryIntervalMinutes", from: 1, to: 0, reason: "r0" },
      { limit: "maxRetryIntervalMinutes", from: 43200, to: 50000, reason: "r1" },
      { limit: "maxCallsPerAgent.POWER", from: 3, to: 5, reason: "r2" },
    ]);
  });

  it("a frequency override that loosens is recorded with the profile's count and no warning", () => {
    const p = policyOf({
      profiles: ["US_REG_F"],
      overrides: [{ limit: "frequency.US_REG_F", value: 9, reason: "r" }],
    });
    expect(nonAdvisory(p)).toEqual([]);
    expect(p.overrides).toEqual([{ limit: "frequency.US_REG_F", from: 7, to: 9, reason: "r" }]);
    expect(p.frequency).toEqual([
      {
        id: "US_REG_F",
        maxAttempts: 9,
        windowMinutes: 10080,
        window: "7 consecutive days",
        citation: "override (r)",
      },
    ]);
  });

  it("an override equal to the current value is OVERRIDE_NOT_LOOSER, for ceilings and floors alike", () => {
    const p = policyOf({
      profiles: ["US_TCPA", "US_FL"],
      overrides: [
        { limit: "maxAbandonmentRate", value: 0.03, reason: "a" },
        { limit: "minRetryIntervalMinutes", value: 1, reason: "b" },
        { limit: "maxRetryIntervalMinutes", value: 43200, reason: "c" },
        { limit: "maxCallsPerAgent.PREDICTIVE", value: 3, reason: "d" },
        { limit: "frequency.US_FL", value: 3, reason: "e" },
      ],
    });
    expect(nonAdvisory(p).map((f) => `${f.path} ${f.code}: ${f.message}`)).toEqual([
      "overrides[0] OVERRIDE_NOT_LOOSER: override of maxAbandonmentRate to 0.03 does not loosen the current 0.03; use limits: to tighten",
      "overrides[1] OVERRIDE_NOT_LOOSER: override of minRetryIntervalMinutes to 1 does not loosen the current 1; use limits: to tighten",
      "overrides[2] OVERRIDE_NOT_LOOSER: override of maxRetryIntervalMinutes to 43200 does not loosen the current 43200; use limits: to tighten",
      "overrides[3] OVERRIDE_NOT_LOOSER: override of maxCallsPerAgent.PREDICTIVE to 3 does not loosen the current 3; use limits: to tighten",
      "overrides[4] OVERRIDE_NOT_LOOSER: override of frequency.US_FL to 3 does not loosen the current 3; use limits: to tighten",
    ]);
  });

  it("an abandonment override without a profile that limits abandonment is unused", () => {
    const p = policyOf({ overrides: [{ limit: "maxAbandonmentRate", value: 0.05, reason: "x" }] });
    expect(p.maxAbandonmentRate).toBeUndefined();
    expect(p.overrides).toEqual([]);
    expect(nonAdvisory(p)).toEqual([
      {
        severity: "warning",
        code: "OVERRIDE_UNUSED",
        path: "overrides[0]",
        message: "maxAbandonmentRate is not limited by the selected profiles (none); remove the override",
      },
      expect.objectContaining({ code: "POLICY_NO_PROFILE" }),
    ]);
  });

  it("findings are sorted by path numerically: overrides[2] before overrides[10]", () => {
    const limits = [
      "maxAbandonmentRate",
      "frequency.US_REG_F",
      "frequency.US_FL",
      "frequency.US_OK",
      "frequency.US_MD",
      "frequency.US_MA_COLLECTIONS",
      "frequency.FR",
      "maxCallsPerAgent.PROGRESSIVE",
      "maxCallsPerAgent.POWER",
      "maxCallsPerAgent.PREDICTIVE",
      "minRetryIntervalMinutes",
    ];
    const p = policyOf({
      overrides: limits.map((limit) => ({ limit, value: limit.startsWith("max") ? 1 : 2, reason: "r" })),
    });
    expect(p.findings.map((f) => `${f.path} ${f.code}`)).toEqual([
      "overrides[0] OVERRIDE_UNUSED",
      "overrides[1] OVERRIDE_UNUSED",
      "overrides[2] OVERRIDE_UNUSED",
      "overrides[3] OVERRIDE_UNUSED",
      "overrides[4] OVERRIDE_UNUSED",
      "overrides[5] OVERRIDE_UNUSED",
      "overrides[6] OVERRIDE_UNUSED",
      "overrides[7] OVERRIDE_NOT_LOOSER",
      "overrides[8] OVERRIDE_NOT_LOOSER",
      "overrides[9] OVERRIDE_NOT_LOOSER",
      "overrides[10] OVERRIDE_NOT_LOOSER",
      "profiles POLICY_NO_PROFILE",
    ]);
  });
});

describe("policyFromFile: frequency rules", () => {
  it("profiles with the same window and count share one rule; a looser one for that window is dropped", () => {
    const p = policyOf({
      profiles: ["US_MD", "US_OK", "US_FL"],
      limits: {
        frequency: [
          { maxAttempts: 3, windowMinutes: 1440 },
          { maxAttempts: 5, windowMinutes: 1440 },
        ],
      },
    });
    expect(p.frequency).toEqual([
      {
        id: "US_FL+US_OK+US_MD+limits.frequency[0]",
        maxAttempts: 3,
        windowMinutes: 1440,
        window: "24 hours",
        citation:
          "Fla. Stat. § 501.616(6): at most 3 calls per 24 hours on the same subject; 15 O.S. § 775C.4: at most 3 calls per 24 hours on the same subject; Md. Com. Law § 14-4501 ff.: at most 3 calls per 24 hours on the same subject; rules file limits.frequency[0]",
      },
    ]);
  });

  it("the strictest rule per window, sorted by window length", () => {
    const p = policyOf({
      profiles: ["FR", "US_MA_COLLECTIONS", "US_FL", "US_REG_F"],
      limits: { frequency: [{ maxAttempts: 2, windowMinutes: 60 }] },
    });
    expect(p.frequency.map((f) => `${f.windowMinutes} ${f.id} ${f.maxAttempts}`)).toEqual([
      "60 limits.frequency[0] 2",
      "1440 US_FL 3",
      "10080 US_MA_COLLECTIONS 2",
      "43200 FR 4",
    ]);
  });
});

describe("policyFromFile: advisories", () => {
  it("the same advice from several profiles is one warning naming them all, with each distinct citation once", () => {
    const p = policyOf({ profiles: ["US_MD", "US_TSR", "US_FL", "US_TCPA", "US_OK"] });
    expect(p.findings.map((f) => [f.code, f.message, f.citation])).toEqual([
      [
        "ADVISORY_ABANDON_DEFINITION",
        "US_TCPA: a call not connected to a live agent within 2 s of the greeting counts as abandoned",
        "47 CFR 64.1200(a)(7)(i)",
      ],
      [
        "ADVISORY_ABANDON_MESSAGE",
        "US_TSR: play the recorded identification message within 2 s of the greeting on abandoned calls",
        "16 CFR 310.4(b)(4)(iii)",
      ],
      [
        "ADVISORY_CALLING_HOURS",
        "US_FL, US_OK, US_MD: call only 08:00–20:00 in the called party's local time (not a campaign API field)",
        "Fla. Stat. § 501.616(6); 15 O.S. § 775C.4; Md. Com. Law § 14-4501 ff.",
      ],
      [
        "ADVISORY_CALLING_HOURS",
        "US_TCPA: call only 08:00–21:00 in the called party's local time (not a campaign API field)",
        "47 CFR 64.1200(c)(1)",
      ],
      [
        "ADVISORY_RING_TIME",
        "US_TCPA, US_TSR: let unanswered calls ring at least 15 seconds or 4 rings before disconnecting (not a campaign API field)",
        "47 CFR 64.1200(a)(6); 16 CFR 310.4(b)(4)",
      ],
    ]);
    expect(new Set(p.findings.map((f) => `${f.severity} ${f.path}`))).toEqual(new Set(["warning profiles"]));
  });
});
