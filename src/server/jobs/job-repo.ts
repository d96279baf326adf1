/**
 * Apply jobs and their per-campaign results in the database: the state every replica shares. A job also moves
 * its change request through applying → applied | failed, in the same transaction as its own state.
 */

import type { AuditOutcome } from "../../domain/audit-record.js";
import type { CampaignResult } from "../../engine/apply.js";
import type { ApplyJobView } from "../contract.js";
import type { ServiceDatabase } from "../db.js";

export type JobState = ApplyJobView["state"];

export interface JobRow {
  id: string;
  changeId: string;
  state: JobState;
  startedBy: string;
  worker?: string;
  total: number;
  chunks: number;
  error?: string;
}

const JOB_STATES: readonly JobState[] = ["queued", "running", "done", "failed"];
const isJobState = (s: string): s is JobState => (JOB_STATES as readonly string[]).includes(s);

export function createJobRepo(sdb: ServiceDatabase, now: () => number = Date.now) {
  const iso = () => new Date(now()).toISOString();
  const { db } = sdb;

  async function job(id: string): Promise<JobRow | undefined> {
    const r = await db.selectFrom("apply_jobs").selectAll().where("id", "=", id).executeTakeFirst();
    if (!r) return undefined;
    return {
      id: r.id,
      changeId: r.change_id,
      state: isJobState(r.state) ? r.state : "failed",
      startedBy: r.started_by,
      ...(r.worker ? { worker: r.worker } : {}),
      total: Number(r.total),
      chunks: Number(r.chunks),
      ...(r.error ? { error: r.error } : {}),
    };
  }

  async function results(jobId: string): Promise<CampaignResult[]> {
    const rows = await db
      .selectFrom("apply_results")
      .select("result")
      .where("job_id", "=", jobId)
      .orderBy("created_at")
      .orderBy("campaign_id")
      .execute();
    return rows.map((r) => JSON.parse(r.result) as CampaignResult);
  }

  async function counts(
    jobId: string,
  ): Promise<{ done: number; byOutcome: Partial<Record<AuditOutcome, number>> }> {
    const rows = await db
      .selectFrom("apply_results")
      .select(["outcome", db.fn.countAll<number>().as("n")])
      .where("job_id", "=", jobId)
      .groupBy("outcome")
      .execute();
    const byOutcome: Partial<Record<AuditOutcome, number>> = {};
    let done = 0;
    for (const r of rows) {
      byOutcome[r.outcome as AuditOutcome] = Number(r.n);
      done += Number(r.n);
    }
    return { done, byOutcome };
  }

  return {
    job,
    results,

    async view(jobId: string, withResults: boolean): Promise<ApplyJobView | undefined> {
      const j = await job(jobId);
      if (!j) return undefined;
      const c = await counts(jobId);
      return {
        id: j.id,
        state: j.state,
        startedBy: j.startedBy,
        ...(j.worker ? { worker: j.worker } : {}),
        progress: { done: c.done, total: j.total, counts: c.byOutcome },
        results: withResults ? await results(jobId) : [],
        ...(j.error ? { error: j.error } : {}),
      };
    },

    /** approved → applying and the job row, in one transaction; false when the change was not approved. */
    async start(changeId: string, j: { id: string; startedBy: string; total: number; chunks: number }) {
      return sdb.write(async (trx) => {
        const at = iso();
        const r = await trx
          .updateTable("change_requests")
          .set({ state: "applying", job_id: j.id, updated_at: at })
          .where("id", "=", changeId)
          .where("state", "=", "approved")
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        await trx
          .insertInto("apply_jobs")
          .values({
            id: j.id,
            change_id: changeId,
            state: "queued",
            started_by: j.startedBy,
            worker: null,
            total: j.total,
            chunks: j.chunks,
            created_at: at,
            updated_at: at,
            finished_at: null,
            error: null,
          })
          .execute();
        return true;
      });
    },

    async markRunning(jobId: string, worker: string): Promise<void> {
      await sdb.write((trx) =>
        trx
          .updateTable("apply_jobs")
          .set({ state: "running", worker, updated_at: iso() })
          .where("id", "=", jobId)
          .where("state", "in", ["queued", "running"])
          .execute(),
      );
    },

    async saveResult(jobId: string, result: CampaignResult): Promise<void> {
      await sdb.write((trx) =>
        trx
          .insertInto("apply_results")
          .values({
            job_id: jobId,
            campaign_id: result.id,
            outcome: result.outcome,
            result: JSON.stringify(result),
            created_at: iso(),
          })
          // A chunk retried after a crash may reach a campaign whose result is already saved: the first wins.
          .onConflict((oc) => oc.columns(["job_id", "campaign_id"]).doNothing())
          .execute(),
      );
    },

    async doneCampaigns(jobId: string): Promise<Set<string>> {
      const rows = await db
        .selectFrom("apply_results")
        .select("campaign_id")
        .where("job_id", "=", jobId)
        .execute();
      return new Set(rows.map((r) => r.campaign_id));
    },

    /**
     * Ends the job once every campaign has a result (idempotent: any replica may call it after any chunk).
     * The change becomes "applied" when every campaign was applied or already held the values, else "failed".
     */
    async finishIfComplete(jobId: string): Promise<{ finished: boolean; counts?: Record<string, number> }> {
      const j = await job(jobId);
      if (!j || j.state === "done" || j.state === "failed") return { finished: false };
      const c = await counts(jobId);
      if (c.done < j.total) return { finished: false };
      const bad = Object.entries(c.byOutcome)
        .filter(([o, n]) => !["applied", "noop", "overwritten"].includes(o) && (n ?? 0) > 0)
        .map(([o, n]) => `${o} ${n}`);
      const finished = await sdb.write(async (trx) => {
        const at = iso();
        const r = await trx
          .updateTable("apply_jobs")
          .set({
            state: "done",
            finished_at: at,
            updated_at: at,
            error: bad.length ? `not applied: ${bad.join(", ")}` : null,
          })
          .where("id", "=", jobId)
          .where("state", "in", ["queued", "running"])
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return false;
        await trx
          .updateTable("change_requests")
          .set({ state: bad.length ? "failed" : "applied", updated_at: at })
          .where("id", "=", j.changeId)
          .where("state", "=", "applying")
          .execute();
        return true;
      });
      return { finished, counts: c.byOutcome as Record<string, number> };
    },

    async fail(jobId: string, error: string): Promise<void> {
      const j = await job(jobId);
      if (!j) return;
      await sdb.write(async (trx) => {
        const at = iso();
        await trx
          .updateTable("apply_jobs")
          .set({ state: "failed", error, finished_at: at, updated_at: at })
          .where("id", "=", jobId)
          .where("state", "in", ["queued", "running"])
          .execute();
        await trx
          .updateTable("change_requests")
          .set({ state: "failed", updated_at: at })
          .where("id", "=", j.changeId)
          .where("state", "=", "applying")
          .execute();
      });
    },

    /** Jobs not finished: re-queued at start-up when the queue is in-process (SQLite). */
    async unfinished(): Promise<JobRow[]> {
      const rows = await db
        .selectFrom("apply_jobs")
        .select("id")
        .where("state", "in", ["queued", "running"])
        .execute();
      const out: JobRow[] = [];
      for (const r of rows) {
        const j = await job(r.id);
        if (j) out.push(j);
      }
      return out;
    },
  };
}

export type JobRepo = ReturnType<typeof createJobRepo>;
