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
