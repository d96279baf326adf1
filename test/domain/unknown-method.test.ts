/**
 * A dialing method the platform cannot tell (a CXone PC skill: progressive or predictive, optionally with
 * preview) is validated against the strictest rules of every method it may be, never a guessed one; and
 * retry overrides the model cannot hold are validated as their worst case.
 */
import { describe, expect, it } from "vitest";
import { estimateCapacity } from "../../src/domain/capacity.js";
import { validateWithOverrides, withRetryOverrides } from "../../src/domain/retry-overrides.js";
import { methodReading, possibleMethods } from "../../src/domain/rules.js";
import { validateRules } from "../../src/domain/validate.js";
import { formatValue } from "../../src/render/format-value.js";
import { baseRules, policyOf } from "./helpers.js";

const codes = (findings: { code: string }[]) => findings.map((f) => f.code).sort();

describe("a dialing method known only as a set", () => {
  it("is one method when one candidate remains, a stable set otherwise", () => {
    expect(methodReading(["PROGRESSIVE"])).toBe("PROGRESSIVE");
    expect(methodReading(["PREVIEW", "PROGRESSIVE", "PREDICTIVE", "PROGRESSIVE"])).toEqual({
      oneOf: ["PREDICTIVE", "PROGRESSIVE", "PREVIEW"],
    });
    expect(possibleMethods({ oneOf: ["PREDICTIVE", "PROGRESSIVE"] })).toEqual(["PREDICTIVE", "PROGRESSIVE"]);
    expect(() => methodReading([])).toThrow(RangeError);
    expect(formatValue({ oneOf: ["PREDICTIVE", "PROGRESSIVE"] })).toBe("one of PREDICTIVE, PROGRESSIVE");
  });

  it("progressive-or-predictive needs the ENTERPRISE licence, as predictive would", () => {
    const rules = baseRules({ dialingMethod: { oneOf: ["PREDICTIVE", "PROGRESSIVE"] } });
    const findings = validateRules(rules, policyOf({ licenseTier: "PROFESSIONAL" }));
    expect(codes(findings)).toEqual(["LICENSE_PREDICTIVE_REQUIRES_ENTERPRISE"]);
    expect(findings[0]?.message).toContain(
      "the platform cannot tell whether it dials PREDICTIVE or PROGRESSIVE",
    );
    // The same rules known to be PROGRESSIVE are fine: the set is what makes it strict.
    expect(validateRules(baseRules(), policyOf({ licenseTier: "PROFESSIONAL" }))).toEqual([]);
  });

  it("a set including PREVIEW needs exactly one line per agent", () => {
    const rules = baseRules({ dialingMethod: { oneOf: ["PROGRESSIVE", "PREVIEW"] }, maxCallsPerAgent: 2 });
    const findings = validateRules(rules, policyOf({ licenseTier: "ENTERPRISE" }));
    expect(codes(findings)).toEqual(["CALLS_PER_AGENT_PREVIEW"]);
    expect(validateRules({ ...rules, dialingMethod: "PROGRESSIVE" }, policyOf({}))).toEqual([]);
  });

  it("can abandon when any candidate can: the recall warning of UK_OFCOM fires for progressive-or-predictive", () => {
    const rules = baseRules({
      dialingMethod: { oneOf: ["PREDICTIVE", "PROGRESSIVE"] },
      retrySettings: { maxAttempts: 1, intervalMinutes: [60] },
    });
    const policy = policyOf({ profiles: ["UK_OFCOM"], licenseTier: "ENTERPRISE" });
    expect(codes(validateRules(rules, policy))).toContain("RECALL_WITHIN_ABANDON_WINDOW");
    expect(codes(validateRules({ ...rules, dialingMethod: "PROGRESSIVE" }, policy))).not.toContain(
      "RECALL_WITHIN_ABANDON_WINDOW",
    );
  });

  it("capacity takes the candidate with the worst abandonment risk", () => {
    const rules = baseRules({ dialingMethod: { oneOf: ["PREDICTIVE", "PREVIEW"] }, maxCallsPerAgent: 3 });
    const estimate = estimateCapacity(rules, { agents: 10, avgHandleTimeSec: 300, connectRate: 0.2 });
    expect(estimate.method).toBe("PREDICTIVE");
  });
});

describe("retry overrides the model cannot express", () => {
  it("the worst case: the most retries any override allows, at the shortest gap", () => {
    const rules = baseRules({ retrySettings: { maxAttempts: 2, intervalMinutes: [240, 480] } });
    expect(
      withRetryOverrides(rules, { maxAttempts: 4, minGapMinutes: 30, description: "x" }).retrySettings,
    ).toEqual({ maxAttempts: 4, intervalMinutes: [30, 60, 90, 120] });
    // No gap from the platform: the rules' own shortest gap.
    expect(withRetryOverrides(rules, { maxAttempts: 3, description: "x" }).retrySettings).toEqual({
      maxAttempts: 3,
      intervalMinutes: [240, 480, 720],
    });
    expect(withRetryOverrides(rules, undefined)).toBe(rules);
    // The rules' shortest gap is between two retries, or before the first; a non-increasing pair is no gap.
    const shortest = (intervalMinutes: number[]) =>
      withRetryOverrides(
        baseRules({ retrySettings: { maxAttempts: intervalMinutes.length, intervalMinutes } }),
        {
          maxAttempts: 2,
          description: "x",
        },
      ).retrySettings.intervalMinutes;
    expect(shortest([60, 90])).toEqual([30, 60]);
    expect(shortest([20, 60])).toEqual([20, 40]);
    expect(shortest([60, 60])).toEqual([60, 120]);
  });

  it("frequency checks use the effective maximum, and a warning names the overrides", () => {
    // US_REG_F: at most 7 calls in 7 days. The defaults (3 calls a day apart) pass; 9 calls 12 hours apart do not.
    const policy = policyOf({ profiles: ["US_REG_F"] });
    const rules = baseRules({ retrySettings: { maxAttempts: 2, intervalMinutes: [1440, 2880] } });
    expect(validateWithOverrides(rules, undefined, policy)).toEqual([]);
    const findings = validateWithOverrides(
      rules,
      { maxAttempts: 8, minGapMinutes: 720, description: "cadence maximum attempts Phone1 9" },
      policy,
    );
    expect(codes(findings)).toEqual(["FREQUENCY_WINDOW_EXCEEDED", "RETRY_OVERRIDES_NOT_MODELLED"]);
    const warning = findings.find((f) => f.code === "RETRY_OVERRIDES_NOT_MODELLED");
    expect(warning).toMatchObject({ severity: "warning", path: "dialingRules.retrySettings" });
    expect(warning?.message).toContain("cadence maximum attempts Phone1 9");
    expect(warning?.message).toContain("8 retries, 720 min apart");
    const one = validateWithOverrides(rules, { maxAttempts: 1, description: "cadence" }, policy).find(
      (f) => f.code === "RETRY_OVERRIDES_NOT_MODELLED",
    );
    expect(one?.message).toBe(
      "the platform overrides this campaign's retry settings where the rules file cannot (cadence); retry checks assume the worst case they allow (1 retry). Change or remove them in the platform's own admin tool",
    );
  });
});
