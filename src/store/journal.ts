/**
 * The apply journal: intent before each write, outcome (with its audit record) after, in one transaction; both
 * group-committed with concurrent writes (write-batch.ts, batch-executors.ts).
 */
import { randomUUID } from "node:crypto";
import type { Clock } from "../clock/clock.js";
import type { JournalEntry } from "../engine/store-contract.js";
import type { AuditContext } from "./audit-store.js";
import type { Backend } from "./backend.js";
import { normalizeInput, rowToJournalEntry } from "./records.js";
import type { AuditRecord, StoreJournal } from "./types.js";
import type { WriteBatcher } from "./write-batch.js";

let counter = 0;
/** Sortable by creation (time, then a per-process counter) so entries written in one millisecond keep order. */
function journalId(now: number): string {
  counter = (counter + 1) % 36 ** 4;
  return `jrn_${now.toString(36).padStart(9, "0")}${counter.toString(36).padStart(4, "0")}${randomUUID().slice(0, 8)}`;
}

export function createJournal(
  backend: Backend,
  ctx: AuditContext & { clock: Clock },
  writes: WriteBatcher,
): StoreJournal & {
  entries(runId?: string): Promise<JournalEntry[]>;
} {
  const { db } = backend;
  const iso = () => new Date(ctx.clock.now()).toISOString();

  return {
    async startRun(run) {
      await backend.write((trx) =>
        trx
          .insertInto("runs")
          .values({
            run_id: run.runId,
            actor: run.actor,
            reason: run.reason,
            platform: run.platform,
            source_hash: run.sourceHash,
            started_at: iso(),
            finished_at: null,
            summary: null,
            interrupted: null,
          })
          // A re-run with the same id keeps the original start.
          .onConflict((oc) => oc.column("run_id").doNothing())
          .execute(),
      );
    },

    async finishRun(runId, summary, interrupted) {
      await backend.write((trx) =>
        trx
          .updateTable("runs")
          .set({ finished_at: iso(), summary: JSON.stringify(summary), interrupted: interrupted ? 1 : 0 })
          .where("run_id", "=", runId)
          .execute(),
      );
    },

    async recordIntent(intent) {
      // the stored text, and the entry's patch as reading it back gives (a JSON text round-trips exactly)
      const patch = JSON.stringify(intent.patch);
      const entry: JournalEntry = {
        id: journalId(ctx.clock.now()),
        runId: intent.runId,
        campaignId: intent.campaignId,
        baseRevision: intent.baseRevision,
        patch: JSON.parse(patch),
        createdAt: iso(),
        outcome: null,
      };
      // Group-committed with the other workers' intents and outcomes (write-batch.ts): resolves once durable.
      await writes.submit({
        kind: "intent",
        row: {
          id: entry.id,
          run_id: entry.runId,
          campaign_id: entry.campaignId,
          base_revision: entry.baseRevision,
          patch,
          created_at: entry.createdAt,
          outcome: null,
          audit_id: null,
          completed_at: null,
        },
      });
      return entry;
    },

    async complete(entryId, input): Promise<AuditRecord> {
      // The entry's checks (exists, not yet completed, same campaign) run in the batch's transaction.
      const op = { kind: "append", input: normalizeInput(input, ctx.secrets), entryId } as const;
      return (await writes.submit(op)) as AuditRecord;
    },

    async inDoubt(options) {
      let q = db.selectFrom("journal").selectAll().where("outcome", "is", null);
      if (options?.excludeRunId !== undefined) q = q.where("run_id", "!=", options.excludeRunId);
      return (await q.orderBy("created_at").orderBy("id").execute()).map(rowToJournalEntry);
    },

    async entries(runId) {
      let q = db.selectFrom("journal").selectAll();
      if (runId !== undefined) q = q.where("run_id", "=", runId);
      return (await q.orderBy("created_at").orderBy("id").execute()).map(rowToJournalEntry);
    },
  };
}
