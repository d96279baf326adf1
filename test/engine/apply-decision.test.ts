import { describe, expect, it } from "vitest";
import type { Campaign, DialingRules, PartialRules } from "../../src/domain/rules.js";
import {
  type Decision,
  type DecisionEvent,
  type DecisionState,
  decide,
  initialState,
  reconcileDecision,
} from "../../src/engine/apply-decision.js";
import { baseRules, policyOf } from "../domain/helpers.js";

const policy = policyOf({ profiles: ["US_TCPA"], licenseTier: "ENTERPRISE" });
const BASE = baseRules({ dialingMethod: "PROGRESSIVE", maxCallsPerAgent: 2 });
const campaign = (revision: number, over: Partial<DialingRules> = {}): Campaign => ({
  id: "CMP-1",
  name: "Sales-1",
  status: "ACTIVE",
  revision,
  dialingRules: { ...BASE, ...over },
});

/** The plan: revision 7 holds BASE; the file declares maxCallsPerAgent 2 (already there) and POWER. */
const DESIRED: PartialRules = { dialingMethod: "POWER", maxCallsPerAgent: 2 };
const start = (
  over: Partial<{
    onConflict: "abort" | "rebase" | "overwrite";
    maxRounds: number;
    conditionalWrite: boolean;
  }> = {},
  desired: PartialRules = DESIRED,
): DecisionState =>
  initialState(
    { revision: 7, current: BASE, desired },
    { onConflict: "rebase", maxRounds: 5, conditionalWrite: true, ...over },
  );

/** Runs events through the decision step; returns every decision. */
function run(state: DecisionState, ...events: DecisionEvent[]): Decision[] {
  const out: Decision[] = [];
  let s = state;
  for (const e of events) {
    const d = decide(s, e, policy);
    out.push(d);
    s = d.state;
  }
  return out;
}
const last = (ds: Decision[]) => ds[ds.length - 1] as Decision;
const WRITTEN = (c: Campaign): DecisionEvent => ({ kind: "written", campaign: c });
const READ = (c: Campaign): DecisionEvent => ({ kind: "read", campaign: c });
const ERR = { code: "PLATFORM_TRANSIENT", message: "503" };

