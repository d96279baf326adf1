/**
 * The decision step of applying one campaign, with no I/O: given what is known (state) and what just happened
 * (event), it says what to do next — write, re-read, or finish with an outcome. apply.ts performs the
 * actions and turns platform replies and errors into events; every branch is table-tested on its own.
 *
 * "Ours" is every field the rules file declares for the campaign, changed by the plan or not: a declared
 * field another writer changed is a conflict (`--on-conflict` decides), never silently theirs. "applied" is
 * only ever decided from platform state that holds every declared value (the write's reply or a read-back).
 */
import { diffRules, holdsAll, patchFor } from "../domain/diff.js";
import { sameValue } from "../domain/equal.js";
import { type Finding, hasErrors } from "../domain/findings.js";
import { type FieldConflict, overwritePatch, threeWayMerge } from "../domain/merge.js";
import { mergeRules } from "../domain/resolve.js";
import { validateWithOverrides } from "../domain/retry-overrides.js";
import {
  type Campaign,
  type DialingRules,
  type PartialRules,
  RULE_FIELDS,
  type RuleField,
} from "../domain/rules.js";
import type { Policy } from "../domain/validate.js";

export type ConflictPolicy = "abort" | "rebase" | "overwrite";
export type DecidedOutcome =
  | "applied"
  | "overwritten"
  | "noop"
  | "conflict"
  | "rejected_locally"
  | "rejected_by_platform"
  | "failed";
export type WriteMode = "conditional" | "unconditional" | "overwrite";

export interface ErrorInfo {
  code: string;
  status?: number;
  message: string;
  fields?: { field: string; message: string }[];
}

/** Why a re-read was asked for: it decides how the fresh state is read. */
export type ReadPurpose = "before-write" | "conflict" | "reply-lost" | "verify";

export interface DecisionState {
  /** The platform's rules when the plan was made: the base of the three-way merge. */
  base: DialingRules;
  /** Every declared field. */
  ours: PartialRules;
  /** The latest platform state known (the plan's until a read or a reply says otherwise). */
  theirs: DialingRules;
  revision: number;
  /** The patch of the last write (or the one about to be sent). */
  patch: PartialRules;
  mode: WriteMode;
  /** Writes decided so far. */
  writes: number;
  maxRounds: number;
  onConflict: ConflictPolicy;
  /** What the pending read is for (set with a `reread` action). */
  reading?: ReadPurpose;
  notes: string[];
}

export type DecisionEvent =
  | { kind: "start" }
  | { kind: "read"; campaign: Campaign }
  | { kind: "read-failed"; error: ErrorInfo }
  | { kind: "written"; campaign: Campaign; requestId?: string }
  | { kind: "conflict" }
  | { kind: "reply-lost" }
  | { kind: "rejected"; error: ErrorInfo }
  | { kind: "failed"; error: ErrorInfo };

export interface Finish {
  kind: "finish";
  outcome: DecidedOutcome;
  note?: string;
  conflicts?: FieldConflict[];
  findings?: Finding[];
  revisionAfter?: number;
  rulesAfter?: DialingRules;
  requestId?: string;
  error?: ErrorInfo;
}

/** The observer's one-word account of how a concurrent change was handled. */
export type Resolution = "rebased" | "conflict" | "overwritten" | "already-applied";

export type DecisionAction =
  | { kind: "write"; revision: number; patch: PartialRules; mode: WriteMode }
  | { kind: "reread"; purpose: ReadPurpose }
  | Finish;

export interface Decision {
  state: DecisionState;
  action: DecisionAction;
  /** Set when this step handled a concurrent change. */
  resolution?: Resolution;
}

export interface CampaignPlanInput {
  revision: number;
  current: DialingRules;
  desired: PartialRules;
}

export function initialState(
  c: CampaignPlanInput,
  options: { onConflict: ConflictPolicy; maxRounds: number; conditionalWrite: boolean },
): DecisionState {
  return {
    base: c.current,
    ours: c.desired,
    theirs: c.current,
    revision: c.revision,
    patch: patchFor(diffRules(c.current, c.desired)),
    mode: options.conditionalWrite ? "conditional" : "unconditional",
    writes: 0,
    maxRounds: options.maxRounds,
    onConflict: options.onConflict,
    notes: [],
  };
}

