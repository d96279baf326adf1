import type { Clock } from "../clock/clock.js";
import type { AuditInput, AuditOutcome } from "../domain/audit-record.js";
import { diffRules, type FieldChange } from "../domain/diff.js";
import type { Finding } from "../domain/findings.js";
import type { FieldConflict } from "../domain/merge.js";
import type { Campaign, DialingRules } from "../domain/rules.js";
import { policyFromFile } from "../domain/validate.js";
import {
  ConflictError,
  PlatformError,
  PlatformValidationError,
  WriteOutcomeUnknownError,
} from "../platform/errors.js";
import type { Platform } from "../platform/platform.js";
import {
  type ConflictPolicy,
  type DecisionEvent,
  type DecisionState,
  decide,
  type Finish,
  initialState,
  reconcileDecision,
  unconverged,
} from "./apply-decision.js";
import type { Plan, PlannedCampaign } from "./plan-types.js";
import { runSummaryInput } from "./run-summary.js";
import type { ApplyStore, JournalEntry } from "./store-contract.js";

export type { ConflictPolicy };

export interface ApplyOptions {
  runId: string;
  actor: string;
  reason: string;
  concurrency: number;
  /**
   * Write more campaigns at once than `concurrency` while the platform's stated budget has room for them
   * (Platform.requestRoom: a full bucket), at most MAX_WORKERS; the extra workers stop when the room is gone.
   */
  burstWorkers?: boolean;
  onConflict: ConflictPolicy;
  /** Apply the valid campaigns and report the invalid ones instead of refusing the whole plan. */
  skipInvalid: boolean;
  /** Merge-and-retry rounds per campaign before giving up (each round follows a 409). */
  maxRounds?: number;
  /** Graceful stop (first Ctrl-C): no new campaign starts; writes in flight finish and are recorded. */
  stop?: AbortSignal;
  /** Hard stop (second Ctrl-C): requests in flight are aborted and stay "in doubt" in the journal. */
  abort?: AbortSignal;
  /**
   * Re-read the campaigns the plan leaves alone (one list read) before calling them unchanged: set when time
   * passed since the plan (a saved plan, a confirmation prompt). One that another writer moved away from a
   * declared value is handled like any concurrent change (conflict, or overwritten under --on-conflict).
   */
  recheckUnchanged?: boolean;
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
  /** Campaigns with changes that were never attempted (--on-conflict abort stopped the run, or Ctrl-C). */
  notAttempted: { id: string; name: string }[];
  /** True when a conflict under --on-conflict abort stopped the run. */
  abortedOnConflict: boolean;
}

/** Most campaigns written at once when the budget has room for more than `concurrency` (sockets, memory). */
export const MAX_WORKERS = 64;

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
  const { outcome, note } = reconcileDecision(entry, fresh);
  const applied = outcome === "applied";
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
  const toWrite: { c: PlannedCampaign; fresh?: Campaign }[] = refused
    ? []
    : plan.campaigns.filter((c) => c.status === "change").map((c) => ({ c }));
  // Unchanged campaigns get no record of their own: the run summary below lists them (issue 14).
  let unchanged = refused ? [] : plan.campaigns.filter((p) => p.status === "unchanged");
  if (options.recheckUnchanged && unchanged.length > 0) {
    const drifted = await driftedSincePlan(unchanged, deps.platform, options.abort);
    unchanged = unchanged.filter((c) => !drifted.has(c.id));
    for (const c of plan.campaigns) {
      const fresh = drifted.get(c.id);
      if (fresh) toWrite.push({ c, fresh });
    }
  }
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
  const startNext = (): Promise<Decided | undefined> | undefined => {
    if (stopped()) return undefined;
    const next = queue.shift();
    if (next === undefined) return undefined;
    const started = applyCampaign(next.c, policy, options, deps, auditBase(next.c), next.fresh);
    // Awaited below, possibly after it failed: not an unhandled rejection meanwhile.
    started.catch(() => undefined);
    return started;
  };
  // Each worker starts its next campaign (journal intent) while the previous one's outcome is being recorded,
  // so both join the same group commit; an outcome is reported only once it is durable.
  // Beyond `concurrency`, as many more workers as the platform's budget lets send at once (a full bucket):
  // a small change is written in one round instead of ⌈N / concurrency⌉. An extra worker stops once the
  // budget has no room, so when it runs dry the configured number goes on at the refill's pace.
  const base = Math.max(1, Math.min(options.concurrency, toWrite.length));
  const room = () => deps.platform.requestRoom?.() ?? 0;
  const workers = options.burstWorkers ? Math.max(base, Math.min(toWrite.length, MAX_WORKERS, room())) : base;
  const worker = async (index: number) => {
    const extra = index >= base;
    let current = startNext();
    while (current !== undefined) {
      const decided = await current;
      if (decided === undefined) {
        current = startNext(); // hard-aborted mid-request: stays in doubt for the next run
        continue;
      }
      const r = decided.result;
      if (r.outcome === "conflict" && options.onConflict === "abort") aborted = true;
      current = extra && room() < 1 ? undefined : startNext();
      try {
        await decided.recorded;
      } catch (err) {
        // The campaign already started is journaled; let it finish before reporting the failure.
        await current?.then((d) => d?.recorded).catch(() => undefined);
        throw err;
      }
      record(r);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, index) => worker(index)));
  const notAttempted = queue.map(({ c }) => ({ id: c.id, name: c.name }));

  const interrupted = options.stop?.aborted === true || options.abort?.aborted === true;
  await deps.store.audit.append(
    runSummaryInput(plan, options, deps.platform.name, { counts, unchanged, refused, interrupted }),
  );
  await deps.store.journal.finishRun(options.runId, { ...counts }, interrupted);
  return {
    runId: options.runId,
    refused,
    interrupted,
    reconciled: [],
    results,
    counts,
    notAttempted,
    abortedOnConflict: aborted,
  };
}

