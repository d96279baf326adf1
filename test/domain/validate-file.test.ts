import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateForReading } from "../../src/domain/capacity.js";
import type { Finding } from "../../src/domain/findings.js";
import { validateFile } from "../../src/domain/validate-file.js";
import { propertyRuns } from "../setup/property-runs.js";
import { fileOf } from "./helpers.js";

const ENTRIES = [
  { id: "A", dialingRules: { dialingMethod: "PREDICTIVE", maxCallsPerAgent: 5 } },
  { id: "B", dialingRules: { retrySettings: { maxAttempts: 3, intervalMinutes: [5, 5, 9] } } },
  { match: "C-*", dialingRules: { dialingMethod: "PREVIEW", maxCallsPerAgent: 2 } },
  { id: "D", dialingRules: { abandonmentRateThreshold: { maxRate: 0.031, coolDownSec: 1 } } },
  { id: "E" },
];

/** Findings keyed by the entry's selector, with the entry index taken out of paths. */
function bySelector(entries: readonly Record<string, unknown>[], profiles: string[]) {
  const v = validateFile(
    fileOf({
      profiles,
      licenseTier: "PROFESSIONAL",
      defaults: { dialingRules: { retrySettings: { maxAttempts: 1, intervalMinutes: [60] } } },
      campaigns: entries,
    }),
    { agents: 10, avgHandleTimeSec: 200, connectRate: 0.2 },
  );
  const norm = (f: Finding) => ({ ...f, path: f.path.replace(/^campaigns\[\d+\]/, "campaigns[*]") });
  const out: Record<string, unknown> = { policy: v.policy.findings, defaults: v.defaults?.findings };
  for (const e of v.entries)
    out[JSON.stringify(e.selector)] = { findings: e.findings.map(norm), capacity: e.capacity };
  return { out, errors: v.errors, warnings: v.warnings };
}

describe("validateFile", () => {
  it("is deterministic and independent of entry and profile order (property)", () => {
    const expected = bySelector(ENTRIES, ["US_TCPA", "US_FL", "UK_OFCOM"]);
    expect(expected.errors).toBeGreaterThan(4);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(ENTRIES, { minLength: ENTRIES.length }),
        fc.shuffledSubarray(["US_TCPA", "US_FL", "UK_OFCOM"], { minLength: 3 }),
        (entries, profiles) => {
          expect(bySelector(entries, profiles)).toEqual(expected);
        },
      ),
      { numRuns: propertyRuns(100) },
    );
  });

  it("no defaults: no defaults group, and the counts are the entries' and the policy's alone", () => {
    const v = validateFile(
      fileOf({
        profiles: ["US_TCPA"],
        licenseTier: "ENTERPRISE",
        campaigns: [{ id: "A", dialingRules: { dialingMethod: "PREVIEW", maxCallsPerAgent: 2 } }],
      }),
    );
    expect(v).not.toHaveProperty("defaults");
    const all = [...v.policy.findings, ...v.entries.flatMap((e) => e.findings)];
    expect([v.errors, v.warnings]).toEqual([
      all.filter((f) => f.severity === "error").length,
      all.filter((f) => f.severity !== "error").length,
    ]);
    expect(v.errors).toBeGreaterThan(0);
  });

  it("a finding about a field points where that field was written (entry or defaults)", () => {
    const v = validateFile(
      fileOf({
        profiles: [],
        defaults: { dialingRules: { dialingMethod: "PREVIEW" } },
        campaigns: [{ id: "A", dialingRules: { maxCallsPerAgent: 2 } }],
      }),
    );
    expect(v.entries[0]?.findings.map((f) => [f.code, f.path])).toEqual([
      ["CALLS_PER_AGENT_PREVIEW", "campaigns[0].dialingRules.maxCallsPerAgent"],
    ]);
  });

  it("entries with the same method, calls per agent and limit share one frozen capacity estimate", () => {
    const inputs = { agents: 10, avgHandleTimeSec: 200, connectRate: 0.2 };
    const rules = (dialingMethod: string, maxCallsPerAgent: number) => ({ dialingMethod, maxCallsPerAgent });
    const v = validateFile(
      fileOf({
        profiles: ["US_TCPA"],
        licenseTier: "ENTERPRISE",
        campaigns: [
          { id: "A", dialingRules: rules("PROGRESSIVE", 2) },
          { id: "B", dialingRules: rules("PROGRESSIVE", 2) },
          { id: "C", dialingRules: rules("PROGRESSIVE", 3) },
          { id: "D", dialingRules: rules("POWER", 2) },
          {
            id: "E",
            dialingRules: {
              ...rules("PROGRESSIVE", 2),
              abandonmentRateThreshold: { maxRate: 0.02, coolDownSec: 1 },
            },
          },
        ],
      }),
      inputs,
    );
    const [a, b, c, d, e] = v.entries.map((g) => g.capacity);
    expect(a).toBe(b);
    for (const other of [c, d, e]) expect(other).not.toBe(a);
    expect([a, c, d, e]).toEqual([
      estimateForReading("PROGRESSIVE", 2, 0.03, inputs),
      estimateForReading("PROGRESSIVE", 3, 0.03, inputs),
      estimateForReading("POWER", 2, 0.03, inputs),
      estimateForReading("PROGRESSIVE", 2, 0.02, inputs),
    ]);
    // shared, so no reader may change one entry's estimate under the others
    expect(Object.isFrozen(a) && Object.isFrozen(a?.inputs)).toBe(true);
  });
});
