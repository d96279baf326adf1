import type { Clock } from "../clock/clock.js";
import type { AuditInput, AuditOutcome, WriteMode } from "../domain/audit-record.js";
import { diffRules, type FieldChange, holdsAll, patchFor } from "../domain/diff.js";
import { type Finding, hasErrors } from "../domain/findings.js";
import { type FieldConflict, overwritePatch, threeWayMerge } from "../domain/merge.js";
import { mergeRules } from "../domain/resolve.js";
import { validateWithOverrides } from "../domain/retry-overrides.js";
import type { Campaign, DialingRules, PartialRules } from "../domain/rules.js";
import { policyFromFile } from "../domain/validate.js";
import {
  ConflictError,
  PlatformError,
  PlatformValidationError,
  WriteOutcomeUnknownError,
} from "../platform/errors.js";
import type { Platform } from "../platform/platform.js";
import type { Plan, PlannedCampaign } from "./plan-types.js";
import { runSummaryInput } from "./run-summary.js";
import type { ApplyStore, JournalEntry } from "./store-contract.js";

export type ConflictPolicy = "abort" | "rebase" | "overwrite";

export interface ApplyOptions {
  runId: string;
  actor: string;
  reason: string;
  concurrency: number;
  onConflict: ConflictPolicy;
  /** Apply the valid campaigns and report the invalid ones instead of refusing the whole plan. */
  skipInvalid: boolean;
  /** Merge-and-retry rounds per campaign before giving up (each round follows a 409). */
  maxRounds?: number;
  /** Graceful stop (first Ctrl-C): no new campaign starts; writes in flight finish and are recorded. */
  stop?: AbortSignal;
  /** Hard stop (second Ctrl-C): requests in flight are aborted and stay "in doubt" in the journal. */
  abort?: AbortSignal;
  /** Who asked for and who approved the change being applied (`serve`); carried by every record. */
  attribution?: { changeId: string; requester: string; approvers: string[] };
}

export interface ApplyDeps {
  platform: Platform;
  store: ApplyStore;
  clock: Clock;
  observer?: ApplyObserver;
}

export interface ApplyObserver {
  started?(total: number): void;
  campaignDone?(result: CampaignResult): void;
  conflictResolved?(resolution: "rebased" | "conflict" | "overwritten" | "already-applied"): void;
}

export interface CampaignResult {
  id: string;
  name: string;
  outcome: AuditOutcome;
  /** How the outcome came about, for people: "rebased over a concurrent edit of maxCallsPerAgent". */
  note?: string;
  revisionBefore?: number;
  revisionAfter?: number;
  changes: FieldChange[];
  conflicts: FieldConflict[];
  findings: Finding[];
  error?: { code: string; message: string };
  latencyMs: number;
  /** Write requests sent for this campaign (1 normally; more after a 409 or a 503 retry inside the client). */
  writes: number;
}

export interface ApplyResult {
  runId: string;
  /** True when nothing was written because the plan had invalid campaigns (and no --skip-invalid). */
  refused: boolean;
  interrupted: boolean;
  /** In-doubt writes of earlier interrupted runs, settled by reading before this run wrote anything. */
  reconciled: CampaignResult[];
  results: CampaignResult[];
  counts: Record<AuditOutcome, number>;
}

const EMPTY_COUNTS: Record<AuditOutcome, number> = {
  applied: 0,
  noop: 0,
  rejected_locally: 0,
  rejected_by_platform: 0,
  conflict: 0,
  failed: 0,
  overwritten: 0,
};

/** Plan-level problems that block an apply: invalid campaigns, unknown ids. */
export function blockingProblems(plan: Plan): { invalid: PlannedCampaign[]; fileErrors: Finding[] } {
  return {
    invalid: plan.campaigns.filter((c) => c.status === "invalid"),
    fileErrors: plan.findings.filter((f) => f.severity === "error"),
  };
}

/**
 * Settles writes that an earlier run started but never recorded (crash, kill -9, power loss): each is
 * read back; if the campaign holds what was sent the write is recorded as applied, otherwise as failed.
 * Nothing is written to the platform here.
 */