describe("applyCampaign's decision step (every branch)", () => {
  it("start, conditional platform: writes only what the plan changes, at the plan's revision", () => {
    expect(run(start(), { kind: "start" })[0]?.action).toEqual({
      kind: "write",
      revision: 7,
      patch: { dialingMethod: "POWER" },
      mode: "conditional",
    });
  });

  it("start, platform without conditional writes: re-reads first", () => {
    expect(run(start({ conditionalWrite: false }), { kind: "start" })[0]?.action).toEqual({
      kind: "reread",
      purpose: "before-write",
    });
  });

  it("reply holds every declared value → applied, from the reply", () => {
    const after = campaign(8, { dialingMethod: "POWER" });
    const d = last(run(start(), { kind: "start" }, { kind: "written", campaign: after, requestId: "r1" }));
    expect(d.action).toEqual({
      kind: "finish",
      outcome: "applied",
      revisionAfter: 8,
      rulesAfter: after.dialingRules,
      requestId: "r1",
    });
  });

  it("reply misses a declared value → read back to verify; verified → applied", () => {
    const ds = run(
      start(),
      { kind: "start" },
      WRITTEN(campaign(8, { dialingMethod: "POWER", maxCallsPerAgent: 3 })),
      READ(campaign(9, { dialingMethod: "POWER" })),
    );
    expect(ds[1]?.action).toEqual({ kind: "reread", purpose: "verify" });
    expect(last(ds).action).toMatchObject({ kind: "finish", outcome: "applied", revisionAfter: 9 });
  });

  it("read-back still misses a declared value → failed NOT_CONVERGED naming the field, never applied", () => {
    const d = last(
      run(
        start(),
        { kind: "start" },
        WRITTEN(campaign(8, { dialingMethod: "POWER", maxCallsPerAgent: 3 })),
        READ(campaign(8, { dialingMethod: "POWER", maxCallsPerAgent: 3 })),
      ),
    );
    expect(d.action).toMatchObject({ kind: "finish", outcome: "failed", error: { code: "NOT_CONVERGED" } });
    expect(d.action.kind === "finish" && d.action.error?.message).toContain(
      "maxCallsPerAgent=3 (declared 2)",
    );
  });

  it("409 → re-read; their change of an undeclared field → rebased write at the fresh revision", () => {
    const retry = { maxAttempts: 1, intervalMinutes: [120] };
    const ds = run(
      start(),
      { kind: "start" },
      { kind: "conflict" },
      READ(campaign(8, { retrySettings: retry })),
    );
    expect(ds[1]?.action).toEqual({ kind: "reread", purpose: "conflict" });
    expect(last(ds).action).toEqual({
      kind: "write",
      revision: 8,
      patch: { dialingMethod: "POWER" },
      mode: "conditional",
    });
    expect(last(ds).resolution).toBe("rebased");
    expect(last(ds).state.notes).toEqual(["rebased over a concurrent change of retrySettings"]);
  });

  it("their change of a declared field the plan saw no difference in is a conflict, not theirs (reproduction)", () => {
    const d = last(
      run(start(), { kind: "start" }, { kind: "conflict" }, READ(campaign(8, { maxCallsPerAgent: 3 }))),
    );
    expect(d.resolution).toBe("conflict");
    expect(d.action).toMatchObject({
      kind: "finish",
      outcome: "conflict",
      conflicts: [{ field: "maxCallsPerAgent", base: 2, ours: 2, theirs: 3 }],
    });
  });

  it("the same under --on-conflict overwrite: writes every declared value they changed; outcome overwritten", () => {
    const ds = run(
      start({ onConflict: "overwrite" }),
      { kind: "start" },
      { kind: "conflict" },
      READ(campaign(8, { maxCallsPerAgent: 3 })),
      WRITTEN(campaign(9, { dialingMethod: "POWER" })),
    );
    expect(ds[2]?.action).toEqual({
      kind: "write",
      revision: 8,
      patch: { dialingMethod: "POWER", maxCallsPerAgent: 2 },
      mode: "overwrite",
    });
    expect(ds[2]?.resolution).toBe("overwritten");
    expect(last(ds).action).toMatchObject({ kind: "finish", outcome: "overwritten", revisionAfter: 9 });
  });

  it("they already set every declared value → noop, nothing written", () => {
    const d = last(
      run(start(), { kind: "start" }, { kind: "conflict" }, READ(campaign(8, { dialingMethod: "POWER" }))),
    );
    expect(d.action).toMatchObject({ kind: "finish", outcome: "noop", revisionAfter: 8 });
    expect(d.resolution).toBe("already-applied");
  });

  it("merge turned invalid → rejected_locally with the finding that caused it, before any further write", () => {
    // ours: 2 lines per agent (valid with PROGRESSIVE); theirs: PREVIEW, which dials exactly one line
    const base1 = initialState(
      { revision: 7, current: { ...BASE, maxCallsPerAgent: 1 }, desired: { maxCallsPerAgent: 2 } },
      { onConflict: "rebase", maxRounds: 5, conditionalWrite: true },
    );
    const d = last(
      run(
        base1,
        { kind: "start" },
        { kind: "conflict" },
        READ(campaign(8, { dialingMethod: "PREVIEW", maxCallsPerAgent: 1 })),
      ),
    );
    expect(d.action).toMatchObject({ kind: "finish", outcome: "rejected_locally" });
    expect(d.action.kind === "finish" && d.action.findings?.some((f) => f.severity === "error")).toBe(true);
    expect(d.action.kind === "finish" && d.action.note).toMatch(
      /the merge with the concurrent change is not valid: \S+ dialingRules\.maxCallsPerAgent: PREVIEW dials exactly one line/,
    );
  });

  it("merge breaking two limits → the note names each error, joined by '; ', and no warning", () => {
    // Ofcom: a 3 % abandon cap and a warning for a re-call within 72 h of a call that may be abandoned.
    const ofcom = policyOf({ profiles: ["UK_OFCOM"], licenseTier: "ENTERPRISE" });
    const s = initialState(
      { revision: 7, current: { ...BASE, maxCallsPerAgent: 1 }, desired: { maxCallsPerAgent: 2 } },
      { onConflict: "rebase", maxRounds: 5, conditionalWrite: true },
    );
    const afterConflict = decide(
      decide(s, { kind: "start" }, ofcom).state,
      { kind: "conflict" },
      ofcom,
    ).state;
    const theirs = campaign(8, {
      maxCallsPerAgent: 1,
      abandonmentRateThreshold: { maxRate: 0.05, coolDownSec: 0 },
      retrySettings: { maxAttempts: 2, intervalMinutes: [60] },
    });
    const d = decide(afterConflict, READ(theirs), ofcom);
    expect(d.action).toMatchObject({ kind: "finish", outcome: "rejected_locally" });
    const finish = d.action.kind === "finish" ? d.action : undefined;
    // The findings attached are all of them (the warning too); the note lists only the errors.
    expect(finish?.findings?.map((f) => [f.severity, f.code])).toEqual([
      ["error", "ABANDON_RATE_OVER_LIMIT"],
      ["warning", "RECALL_WITHIN_ABANDON_WINDOW"],
      ["error", "RETRY_COUNT_MISMATCH"],
    ]);
    expect(finish?.note).toBe(
      "the merge with the concurrent change is not valid: ABANDON_RATE_OVER_LIMIT dialingRules.abandonmentRateThreshold.maxRate: maxRate 0.05 (5%) exceeds the UK_OFCOM limit of 0.03 (3%); set it to at most 0.03; RETRY_COUNT_MISMATCH dialingRules.retrySettings.maxAttempts: maxAttempts is 2 but intervalMinutes lists 1 retry; give one interval per retry",
    );
  });

  it("reply lost, nothing changed since (same revision) → the same write again", () => {
    const ds = run(start(), { kind: "start" }, { kind: "reply-lost" }, READ(campaign(7)));
    expect(ds[1]?.action).toEqual({ kind: "reread", purpose: "reply-lost" });
    expect(last(ds).action).toEqual({
      kind: "write",
      revision: 7,
      patch: { dialingMethod: "POWER" },
      mode: "conditional",
    });
    expect(last(ds).state.writes).toBe(2);
  });

  it("reply lost, the write landed → applied, recognised on re-read", () => {
    const d = last(
      run(start(), { kind: "start" }, { kind: "reply-lost" }, READ(campaign(8, { dialingMethod: "POWER" }))),
    );
    expect(d.action).toMatchObject({
      kind: "finish",
      outcome: "applied",
      revisionAfter: 8,
      note: "reply lost; recognised as applied on re-read",
    });
  });

  it("reply lost, then another writer changed a declared field → conflict, not applied", () => {
    const d = last(
      run(
        start(),
        { kind: "start" },
        { kind: "reply-lost" },
        READ(campaign(9, { dialingMethod: "PREVIEW", maxCallsPerAgent: 1 })),
      ),
    );
    expect(d.action).toMatchObject({ kind: "finish", outcome: "conflict" });
  });

  /** A 409, their retry change read, the rebased write sent and its reply lost; then the given read-back. */
  const lostAfterConflict = (readBack: Campaign) => {
    const retry = { maxAttempts: 1, intervalMinutes: [120] };
    const theirs = { retrySettings: retry };
    return last(
      run(
        start(),
        { kind: "start" },
        { kind: "conflict" },
        READ(campaign(8, theirs)),
        { kind: "reply-lost" },
        READ({ ...readBack, dialingRules: { ...readBack.dialingRules, ...theirs } }),
      ),
    );
  };

  it("lost reply after a conflict: rebased write's reply lost, found landed → applied with both notes", () => {
    const d = lostAfterConflict(campaign(9, { dialingMethod: "POWER" }));
    expect(d.action).toMatchObject({
      kind: "finish",
      outcome: "applied",
      revisionAfter: 9,
      note: "rebased over a concurrent change of retrySettings; reply lost; recognised as applied on re-read",
    });
    expect(d.state.writes).toBe(2);
  });

  it("lost reply after a conflict, write did not land → written again at the rebased revision", () => {
    const d = lostAfterConflict(campaign(8));
    expect(d.action).toMatchObject({ kind: "write", revision: 8, patch: { dialingMethod: "POWER" } });
  });

  it("read-back fails after a lost reply → failed, says the result is unknown", () => {
    const d = last(
      run(start(), { kind: "start" }, { kind: "reply-lost" }, { kind: "read-failed", error: ERR }),
    );
    expect(d.action).toMatchObject({ kind: "finish", outcome: "failed", error: ERR });
    expect(d.action.kind === "finish" && d.action.note).toContain("result is unknown");
  });

  it("re-read fails before a write → failed, could not re-read", () => {
    const d = last(
      run(start({ conditionalWrite: false }), { kind: "start" }, { kind: "read-failed", error: ERR }),
    );
    expect(d.action).toMatchObject({
      kind: "finish",
      outcome: "failed",
      note: "could not re-read the campaign",
    });
  });

  it("platform validation → rejected_by_platform; other errors → failed", () => {
    const bad = { code: "PLATFORM_VALIDATION", message: "no" };
    expect(last(run(start(), { kind: "start" }, { kind: "rejected", error: bad })).action).toMatchObject({
      outcome: "rejected_by_platform",
      error: bad,
    });
    expect(last(run(start(), { kind: "start" }, { kind: "failed", error: ERR })).action).toMatchObject({
      outcome: "failed",
      error: ERR,
    });
  });

  it("bounded: after maxRounds writes it gives up with TOO_MANY_CONFLICTS", () => {
    const retry = { maxAttempts: 1, intervalMinutes: [120] };
    const d = last(
      run(
        start({ maxRounds: 1 }),
        { kind: "start" },
        { kind: "conflict" },
        READ(campaign(8, { retrySettings: retry })),
      ),
    );
    expect(d.action).toMatchObject({
      kind: "finish",
      outcome: "failed",
      error: { code: "TOO_MANY_CONFLICTS" },
    });
  });
});

