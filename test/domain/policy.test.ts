import { describe, expect, it } from "vitest";
import { RulesFileError } from "../../src/domain/rules-file.js";
import { fileOf, policyOf } from "./helpers.js";

describe("policyFromFile", () => {
  it("limits tighten", () => {
    const p = policyOf({
      profiles: ["CA_CRTC"],
      limits: { maxAbandonmentRate: 0.02, minRetryIntervalMinutes: 10 },
    });
    expect(p.maxAbandonmentRate).toMatchObject({ value: 0.02, source: "limits" });
    expect(p.minRetryIntervalMinutes).toMatchObject({ value: 10, source: "limits" });
    expect(p.findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it("a 'tightening' that loosens is an error and is not applied", () => {
    const p = policyOf({ profiles: ["US_TCPA"], limits: { maxAbandonmentRate: 0.05 } });
    expect(p.maxAbandonmentRate?.value).toBe(0.03);
    expect(p.findings).toContainEqual(
      expect.objectContaining({
        severity: "error",
        code: "LIMIT_LOOSENS",
        path: "limits.maxAbandonmentRate",
      }),
    );
    const q = policyOf({ limits: { minRetryIntervalMinutes: 0 } });
    expect(q.findings.map((f) => f.code)).toContain("LIMIT_LOOSENS");
    const r = policyOf({ limits: { maxCallsPerAgent: 10 } });
    expect(r.findings.map((f) => f.code)).toContain("LIMIT_LOOSENS");
  });

  it("overrides loosen with a reason and are recorded", () => {
    const p = policyOf({
      profiles: ["US_TCPA"],
      overrides: [{ limit: "maxAbandonmentRate", value: 0.05, reason: "legal opinion 2025-03" }],
    });
    expect(p.maxAbandonmentRate).toMatchObject({ value: 0.05, source: "overrides[0]" });
    expect(p.overrides).toEqual([
      { limit: "maxAbandonmentRate", from: 0.03, to: 0.05, reason: "legal opinion 2025-03" },
    ]);
  });

  it("an override without a reason is rejected by the parser", () => {
    expect(() => fileOf({ overrides: [{ limit: "maxAbandonmentRate", value: 0.05 }] })).toThrow(
      RulesFileError,
    );
    expect(() => fileOf({ overrides: [{ limit: "maxAbandonmentRate", value: 0.05, reason: "" }] })).toThrow(
      /RULES_OVERRIDE_REASON/,
    );
  });

  it("overrides that do not loosen or have nothing to loosen are warnings", () => {
    const p = policyOf({
      profiles: ["US_TCPA"],
      overrides: [
        { limit: "maxAbandonmentRate", value: 0.02, reason: "x" },
        { limit: "frequency.FR", value: 9, reason: "y" },
      ],
    });
    expect(p.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(["OVERRIDE_NOT_LOOSER", "OVERRIDE_UNUSED"]),
    );
  });

  it("a frequency override changes that profile's attempt count", () => {
    const p = policyOf({
      profiles: ["US_REG_F"],
      overrides: [{ limit: "frequency.US_REG_F", value: 9, reason: "r" }],
    });
    expect(p.frequency).toEqual([expect.objectContaining({ maxAttempts: 9, windowMinutes: 10080 })]);
  });

  it("limits.frequency adds windows", () => {
    const p = policyOf({ limits: { frequency: [{ maxAttempts: 2, windowMinutes: 60 }] } });
    expect(p.frequency).toEqual([expect.objectContaining({ id: "limits.frequency[0]", maxAttempts: 2 })]);
  });

  it("min above max is an error", () => {
    const p = policyOf({ limits: { minRetryIntervalMinutes: 500, maxRetryIntervalMinutes: 400 } });
    expect(p.findings.map((f) => f.code)).toContain("POLICY_EMPTY_RANGE");
  });

  it("no profile is a warning", () => {
    expect(policyOf({}).findings.map((f) => f.code)).toEqual(["POLICY_NO_PROFILE"]);
  });

  it("what each policy finding says, and where each limit of the file comes from", () => {
    const p = policyOf({
      profiles: ["US_TCPA", "UK_OFCOM"],
      limits: {
        maxCallsPerAgent: 1,
        maxRetries: 3,
        minRetryIntervalMinutes: 500,
        maxRetryIntervalMinutes: 400,
        frequency: [{ maxAttempts: 2, windowMinutes: 60 }],
      },
      overrides: [
        { limit: "maxAbandonmentRate", value: 0.02, reason: "x" },
        { limit: "frequency.FR", value: 9, reason: "y" },
      ],
    });
    expect(p.findings.filter((f) => !f.code.startsWith("ADVISORY_"))).toEqual([
      {
        severity: "error",
        code: "POLICY_EMPTY_RANGE",
        path: "limits",
        message:
          "minRetryIntervalMinutes 500 is above maxRetryIntervalMinutes 400: no retry schedule can pass",
      },
      {
        severity: "warning",
        code: "OVERRIDE_NOT_LOOSER",
        path: "overrides[0]",
        message:
          "override of maxAbandonmentRate to 0.02 does not loosen the current 0.03; use limits: to tighten",
      },
      {
        severity: "warning",
        code: "OVERRIDE_UNUSED",
        path: "overrides[1]",
        message:
          "frequency.FR is not limited by the selected profiles (US_TCPA, UK_OFCOM); remove the override",
      },
    ]);
    expect(p.maxRetries).toEqual({ value: 3, citation: "rules file limits.maxRetries", source: "limits" });
    expect(p.frequency).toEqual([
      {
        id: "limits.frequency[0]",
        maxAttempts: 2,
        windowMinutes: 60,
        window: "60 minutes",
        citation: "rules file limits.frequency[0]",
      },
    ]);
    expect(p.maxCallsPerAgent.POWER).toEqual({
      value: 1,
      citation: "rules file limits.maxCallsPerAgent",
      source: "limits",
    });
    expect(policyOf({}).findings[0]?.message).toBe(
      "no regulatory profile selected: only structural checks run; list the profiles that apply (e.g. US_TCPA)",
    );
    expect(
      policyOf({ overrides: [{ limit: "frequency.FR", value: 9, reason: "y" }] }).findings.find(
        (f) => f.code === "OVERRIDE_UNUSED",
      )?.message,
    ).toBe("frequency.FR is not limited by the selected profiles (none); remove the override");
  });
});