export async function reconcileInDoubt(
  deps: ApplyDeps,
  actor: string,
  signal?: AbortSignal,
): Promise<CampaignResult[]> {
  const entries = await deps.store.journal.inDoubt();
  const results: CampaignResult[] = [];
  for (const entry of entries) {
    results.push(await reconcileEntry(deps, entry, actor, signal));
  }
  return results;
}

async function reconcileEntry(
  deps: ApplyDeps,
  entry: JournalEntry,
  actor: string,
  signal?: AbortSignal,
): Promise<CampaignResult> {
  const started = deps.clock.now();
  const base: AuditInput = {
    runId: entry.runId,
    actor,
    reason: "reconciliation of an interrupted apply",
    platform: deps.platform.name,
    campaignId: entry.campaignId,
    revisionBefore: entry.baseRevision,
    outcome: "failed",
    diff: [],
    findings: [],
  };
  let fresh: Campaign;
  try {
    fresh = await deps.platform.getCampaign(entry.campaignId, { signal });
  } catch (err) {
    const error = describeError(err);
    await deps.store.journal.complete(entry.id, { ...base, platformError: error });
    return result(entry.campaignId, "", "failed", started, deps, { error, note: "could not read back" });
  }
  const applied = fresh.revision !== entry.baseRevision && holdsAll(fresh.dialingRules, entry.patch);
  const outcome: AuditOutcome = applied ? "applied" : "failed";
  const note = applied
    ? "interrupted write found applied on re-read"
    : "interrupted write did not take effect; re-run apply to write it";
  await deps.store.journal.complete(entry.id, {
    ...base,
    campaignName: fresh.name,
    outcome,
    revisionAfter: fresh.revision,
    rulesAfter: fresh.dialingRules,
    diff: Object.entries(entry.patch).map(([field, to]) => ({ field, from: undefined, to }) as FieldChange),
    platformError: applied ? undefined : { code: "INTERRUPTED", message: note },
  });
  return result(entry.campaignId, fresh.name, outcome, started, deps, {
    note,
    revisionBefore: entry.baseRevision,
    revisionAfter: fresh.revision,
  });
}

function result(
  id: string,
  name: string,
  outcome: AuditOutcome,
  started: number,
  deps: ApplyDeps,
  extra: Partial<CampaignResult> = {},
): CampaignResult {
  return {
    id,
    name,
    outcome,
    changes: [],
    conflicts: [],
    findings: [],
    latencyMs: deps.clock.now() - started,
    writes: 0,
    ...extra,
  };
}

function describeError(err: unknown): {
  code: string;
  status?: number;
  message: string;
  fields?: { field: string; message: string }[];
} {
  if (err instanceof PlatformValidationError) {
    return { code: err.code, status: err.status, message: err.message, fields: err.fields };
  }
  if (err instanceof PlatformError) return { code: err.code, status: err.status, message: err.message };
  return { code: "UNEXPECTED", message: err instanceof Error ? err.message : String(err) };
}