const fieldsOf = (rules: PartialRules): RuleField[] => RULE_FIELDS.filter((f) => rules[f] !== undefined);

/** Declared fields whose value `rules` does not hold. */
export function unconverged(rules: DialingRules, ours: PartialRules): RuleField[] {
  return fieldsOf(ours).filter((f) => !sameValue(rules[f], ours[f]));
}

const appliedOutcome = (s: DecisionState): DecidedOutcome =>
  s.mode === "overwrite" ? "overwritten" : "applied";

function finish(s: DecisionState, f: Omit<Finish, "kind">): Decision {
  const notes = f.note ? [...s.notes, f.note] : s.notes;
  const note = notes.length > 0 ? notes.join("; ") : undefined;
  return { state: { ...s, notes }, action: { ...f, kind: "finish", ...(note ? { note } : {}) } };
}

function write(s: DecisionState, patch: PartialRules, revision: number, extraNote?: string): Decision {
  if (s.writes >= s.maxRounds) {
    return finish(s, {
      outcome: "failed",
      error: {
        code: "TOO_MANY_CONFLICTS",
        message: `still conflicting after ${s.maxRounds} write attempts; re-run apply`,
      },
    });
  }
  const next: DecisionState = {
    ...s,
    patch,
    revision,
    writes: s.writes + 1,
    reading: undefined,
    notes: extraNote ? [...s.notes, extraNote] : s.notes,
  };
  return { state: next, action: { kind: "write", revision, patch, mode: s.mode } };
}

const reread = (s: DecisionState, purpose: ReadPurpose): Decision => ({
  state: { ...s, reading: purpose },
  action: { kind: "reread", purpose },
});

/** The one step: state + event → next state + action. Pure. */
export function decide(s: DecisionState, event: DecisionEvent, policy: Policy): Decision {
  switch (event.kind) {
    case "start":
      // Without conditional writes, a fresh read immediately before the write is the only protection.
      return s.mode === "unconditional" ? reread(s, "before-write") : write(s, s.patch, s.revision);
    case "conflict":
      return reread(s, "conflict");
    case "reply-lost":
      return reread(s, "reply-lost");
    case "rejected":
      return finish(s, { outcome: "rejected_by_platform", error: event.error });
    case "failed":
      return finish(s, { outcome: "failed", error: event.error });
    case "read-failed":
      return finish(s, {
        outcome: "failed",
        error: event.error,
        note:
          s.reading === "reply-lost" || s.reading === "verify"
            ? "the write's result is unknown and the read-back failed; re-run apply to settle"
            : "could not re-read the campaign",
      });
    case "written":
      return afterReply(s, event.campaign, event.requestId);
    case "read":
      return afterRead(s, event.campaign, policy);
  }
}

function afterReply(s: DecisionState, campaign: Campaign, requestId?: string): Decision {
  const state = { ...s, theirs: campaign.dialingRules, revision: campaign.revision };
  if (unconverged(campaign.dialingRules, s.ours).length === 0) {
    return finish(state, {
      outcome: appliedOutcome(s),
      revisionAfter: campaign.revision,
      rulesAfter: campaign.dialingRules,
      ...(requestId ? { requestId } : {}),
    });
  }
  // The reply does not show every declared value: read back before saying anything.
  return reread(state, "verify");
}

function afterRead(s: DecisionState, fresh: Campaign, policy: Policy): Decision {
  const purpose = s.reading ?? "before-write";
  const missing = unconverged(fresh.dialingRules, s.ours);
  if (purpose === "verify") {
    if (missing.length === 0) return landed(s, fresh, "verified by reading back");
    return finish(
      { ...s, theirs: fresh.dialingRules },
      {
        outcome: "failed",
        revisionAfter: fresh.revision,
        rulesAfter: fresh.dialingRules,
        error: notConverged(fresh.dialingRules, s.ours, missing),
      },
    );
  }
  if (purpose === "reply-lost") {
    if (fresh.revision !== s.revision && missing.length === 0) {
      return landed(s, fresh, "reply lost; recognised as applied on re-read");
    }
    if (fresh.revision === s.revision) {
      // Nothing happened since the write was sent: it did not land. The same write again is safe.
      return write(s, s.patch, s.revision, "reply lost before the write took effect; written again");
    }
    // Something else landed (maybe ours, then theirs): merge like after a conflict.
  }
  return mergeAndWrite(s, fresh, policy);
}