/** The unchanged campaigns whose declared values another writer changed since the plan, as read now. */
async function driftedSincePlan(
  unchanged: readonly PlannedCampaign[],
  platform: Platform,
  signal?: AbortSignal,
): Promise<Map<string, Campaign>> {
  const fresh = new Map((await platform.listCampaigns({ signal })).map((c) => [c.id, c]));
  const drifted = new Map<string, Campaign>();
  for (const c of unchanged) {
    const now = fresh.get(c.id);
    if (now && unconverged(now.dialingRules, c.desired).length > 0) drifted.set(c.id, now);
  }
  return drifted;
}

/** A platform call's failure as a decision event; undefined when hard-aborted (the write stays in doubt). */
function writeFailure(err: unknown, signal?: AbortSignal): DecisionEvent | undefined {
  if (signal?.aborted) return undefined;
  if (err instanceof ConflictError) return { kind: "conflict" };
  // The reply was lost after the request was sent: read back before deciding, never write blind.
  if (err instanceof WriteOutcomeUnknownError) return { kind: "reply-lost" };
  if (err instanceof PlatformValidationError) return { kind: "rejected", error: describeError(err) };
  return { kind: "failed", error: describeError(err) };
}

/**
 * One campaign: performs what the decision step (apply-decision.ts) asks — write, re-read — and feeds back
 * what happened, until it decides an outcome. Returns undefined only when hard-aborted mid-request.
 */
async function applyCampaign(
  c: PlannedCampaign,
  policy: ReturnType<typeof policyFromFile>,
  options: ApplyOptions,
  deps: ApplyDeps,
  audit: AuditInput,
  /** A read made since the plan (recheck of an unchanged campaign): the decision starts from it. */
  fresh?: Campaign,
): Promise<Decided | undefined> {
  const { platform, clock, store } = deps;
  const signal = options.abort;
  const started = clock.now();
  let state = initialState(c, {
    onConflict: options.onConflict,
    maxRounds: options.maxRounds ?? 5,
    conditionalWrite: platform.capabilities.conditionalWrite,
  });
  const entry = await store.journal.recordIntent({
    runId: options.runId,
    campaignId: c.id,
    baseRevision: c.revision,
    patch: state.patch,
  });
  let event: DecisionEvent = { kind: "start" };
  if (fresh) {
    state = { ...state, reading: "before-write" };
    event = { kind: "read", campaign: fresh };
  }
  let revisionBefore = c.revision;
  let rulesBefore = c.current;
  for (;;) {
    const step = decide(state, event, policy);
    if (step.resolution) deps.observer?.conflictResolved?.(step.resolution);
    state = step.state;
    const action = step.action;
    if (action.kind === "finish") {
      return recordOutcome(
        c,
        action,
        state,
        { revisionBefore, rulesBefore, audit, entryId: entry.id, started },
        deps,
      );
    }
    if (action.kind === "reread") {
      try {
        event = { kind: "read", campaign: await platform.getCampaign(c.id, { signal }) };
      } catch (err) {
        if (signal?.aborted) return undefined;
        event = { kind: "read-failed", error: describeError(err) };
      }
      continue;
    }
    revisionBefore = action.revision;
    rulesBefore = state.theirs;
    try {
      const { campaign, requestId } = await platform.updateRules(c.id, action.revision, action.patch, {
        signal,
      });
      event = { kind: "written", campaign, ...(requestId ? { requestId } : {}) };
    } catch (err) {
      const failure = writeFailure(err, signal);
      if (failure === undefined) return undefined;
      event = failure;
    }
  }
}

/** A campaign's outcome, decided; `recorded` settles when its journal outcome and audit record are durable. */
interface Decided {
  result: CampaignResult;
  recorded: Promise<unknown>;
}

function recordOutcome(
  c: PlannedCampaign,
  f: Finish,
  state: DecisionState,
  ctx: {
    revisionBefore: number;
    rulesBefore: DialingRules;
    audit: AuditInput;
    entryId: string;
    started: number;
  },
  deps: ApplyDeps,
): Decided {
  const latencyMs = deps.clock.now() - ctx.started;
  const findings = f.findings ?? c.findings;
  const recorded = deps.store.journal.complete(ctx.entryId, {
    ...ctx.audit,
    outcome: f.outcome,
    writeMode: state.mode,
    revisionBefore: ctx.revisionBefore,
    rulesBefore: ctx.rulesBefore,
    diff: diffRules(ctx.rulesBefore, f.rulesAfter ?? state.patch),
    latencyMs,
    findings,
    ...(f.revisionAfter !== undefined ? { revisionAfter: f.revisionAfter } : {}),
    ...(f.rulesAfter ? { rulesAfter: f.rulesAfter } : {}),
    ...(f.requestId ? { requestId: f.requestId } : {}),
    ...(f.error ? { platformError: f.error } : {}),
    ...(f.conflicts ? { conflicts: f.conflicts } : {}),
  });
  const result: CampaignResult = {
    id: c.id,
    name: c.name,
    outcome: f.outcome,
    ...(f.note ? { note: f.note } : {}),
    revisionBefore: c.revision,
    revisionAfter: f.revisionAfter,
    changes: c.changes,
    conflicts: f.conflicts ?? [],
    findings,
    ...(f.error ? { error: { code: f.error.code, message: f.error.message } } : {}),
    latencyMs,
    writes: state.writes,
  };
  return { result, recorded };
}