/**
 * Applies a plan: bounded concurrency, every write journaled before it is sent, every outcome recorded
 * with its audit record in one transaction. Conflicts are merged three-way against the planned base.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions, deps: ApplyDeps): Promise<ApplyResult> {
  const counts = { ...EMPTY_COUNTS };
  const results: CampaignResult[] = [];
  const policy = policyFromFile(plan.rulesFile);
  const { invalid, fileErrors } = blockingProblems(plan);
  const refused = (invalid.length > 0 || fileErrors.length > 0) && !options.skipInvalid;
  const record = (r: CampaignResult) => {
    results.push(r);
    counts[r.outcome] += 1;
    deps.observer?.campaignDone?.(r);
  };
  const auditBase = (c: PlannedCampaign): AuditInput => ({
    runId: options.runId,
    actor: options.actor,
    reason: options.reason,
    platform: deps.platform.name,
    campaignId: c.id,
    campaignName: c.name,
    outcome: "noop",
    revisionBefore: c.revision,
    rulesBefore: c.current,
    diff: c.changes,
    findings: c.findings,
    ...(options.attribution ?? {}),
    // Loosened limits travel with every record they could have let through, with their reasons.
    ...(policy.overrides.length > 0
      ? { overrides: policy.overrides.map((o) => ({ limit: o.limit, value: o.to, reason: o.reason })) }
      : {}),
  });

  await deps.store.journal.startRun({
    runId: options.runId,
    actor: options.actor,
    reason: options.reason,
    platform: deps.platform.name,
    sourceHash: plan.sourceHash,
  });
  deps.observer?.started?.(plan.campaigns.length);

  // Local decisions first: they need no request, and a refused plan must send none.
  for (const c of invalid) {
    await deps.store.audit.append({ ...auditBase(c), outcome: "rejected_locally" });
    record({
      ...result(c.id, c.name, "rejected_locally", deps.clock.now(), deps),
      changes: c.changes,
      findings: c.findings,
    });
  }
  const toWrite = refused ? [] : plan.campaigns.filter((c) => c.status === "change");
  // Unchanged campaigns get no record of their own: the run summary below lists them (issue 14).
  const unchanged = refused ? [] : plan.campaigns.filter((p) => p.status === "unchanged");
  if (!refused) {
    for (const c of unchanged) {
      record({
        ...result(c.id, c.name, "noop", deps.clock.now(), deps),
        revisionBefore: c.revision,
        revisionAfter: c.revision,
      });
    }
  }

  let aborted = false;
  const queue = [...toWrite];
  const stopped = () => aborted || options.stop?.aborted === true || options.abort?.aborted === true;
  const worker = async () => {
    for (let c = queue.shift(); c !== undefined && !stopped(); c = queue.shift()) {
      const r = await applyCampaign(c, policy, options, deps, auditBase(c));
      if (r === undefined) continue; // hard-aborted mid-request: stays in doubt for the next run
      record(r);
      if (r.outcome === "conflict" && options.onConflict === "abort") aborted = true;
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, toWrite.length)) }, worker),
  );

  const interrupted = options.stop?.aborted === true || options.abort?.aborted === true;
  await deps.store.audit.append(
    runSummaryInput(plan, options, deps.platform.name, { counts, unchanged, refused, interrupted }),
  );
  await deps.store.journal.finishRun(options.runId, { ...counts }, interrupted);
  return { runId: options.runId, refused, interrupted, reconciled: [], results, counts };
}

/**
 * One campaign: intent → write → on 409 or a lost reply, re-read and merge → write again (bounded).
 * Returns undefined only when hard-aborted while a request was in flight.
 */