function landed(s: DecisionState, fresh: Campaign, note: string): Decision {
  return finish(
    { ...s, theirs: fresh.dialingRules },
    { outcome: appliedOutcome(s), revisionAfter: fresh.revision, rulesAfter: fresh.dialingRules, note },
  );
}

function notConverged(rules: DialingRules, ours: PartialRules, missing: RuleField[]): ErrorInfo {
  return {
    code: "NOT_CONVERGED",
    message: `after the write the platform holds ${missing
      .map((f) => `${f}=${JSON.stringify(rules[f])} (declared ${JSON.stringify(ours[f])})`)
      .join(", ")}; re-run plan to see the difference`,
  };
}

function mergeAndWrite(s: DecisionState, fresh: Campaign, policy: Policy): Decision {
  const merged = threeWayMerge(s.base, fresh.dialingRules, s.ours);
  let state: DecisionState = { ...s, theirs: fresh.dialingRules, revision: fresh.revision };
  let patch: PartialRules;
  let resolution: Resolution | undefined;
  let note: string | undefined;
  if (merged.conflicts.length > 0) {
    const fields = merged.conflicts.map((x) => x.field).join(", ");
    if (s.onConflict !== "overwrite") {
      return {
        ...finish(state, {
          outcome: "conflict",
          conflicts: merged.conflicts,
          revisionAfter: fresh.revision,
          note: `another writer changed ${fields}, which the rules file declares, to a different value`,
        }),
        resolution: "conflict",
      };
    }
    state = { ...state, mode: "overwrite" };
    patch = overwritePatch(fresh.dialingRules, s.ours);
    resolution = "overwritten";
    note = `overwrote ${fields} (last writer wins)`;
  } else {
    patch = merged.patch;
    const theirOnly = merged.theirChanges.filter((f) => s.ours[f] === undefined);
    if (theirOnly.length > 0 && Object.keys(patch).length > 0) {
      resolution = "rebased";
      note = `rebased over a concurrent change of ${theirOnly.join(", ")}`;
    }
  }
  if (Object.keys(patch).length === 0) {
    // Every declared value is already there (another writer set the same values, or our lost write landed).
    return {
      ...finish(state, {
        outcome: "noop",
        revisionAfter: fresh.revision,
        rulesAfter: fresh.dialingRules,
        note: "the platform already holds the declared values",
      }),
      resolution: "already-applied",
    };
  }
  // A merge can make a valid change invalid (their field plus ours breaks a limit): validate what would result.
  const findings = validateWithOverrides(mergeRules(fresh.dialingRules, patch), fresh.retryOverrides, policy);
  if (hasErrors(findings)) {
    const errors = findings.filter((f) => f.severity === "error");
    return finish(state, {
      outcome: "rejected_locally",
      findings,
      revisionAfter: fresh.revision,
      note: `the merge with the concurrent change is not valid: ${errors.map((f) => `${f.code} ${f.path}: ${f.message}`).join("; ")}`,
    });
  }
  const decision = write(state, patch, fresh.revision, note);
  return resolution && decision.action.kind === "write" ? { ...decision, resolution } : decision;
}

/** Settling an interrupted write found in the journal: applied only if it landed and still holds. */
export function reconcileDecision(
  entry: { baseRevision: number; patch: PartialRules },
  fresh: Campaign,
): { outcome: "applied" | "failed"; note: string } {
  if (fresh.revision === entry.baseRevision) {
    return { outcome: "failed", note: "interrupted write did not take effect; re-run apply to write it" };
  }
  if (!holdsAll(fresh.dialingRules, entry.patch)) {
    return {
      outcome: "failed",
      note: "interrupted write did not take effect or was overwritten since; re-run apply to write it",
    };
  }
  return { outcome: "applied", note: "interrupted write found applied on re-read" };
}
