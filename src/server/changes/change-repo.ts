/** Change requests in the database (table `change_requests`), with their apply job's view when they have one. */
import type { Plan } from "../../engine/plan-types.js";
import { CHANGE_STATES, type ChangeRequest, type ChangeState } from "../contract.js";
import type { ChangeRequestsTable, ServiceDatabase } from "../db.js";
import type { JobRepo } from "../jobs/job-repo.js";

export interface NewChange {
  id: string;
  requestedBy: string;
  requesterTokenId: string;
  reason: string;
  createdAt: string;
  risk: "low" | "high";
  riskReasons: string[];
  /** The plan as JSON text (serialised off the event loop, see prepare-change.ts). */
  planJson: string;
  rulesText: string;
  state: ChangeState;
}

/** The JSON text of a change built by newChangeView, so the API can send it without serialising again. */
const rawJson = new WeakMap<ChangeRequest, string>();

export const changeJson = (change: ChangeRequest): string | undefined => rawJson.get(change);

/**
 * The view of a change just stored (no job, no decision yet) and its JSON text, built from the plan's JSON
 * without parsing it: `plan` is parsed only if someone reads it. Same fields, same order as a read.
 */
export function newChangeView(c: NewChange): ChangeRequest {
  const head = {
    id: c.id,
    state: c.state,
    requestedBy: c.requestedBy,
    reason: c.reason,
    createdAt: c.createdAt,
    risk: c.risk,
    riskReasons: c.riskReasons,
  };
  let plan: Plan | undefined;
  const view = { ...head } as ChangeRequest;
  Object.defineProperty(view, "plan", {
    enumerable: true,
    get: () => {
      plan ??= JSON.parse(c.planJson) as Plan;
      return plan;
    },
  });
  view.rulesText = c.rulesText;
  rawJson.set(
    view,
    `${JSON.stringify(head).slice(0, -1)},"plan":${c.planJson},"rulesText":${JSON.stringify(c.rulesText)}}`,
  );
  return view;
}

const isChangeState = (s: string): s is ChangeState => (CHANGE_STATES as readonly string[]).includes(s);

export function createChangeRepo(sdb: ServiceDatabase, jobs: JobRepo, now: () => number = Date.now) {
  const iso = () => new Date(now()).toISOString();
  const { db } = sdb;

  async function toChange(r: ChangeRequestsTable, withResults: boolean): Promise<ChangeRequest> {
    const job = r.job_id ? await jobs.view(r.job_id, withResults) : undefined;
    return {
      id: r.id,
      state: isChangeState(r.state) ? r.state : "failed",
      requestedBy: r.requested_by,
      reason: r.reason,
      createdAt: r.created_at,
      risk: r.risk === "high" ? "high" : "low",
      riskReasons: JSON.parse(r.risk_reasons) as string[],
      plan: JSON.parse(r.plan) as Plan,
      rulesText: r.rules_text,
      ...(r.approved_by ? { approvedBy: r.approved_by } : {}),
      ...(r.rejected_by ? { rejectedBy: r.rejected_by } : {}),
      ...(r.rejection_reason ? { rejectionReason: r.rejection_reason } : {}),
      ...(job ? { job } : {}),
    };
  }

  return {
    async insert(c: NewChange): Promise<void> {
      await sdb.write((trx) =>
        trx
          .insertInto("change_requests")
          .values({
            id: c.id,
            state: c.state,
            requested_by: c.requestedBy,
            requester_token_id: c.requesterTokenId,
            reason: c.reason,
            created_at: c.createdAt,
            updated_at: c.createdAt,
            risk: c.risk,
            risk_reasons: JSON.stringify(c.riskReasons),
            plan: c.planJson,
            rules_text: c.rulesText,
            approved_by: null,
            rejected_by: null,
            rejection_reason: null,
            job_id: null,
          })
          .execute(),
      );
    },

    async raw(id: string): Promise<ChangeRequestsTable | undefined> {
      return db.selectFrom("change_requests").selectAll().where("id", "=", id).executeTakeFirst();
    },

    async get(id: string): Promise<ChangeRequest | undefined> {
      const r = await db.selectFrom("change_requests").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toChange(r, true) : undefined;
    },

    async list(limit: number): Promise<ChangeRequest[]> {
      const rows = await db
        .selectFrom("change_requests")
        .selectAll()
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
      return Promise.all(rows.map((r) => toChange(r, false)));
    },

    /** Compare-and-set on the state: false when the change is not in one of `from` (someone got there first). */
    async transition(
      id: string,
      from: readonly ChangeState[],
      set: Partial<Pick<ChangeRequestsTable, "state" | "approved_by" | "rejected_by" | "rejection_reason">>,
    ): Promise<boolean> {
      const r = await sdb.write((trx) =>
        trx
          .updateTable("change_requests")
          .set({ ...set, updated_at: iso() })
          .where("id", "=", id)
          .where("state", "in", [...from])
          .executeTakeFirst(),
      );
      return Number(r.numUpdatedRows) > 0;
    },

    async ping(): Promise<void> {
      await db.selectFrom("change_requests").select("id").limit(1).execute();
    },
  };
}

export type ChangeRepo = ReturnType<typeof createChangeRepo>;
