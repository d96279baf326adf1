import { describe, expect, it } from "vitest";
import { batchAbandonRate, estimateCapacity, estimateFor, pacingRatio } from "../../src/domain/capacity.js";
import { baseRules } from "./helpers.js";

const inputs = { agents: 10, avgHandleTimeSec: 300, connectRate: 0.3 };

describe("estimateCapacity", () => {
  it("one line per agent cannot abandon", () => {
    for (const m of ["PREVIEW", "PROGRESSIVE", "POWER"] as const) {
      const e = estimateCapacity(baseRules({ dialingMethod: m, maxCallsPerAgent: 1 }), inputs);
      expect(e.worstCaseAbandonRate).toBe(0);
      expect(e.canExceedAbandonmentLimit).toBe(false);
      expect(e.linesInUse).toBe(10);
    }
  });

  it("the binomial batch formula", () => {
    // k = 2, c = 0.3: P(X≥1) = 0.51, E[X] = 0.6 → 1 − 0.85 = 0.15
    expect(batchAbandonRate(2, 0.3)).toBeCloseTo(0.15, 10);
    expect(batchAbandonRate(1, 0.3)).toBe(0);
    const e = estimateCapacity(baseRules({ dialingMethod: "POWER", maxCallsPerAgent: 2 }), inputs);
    expect(e.pacingRatio).toBe(2);
    expect(e.linesInUse).toBe(20);
    // cycle = 0.51·300 + 0.49·30 = 167.7 s; dials/h = 10 · 2 · 3600 / 167.7
    expect(e.dialsPerHour).toBe(Math.round((10 * 2 * 3600) / 167.7));
    expect(e.worstCaseAbandonRate).toBe(0.15);
    expect(e.canExceedAbandonmentLimit).toBe(true);
  });

  it("predictive paces to one expected connect per agent, capped by the ceiling", () => {
    const e = estimateCapacity(baseRules({ dialingMethod: "PREDICTIVE", maxCallsPerAgent: 5 }), inputs);
    expect(e.pacingRatio).toBeCloseTo(1 / 0.3, 3);
    expect(e.linesInUse).toBe(34);
    expect(e.worstCaseAbandonRate).toBeGreaterThan(e.expectedAbandonRate);
  });

  it("every input changes the result (not just the method)", () => {
    const base = estimateCapacity(baseRules({ dialingMethod: "PREDICTIVE", maxCallsPerAgent: 2 }), inputs);
    const variants = [
      estimateCapacity(baseRules({ dialingMethod: "PREDICTIVE", maxCallsPerAgent: 3 }), inputs),
      estimateCapacity(baseRules({ dialingMethod: "PREDICTIVE", maxCallsPerAgent: 2 }), {
        ...inputs,
        agents: 20,
      }),
      estimateCapacity(baseRules({ dialingMethod: "PREDICTIVE", maxCallsPerAgent: 2 }), {
        ...inputs,
        avgHandleTimeSec: 600,
      }),
      estimateCapacity(baseRules({ dialingMethod: "PREDICTIVE", maxCallsPerAgent: 2 }), {
        ...inputs,
        connectRate: 0.1,
      }),
      estimateCapacity(baseRules({ dialingMethod: "PREVIEW", maxCallsPerAgent: 1 }), inputs),
    ];
    for (const v of variants) {
      expect({ d: v.dialsPerHour, l: v.linesInUse, w: v.worstCaseAbandonRate }).not.toEqual({
        d: base.dialsPerHour,
        l: base.linesInUse,
        w: base.worstCaseAbandonRate,
      });
    }
  });

  it("a low connect rate keeps a 2:1 ratio under 3%", () => {
    const rules = baseRules({ dialingMethod: "POWER", maxCallsPerAgent: 2 });
    expect(estimateCapacity(rules, { ...inputs, connectRate: 0.05 }).canExceedAbandonmentLimit).toBe(false);
    expect(estimateCapacity(rules, { ...inputs, connectRate: 0.07 }).canExceedAbandonmentLimit).toBe(true);
  });
});

describe("capacity edge cases (literal values)", () => {
  it("no connects, or at most one line, abandon nothing", () => {
    expect(batchAbandonRate(2, 0)).toBe(0);
    expect(batchAbandonRate(1, 0.5)).toBe(0);
    expect(batchAbandonRate(0.5, 0.5)).toBe(0);
  });

  it("pacing per method: preview 1, progressive and power the ceiling, predictive one expected connect", () => {
    expect(pacingRatio("PREVIEW", 3, 0.5)).toBe(1);
    expect(pacingRatio("PROGRESSIVE", 3, 0.5)).toBe(3);
    expect(pacingRatio("POWER", 3, 0.5)).toBe(3);
    expect(pacingRatio("PREDICTIVE", 3, 0.5)).toBe(2);
  });

  it("preview dials one line whatever maxCallsPerAgent says, so it cannot abandon", () => {
    expect(estimateFor("PREVIEW", 3, 0.03, inputs)).toMatchObject({
      pacingRatio: 1,
      worstCaseAbandonRate: 0,
      canExceedAbandonmentLimit: false,
    });
  });
});