async function applyCampaign(
  c: PlannedCampaign,
  policy: ReturnType<typeof policyFromFile>,
  options: ApplyOptions,
  deps: ApplyDeps,
  audit: AuditInput,
): Promise<CampaignResult | undefined> {
  const { platform, clock, store } = deps;
  const signal = options.abort;
  const started = clock.now();
  const maxRounds = options.maxRounds ?? 5;
  // "Ours" is what the plan changes, not every managed field: a field we planned to leave as it was and
  // another writer changed is theirs to keep (the next plan will show it).
  const ours: PartialRules = patchFor(c.changes);
  let patch: PartialRules = ours;
  let revision = c.revision;
  let theirs: DialingRules = c.current;
  let writeMode: WriteMode = platform.capabilities.conditionalWrite ? "conditional" : "unconditional";
  let writes = 0;
  let notes: string[] = [];

  const entry = await store.journal.recordIntent({
    runId: options.runId,
    campaignId: c.id,
    baseRevision: c.revision,
    patch,
  });
  const finish = async (
    outcome: AuditOutcome,
    extra: Partial<AuditInput> & { note?: string; conflicts?: FieldConflict[] } = {},
  ): Promise<CampaignResult> => {
    const { note, ...auditExtra } = extra;
    if (note) notes = [...notes, note];
    const latencyMs = clock.now() - started;
    const rulesAfter = auditExtra.rulesAfter;
    await store.journal.complete(entry.id, {
      ...audit,
      outcome,
      writeMode,
      revisionBefore: revision,
      rulesBefore: theirs,
      diff: rulesAfter ? diffRules(theirs, rulesAfter) : diffRules(theirs, patch),
      latencyMs,
      ...auditExtra,
    });
    return {
      id: c.id,
      name: c.name,
      outcome,
      ...(notes.length ? { note: notes.join("; ") } : {}),
      revisionBefore: c.revision,
      revisionAfter: auditExtra.revisionAfter,
      changes: c.changes,
      conflicts: extra.conflicts ?? [],
      findings: c.findings,
      ...(auditExtra.platformError
        ? { error: { code: auditExtra.platformError.code, message: auditExtra.platformError.message } }
        : {}),
      latencyMs,
      writes,
    };
  };

  // A platform without conditional writes: read immediately before writing and merge against the plan's base.
  // The window between this read and the write is the remaining race (see docs/architecture.md).
  let mustReread = !platform.capabilities.conditionalWrite;

  for (let round = 0; round < maxRounds; round++) {
    if (mustReread) {
      let fresh: Campaign;
      try {
        fresh = await platform.getCampaign(c.id, { signal });
      } catch (err) {
        if (signal?.aborted) return undefined;
        return finish("failed", {
          platformError: describeError(err),
          note: "could not re-read the campaign",
        });
      }
      mustReread = false;
      const merged = threeWayMerge(c.current, fresh.dialingRules, ours);
      theirs = fresh.dialingRules;
      revision = fresh.revision;
      if (merged.conflicts.length > 0) {
        if (options.onConflict !== "overwrite") {
          deps.observer?.conflictResolved?.("conflict");
          return finish("conflict", {
            conflicts: merged.conflicts,
            revisionAfter: fresh.revision,
            note: `another writer changed ${merged.conflicts.map((x) => x.field).join(", ")} to a different value`,
          });
        }
        deps.observer?.conflictResolved?.("overwritten");
        writeMode = "overwrite";
        patch = overwritePatch(fresh.dialingRules, ours);
        notes.push(`overwrote ${merged.conflicts.map((x) => x.field).join(", ")} (last writer wins)`);
      } else {
        patch = merged.patch;
        if (merged.theirChanges.length > 0 && Object.keys(patch).length > 0) {
          deps.observer?.conflictResolved?.("rebased");
          notes.push(`rebased over a concurrent change of ${merged.theirChanges.join(", ")}`);
        }
      }
      if (Object.keys(patch).length === 0) {
        deps.observer?.conflictResolved?.("already-applied");
        return finish("noop", {
          revisionAfter: fresh.revision,
          rulesAfter: fresh.dialingRules,
          note: "the platform already holds the desired values",
        });
      }
      const findings = validateWithOverrides(
        mergeRules(fresh.dialingRules, patch),
        fresh.retryOverrides,
        policy,
      );
      if (hasErrors(findings)) {
        return finish("rejected_locally", {
          findings,
          note: "the merge with the concurrent change is not valid",
        });
      }
    }

    writes += 1;
    try {
      const { campaign, requestId } = await platform.updateRules(c.id, revision, patch, { signal });
      return finish(writeMode === "overwrite" ? "overwritten" : "applied", {
        revisionAfter: campaign.revision,
        rulesAfter: campaign.dialingRules,
        requestId,
        conflicts: [],
      });
    } catch (err) {
      if (signal?.aborted) return undefined;
      if (err instanceof ConflictError) {
        mustReread = true;
        continue;
      }
      if (err instanceof WriteOutcomeUnknownError) {
        // The reply was lost after the request was sent: read back before deciding, never write blind.
        let fresh: Campaign;
        try {
          fresh = await platform.getCampaign(c.id, { signal });
        } catch (readErr) {
          if (signal?.aborted) return undefined;
          return finish("failed", {
            platformError: describeError(readErr),
            note: "reply lost and read-back failed; re-run apply to settle",
          });
        }
        if (fresh.revision !== revision && holdsAll(fresh.dialingRules, patch)) {
          return finish(writeMode === "overwrite" ? "overwritten" : "applied", {
            revisionAfter: fresh.revision,
            rulesAfter: fresh.dialingRules,
            note: "reply lost; recognised as applied on re-read",
          });
        }
        if (fresh.revision === revision) {
          notes.push("reply lost before the write took effect; written again");
          continue;
        }
        mustReread = true;
        continue;
      }
      if (err instanceof PlatformValidationError) {
        return finish("rejected_by_platform", { platformError: describeError(err) });
      }
      return finish("failed", { platformError: describeError(err) });
    }
  }
  return finish("failed", {
    platformError: {
      code: "TOO_MANY_CONFLICTS",
      message: `still conflicting after ${maxRounds} merge rounds; re-run apply`,
    },
  });
}