describe("reconciling an interrupted write (journal entry + fresh read)", () => {
  const entry = { baseRevision: 7, patch: { dialingMethod: "POWER" } as PartialRules };
  it("did not land (same revision) → failed", () => {
    expect(reconcileDecision(entry, campaign(7))).toMatchObject({ outcome: "failed" });
  });
  it("landed and holds → applied", () => {
    expect(reconcileDecision(entry, campaign(8, { dialingMethod: "POWER" }))).toMatchObject({
      outcome: "applied",
    });
  });
  it("revision moved but the values are not there (did not land, or overwritten since) → failed", () => {
    expect(reconcileDecision(entry, campaign(8, { dialingMethod: "PREVIEW" }))).toEqual({
      outcome: "failed",
      note: "interrupted write did not take effect or was overwritten since; re-run apply to write it",
    });
  });
});

/** Written for the survivors of `npm run mutation` (docs/testing.md): what the user is told, and when. */
describe("what each branch tells the user", () => {
  const retry = { maxAttempts: 1, intervalMinutes: [120] };
  const finishOf = (d: Decision) => {
    if (d.action.kind !== "finish") throw new Error(`expected a finish, got ${d.action.kind}`);
    return d.action;
  };

  it("verified by reading back: says so", () => {
    const d = last(
      run(
        start(),
        { kind: "start" },
        WRITTEN(campaign(8, { dialingMethod: "POWER", maxCallsPerAgent: 3 })),
        READ(campaign(9, { dialingMethod: "POWER" })),
      ),
    );
    expect(finishOf(d).note).toBe("verified by reading back");
  });

  it("the read-back after an ambiguous reply fails: the result is unknown, not 'could not re-read'", () => {
    const d = last(
      run(start(), { kind: "start" }, WRITTEN(campaign(8, { dialingMethod: "POWER", maxCallsPerAgent: 3 })), {
        kind: "read-failed",
        error: ERR,
      }),
    );
    expect(finishOf(d)).toMatchObject({
      outcome: "failed",
      note: "the write's result is unknown and the read-back failed; re-run apply to settle",
    });
  });

  it("a failed write carries the error and no re-read note", () => {
    const d = finishOf(last(run(start(), { kind: "start" }, { kind: "failed", error: ERR })));
    expect(d.note).toBeUndefined();
    expect(d.outcome).toBe("failed");
  });

  it("NOT_CONVERGED names each field with both values and what to do", () => {
    const d = last(
      run(
        start(),
        { kind: "start" },
        WRITTEN(campaign(8, { maxCallsPerAgent: 3 })),
        READ(campaign(8, { maxCallsPerAgent: 3 })),
      ),
    );
    expect(finishOf(d).error).toEqual({
      code: "NOT_CONVERGED",
      message:
        'after the write the platform holds dialingMethod="PROGRESSIVE" (declared "POWER"), maxCallsPerAgent=3 (declared 2); re-run plan to see the difference',
    });
  });

  it("reply lost, same revision: the note says it is written again", () => {
    const d = last(run(start(), { kind: "start" }, { kind: "reply-lost" }, READ(campaign(7))));
    expect(d.state.notes).toEqual(["reply lost before the write took effect; written again"]);
  });

  it("a conflict names the field; overwrite says last writer wins", () => {
    const conflict = last(
      run(start(), { kind: "start" }, { kind: "conflict" }, READ(campaign(8, { maxCallsPerAgent: 3 }))),
    );
    expect(finishOf(conflict).note).toBe(
      "another writer changed maxCallsPerAgent, which the rules file declares, to a different value",
    );
    const both = last(
      run(
        start(),
        { kind: "start" },
        { kind: "conflict" },
        READ(campaign(8, { dialingMethod: "PREVIEW", maxCallsPerAgent: 1 })),
      ),
    );
    expect(finishOf(both).note).toBe(
      "another writer changed dialingMethod, maxCallsPerAgent, which the rules file declares, to a different value",
    );
    const over = run(
      start({ onConflict: "overwrite" }),
      { kind: "start" },
      { kind: "conflict" },
      READ(campaign(8, { maxCallsPerAgent: 3 })),
    );
    expect(last(over).state.notes).toEqual(["overwrote maxCallsPerAgent (last writer wins)"]);
  });

  it("rebased only over fields the file does not declare; a 409 with no change of theirs is no rebase", () => {
    // They set dialingMethod to our value (agreeing) and changed two undeclared fields; ours still has work.
    const agreeing = last(
      run(
        start({}, { dialingMethod: "POWER", maxCallsPerAgent: 3 }),
        { kind: "start" },
        { kind: "conflict" },
        READ(
          campaign(8, {
            dialingMethod: "POWER",
            retrySettings: retry,
            abandonmentRateThreshold: { maxRate: 0.02, coolDownSec: 0 },
          }),
        ),
      ),
    );
    expect(agreeing.action).toMatchObject({ kind: "write", patch: { maxCallsPerAgent: 3 } });
    expect(agreeing.resolution).toBe("rebased");
    expect(agreeing.state.notes).toEqual([
      "rebased over a concurrent change of retrySettings, abandonmentRateThreshold",
    ]);

    const nothing = last(run(start(), { kind: "start" }, { kind: "conflict" }, READ(campaign(8))));
    expect(nothing.action).toMatchObject({ kind: "write", revision: 8, patch: { dialingMethod: "POWER" } });
    expect(nothing.resolution).toBeUndefined();
    expect(nothing.state.notes).toEqual([]);
  });

  it("noop says the platform already holds the values", () => {
    const d = last(
      run(start(), { kind: "start" }, { kind: "conflict" }, READ(campaign(8, { dialingMethod: "POWER" }))),
    );
    expect(finishOf(d).note).toBe("the platform already holds the declared values");
  });

  it("giving up after maxRounds is not reported as a rebase, and says what to do", () => {
    const d = last(
      run(
        start({ maxRounds: 1 }),
        { kind: "start" },
        { kind: "conflict" },
        READ(campaign(8, { retrySettings: retry })),
      ),
    );
    expect(d.resolution).toBeUndefined();
    expect(finishOf(d).error).toEqual({
      code: "TOO_MANY_CONFLICTS",
      message: "still conflicting after 1 write attempts; re-run apply",
    });
  });

  it("reconcile says which of its cases it found", () => {
    const entry = { baseRevision: 7, patch: { dialingMethod: "POWER" } as PartialRules };
    expect(reconcileDecision(entry, campaign(7, { dialingMethod: "POWER" }))).toEqual({
      outcome: "failed",
      note: "interrupted write did not take effect; re-run apply to write it",
    });
    expect(reconcileDecision(entry, campaign(8, { dialingMethod: "POWER" }))).toEqual({
      outcome: "applied",
      note: "interrupted write found applied on re-read",
    });
  });
});
