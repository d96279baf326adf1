import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuditInput } from "../../src/domain/audit-record.js";
import { normalizeInput, REDACTED } from "../../src/store/records.js";
import { auditInput } from "./fixtures.js";

const FIELDS = [
  "runId",
  "actor",
  "reason",
  "platform",
  "campaignId",
  "campaignName",
  "outcome",
  "writeMode",
  "revisionBefore",
  "revisionAfter",
  "latencyMs",
  "requestId",
  "changeId",
  "requester",
  "rulesBefore",
  "rulesAfter",
  "diff",
  "findings",
  "platformError",
  "conflicts",
  "overrides",
  "runSummary",
  "checkpoint",
  "approvers",
];

/** The normalisation as first written: a JSON round trip per field, nulls and undefined left out. */
function referenceNormalize(input: AuditInput): Record<string, unknown> {
  const source = input as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of FIELDS) {
    const v = source[key];
    if (v === undefined || v === null) continue;
    out[key] = JSON.parse(JSON.stringify(v) as string);
  }
  out.diff ??= [];
  out.findings ??= [];
  return out;
}

describe("normalizeInput", () => {
  it("keeps exactly what a JSON round trip of each field keeps, in the same order", () => {
    const json = fc.anything({ withDate: true, withSparseArray: true, maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.record({ rulesBefore: json, diff: json, platformError: json, latencyMs: json, extra: json }),
        (fields) => {
          const input = { ...auditInput({}), ...fields } as unknown as AuditInput;
          let expected: unknown;
          try {
            expected = referenceNormalize(input);
          } catch {
            expect(() => normalizeInput(input, [])).toThrow();
            return;
          }
          const actual = normalizeInput(input, []);
          expect(actual).toEqual(expected);
          expect(Object.keys(actual)).toEqual(Object.keys(expected as object));
        },
      ),
      { numRuns: 300 },
    );
  });
  it("turns NaN into null and drops undefined keys inside fields", () => {
    const input = {
      ...auditInput({}),
      latencyMs: Number.NaN,
      rulesBefore: { maxCallsPerAgent: 2, note: undefined },
    } as unknown as AuditInput;
    const out = normalizeInput(input, []) as unknown as Record<string, unknown>;
    expect(out.latencyMs).toBeNull();
    expect(out.rulesBefore).toEqual({ maxCallsPerAgent: 2 });
    expect(Object.keys(out.rulesBefore as object)).toEqual(["maxCallsPerAgent"]);
  });
  it("copies plain data as JSON would leave it: -0 as 0, holes and undefined items as null, a Date as its text", () => {
    const list: unknown[] = [1];
    list[2] = undefined; // index 1 stays a hole
    list[3] = Number.POSITIVE_INFINITY;
    const input = {
      ...auditInput({}),
      rulesBefore: { zero: -0, list, at: new Date(0) },
      diff: [{ field: "x", nested: { ["__proto__"]: { a: 1 } } }],
    } as unknown as AuditInput;
    const out = normalizeInput(input, []) as unknown as Record<string, unknown>;
    expect(out.rulesBefore).toEqual({ zero: 0, list: [1, null, null, null], at: "1970-01-01T00:00:00.000Z" });
    expect(Object.is((out.rulesBefore as { zero: number }).zero, 0)).toBe(true);
    expect(JSON.stringify(out.diff)).toBe('[{"field":"x","nested":{"__proto__":{"a":1}}}]');
  });
  it("refuses a field without a JSON form instead of dropping it", () => {
    const input = { ...auditInput({}), rulesBefore: () => 1 } as unknown as AuditInput;
    expect(() => normalizeInput(input, [])).toThrow();
  });
  it("redacts secrets in every field", () => {
    const input = { ...auditInput({}), reason: "token s3cr3t-value", diff: [{ to: "s3cr3t-value" }] };
    const out = normalizeInput(input as AuditInput, ["s3cr3t-value"]) as unknown as Record<string, unknown>;
    expect(out.reason).toBe(`token ${REDACTED}`);
    expect(out.diff).toEqual([{ to: REDACTED }]);
  });
});
