/**
 * One apply task: a chunk of one job's campaigns, run through the same engine as `dialrules apply`
 * (`reconcileInDoubt`, then `applyPlan`), under the per-campaign locks. Safe to run more than once and on any
 * replica: what the run already settled (an audit record of this run) is never written again, and writes left
 * in doubt by a process that died are settled by reading the platform first.
 */

import type { Clock } from "../../clock/clock.js";
import { type AuditOutcome, isCampaignOutcome } from "../../domain/audit-record.js";
import { type ApplyObserver, applyPlan, type CampaignResult, reconcileInDoubt } from "../../engine/apply.js";
import type { Plan, PlannedCampaign } from "../../engine/plan-types.js";
import type { Platform } from "../../platform/platform.js";
import type { AuditRecord, CheckpointSigner, SqlStore, Store } from "../../store/types.js";
import type { ChangeRepo } from "../changes/change-repo.js";
import { canonicalIdentity } from "../tokens/identity.js";
import type { JobRepo } from "./job-repo.js";
import type { CampaignLocks } from "./locks.js";
import type { ChunkTask } from "./queue.js";

export const DEFAULT_CHUNK_SIZE = 25;

export interface ApplyWorkerDeps {
  jobs: JobRepo;
  changes: ChangeRepo;
  store: SqlStore;
  platform: Platform;
  clock: Clock;
  locks: CampaignLocks;
  replica: string;
  chunkSize: number;
  /** Writes in flight per chunk. */
  concurrency: number;
  observer?: ApplyObserver;
  /** Graceful shutdown: no new campaign starts; the task is left for another replica (or the next start). */
  stop?: AbortSignal;
  /** Called after a chunk wrote something (the campaign list cache is stale). */
  onWritten?: () => void;
  /**
   * Signs a checkpoint of the audit chain when a job finishes (DIALRULES_AUDIT_KEY_FILE), stored as a record
   * and sent as an `audit.checkpoint` webhook, as `dialrules apply` does at the end of every run.
   */
  signer?: CheckpointSigner;
}

export const chunkCampaigns = (plan: Plan, chunk: number, size: number): PlannedCampaign[] =>
  plan.campaigns.slice(chunk * size, (chunk + 1) * size);

export const chunkCount = (plan: Plan, size: number): number => Math.ceil(plan.campaigns.length / size);

/** Reconciliation that found the interrupted write had not landed: the campaign still has to be written. */
const RECONCILE_REASON = "reconciliation of an interrupted apply";
const stillToWrite = (r: AuditRecord) => r.outcome === "failed" && r.reason === RECONCILE_REASON;

type CampaignRecord = AuditRecord & { outcome: AuditOutcome };

function resultFromRecord(r: CampaignRecord, planned: PlannedCampaign): CampaignResult {
  return {
    id: r.campaignId,
    name: r.campaignName ?? planned.name,
    outcome: r.outcome,
    note: "recorded before the job moved to another worker",
    revisionBefore: r.revisionBefore,
    revisionAfter: r.revisionAfter,
    changes: planned.changes,
    conflicts: [],
    findings: planned.findings,
    ...(r.platformError ? { error: { code: r.platformError.code, message: r.platformError.message } } : {}),
    latencyMs: r.latencyMs ?? 0,
    writes: 0,
  };
}

/** The store seen by reconciliation: only in-doubt entries of the campaigns this chunk holds locks on. */
function scopedStore(store: SqlStore, ids: ReadonlySet<string>): Store {
  return {
    ...store,
    journal: {
      ...store.journal,
      inDoubt: async (options) => (await store.journal.inDoubt(options)).filter((e) => ids.has(e.campaignId)),
    },
  };
}

export async function runChunk(deps: ApplyWorkerDeps, task: ChunkTask): Promise<void> {
  const { jobs, store, platform, clock } = deps;
  const job = await jobs.job(task.jobId);
  if (!job || job.state === "done" || job.state === "failed") return;
  const change = await deps.changes.raw(job.changeId);
  if (!change) throw new Error(`apply job ${job.id} refers to missing change ${job.changeId}`);
  const plan = JSON.parse(change.plan) as Plan;
  const campaigns = chunkCampaigns(plan, task.chunk, deps.chunkSize);
  const ids = new Set(campaigns.map((c) => c.id));

  await deps.locks.withLocks([...ids], async () => {
    await jobs.markRunning(job.id, deps.replica);
    await reconcileInDoubt({ platform, store: scopedStore(store, ids), clock }, job.startedBy, deps.stop);

    const saved = await jobs.doneCampaigns(job.id);
    const settled = new Map<string, CampaignRecord>();
    for (const r of await store.audit.list({ runId: job.id })) {
      if (!ids.has(r.campaignId) || !isCampaignOutcome(r.outcome)) continue;
      if (stillToWrite(r)) settled.delete(r.campaignId);
      else settled.set(r.campaignId, r as CampaignRecord);
    }
    for (const c of campaigns) {
      const r = settled.get(c.id);
      if (r && !saved.has(c.id)) await jobs.saveResult(job.id, resultFromRecord(r, c));
    }
    const todo = campaigns.filter((c) => !settled.has(c.id) && !saved.has(c.id));
    if (todo.length === 0) return;

    const pending: Promise<void>[] = [];
    const result = await applyPlan(
      { ...plan, campaigns: todo },
      {
        runId: job.id,
        actor: job.startedBy,
        reason: change.reason,
        concurrency: deps.concurrency,
        onConflict: "rebase",
        skipInvalid: false,
        stop: deps.stop,
        // Every record names the change, who asked for it and who approved it, inside the hash chain.
        attribution: {
          changeId: change.id,
          requester: canonicalIdentity(change.requested_by),
          approvers: change.approved_by ? [canonicalIdentity(change.approved_by)] : [],
        },
      },
      {
        platform,
        store,
        clock,
        observer: {
          campaignDone: (r) => {
            pending.push(jobs.saveResult(job.id, r));
          },
          conflictResolved: (r) => deps.observer?.conflictResolved?.(r),
        },
      },
    );
    await Promise.all(pending);
    deps.onWritten?.();
    if (result.interrupted) throw new Error("stopping: the rest of this chunk is left for another worker");
  });

  const done = await jobs.doneCampaigns(job.id);
  const missing = campaigns.filter((c) => !done.has(c.id));
  if (missing.length > 0) throw new Error(`${missing.length} campaign(s) of this chunk have no result yet`);
  const finished = await jobs.finishIfComplete(job.id);
  if (!finished.finished) return;
  await store.journal.finishRun(job.id, finished.counts ?? {}, false);
  // Only the chunk that finished the job gets here, once: the run ends with an outside witness of the chain.
  if (deps.signer) {
    await store.audit.checkpoint(deps.signer, {
      runId: job.id,
      actor: job.startedBy,
      platform: platform.name,
    });
  }
}
