import { describe, expect, it } from "vitest";
import type { AuditInput } from "../../src/domain/audit-record.js";
import type { Campaign, DialingRules } from "../../src/domain/rules.js";
import { revertTargets } from "../../src/engine/revert.js";
import { baseRules } from "../domain/helpers.js";

/** One record of the run being undone: `before` → `after`, the diff naming `fields`. */
function record(
  campaignId: string,
  outcome: AuditInput["outcome"],
  before: DialingRules | undefined,
  after: DialingRules | undefined,
  fields: (keyof DialingRules)[],
): AuditInput {
  return {
    runId: "run-1",
    actor: "test",
    reason: "test",
    platform: "v2",
    campaignId,
    outcome,
    ...(before ? { rulesBefore: before } : {}),
    ...(after ? { rulesAfter: after } : {}),
    diff: fields.map((field) => ({ field, from: before?.[field], to: after?.[field] })),
    findings: [],
  };
}

const now = (...campaigns: [string, DialingRules][]) =>
  new Map<string, Campaign>(
    campaigns.map(([id, dialingRules]) => [
      id,
      { id, name: id, status: "STOPPED", revision: 7, dialingRules },
    ]),
  );

describe("revert: what an undo restores", () => {
  it("restores, per campaign, the values its first record replaced for every field any record changed", () => {
    const v0 = baseRules({ maxCallsPerAgent: 1, dialingMethod: "PROGRESSIVE" });
    const v1 = baseRules({ maxCallsPerAgent: 2, dialingMethod: "PROGRESSIVE" });
    const v2 = baseRules({ maxCallsPerAgent: 3, dialingMethod: "POWER" });
    const targets = revertTargets(
      [
        record("CMP-1", "applied", v0, v1, ["maxCallsPerAgent"]),
        record("CMP-1", "overwritten", v1, v2, ["maxCallsPerAgent", "dialingMethod"]),
      ],
      now(["CMP-1", v2]),
    );
    expect(targets).toEqual({
      restore: new Map([["CMP-1", { maxCallsPerAgent: 1, dialingMethod: "PROGRESSIVE" }]]),
      conflicts: [],
      missing: [],
    });
  });

  it("only records that wrote, with the rules before and after, count: nothing else is restored or missed", () => {
    const a = baseRules({ maxCallsPerAgent: 1 });
    const b = baseRules({ maxCallsPerAgent: 2 });
    const targets = revertTargets(
      [
        record("CMP-2", "conflict", a, b, ["maxCallsPerAgent"]),
        record("CMP-3", "noop", a, b, ["maxCallsPerAgent"]),
        record("CMP-4", "failed", a, b, ["maxCallsPerAgent"]),
        record("CMP-5", "applied", undefined, b, ["maxCallsPerAgent"]),
        record("CMP-6", "applied", a, undefined, ["maxCallsPerAgent"]),
      ],
      now(),
    );
    expect(targets).toEqual({ restore: new Map(), conflicts: [], missing: [] });
  });

  it("a campaign changed since is a conflict per changed field (never restored); one no longer listed is missing", () => {
    const before = baseRules({ maxCallsPerAgent: 1, dialingMethod: "PROGRESSIVE" });
    const wrote = baseRules({ maxCallsPerAgent: 2, dialingMethod: "POWER" });
    const targets = revertTargets(
      [
        record("CMP-1", "applied", before, wrote, ["maxCallsPerAgent", "dialingMethod"]),
        record("CMP-9", "applied", before, wrote, ["maxCallsPerAgent"]),
        record("CMP-3", "applied", before, wrote, ["maxCallsPerAgent"]),
      ],
      now(["CMP-1", { ...wrote, maxCallsPerAgent: 4 }], ["CMP-3", wrote]),
    );
    expect(targets).toEqual({
      restore: new Map([["CMP-3", { maxCallsPerAgent: 1 }]]),
      conflicts: [{ campaignId: "CMP-1", field: "maxCallsPerAgent", runWrote: 2, now: 4 }],
      missing: ["CMP-9"],
    });
  });
});
