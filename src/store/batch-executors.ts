/**
 * How a batch of journal and audit writes (write-batch.ts) is written: in one transaction that holds the
 * audit-chain lock, in order, each append linking to the record its predecessor just wrote.
 *  - SQLite: synchronously on better-sqlite3 statements prepared once (Backend.transactSync).
 *  - PostgreSQL: one call of the dialrules_write_batch function (one round trip), falling back to Kysely in
 *    one transaction (Backend.write with chain: true) while other processes keep moving the chain head.
 */
import { sql } from "kysely";
import { DialrulesError } from "../domain/errors.js";
import {
  type AuditContext,
  appendNormalizedInTx,
  type ChainHead,
  chainRecord,
  outboxRow,
} from "./audit-store.js";
import type { Backend } from "./backend.js";
import { recordToRow } from "./records.js";
import type { AuditRecord } from "./types.js";
import type { BatchExecutor, OpResult, WriteOp } from "./write-batch.js";

/** Why an intent cannot be completed with a record for `campaignId`, or null when it can. */
export function completionProblem(
  entryId: string,
  row: { outcome: string | null; campaign_id: string } | undefined,
  campaignId: string,
): DialrulesError | null {
  if (!row) return new DialrulesError("JOURNAL_ENTRY_NOT_FOUND", `journal entry ${entryId} does not exist`);
  if (row.outcome !== null) {
    return new DialrulesError(
      "JOURNAL_ENTRY_COMPLETED",
      `journal entry ${entryId} already has outcome ${row.outcome}; an intent is completed once`,
    );
  }
  if (row.campaign_id !== campaignId) {
    return new DialrulesError(
      "JOURNAL_CAMPAIGN_MISMATCH",
      `journal entry ${entryId} is for campaign ${row.campaign_id}, the audit record for ${campaignId}`,
    );
  }
  return null;
}

/** One transaction per batch through Kysely, for any backend. */
function transactionalExecutor(backend: Backend, ctx: AuditContext): BatchExecutor {
  return (ops) =>
    backend.write(
      async (trx) => {
        const results: OpResult[] = [];
        for (const op of ops) {
          if (op.kind === "intent") {
            await trx.insertInto("journal").values(op.row).execute();
            results.push({ ok: true });
            continue;
          }
          const { entryId } = op;
          if (entryId !== undefined) {
            const row = await trx
              .selectFrom("journal")
              .select(["outcome", "campaign_id"])
              .where("id", "=", entryId)
              .$if(backend.kind === "postgres", (q) => q.forUpdate())
              .executeTakeFirst();
            const problem = completionProblem(entryId, row, op.input.campaignId);
            if (problem) {
              results.push({ ok: false, error: problem });
              continue;
            }
          }
          const record = await appendNormalizedInTx(trx, op.input, ctx);
          if (entryId !== undefined) {
            await trx
              .updateTable("journal")
              .set({ outcome: record.outcome, audit_id: record.id, completed_at: record.time })
              .where("id", "=", entryId)
              .execute();
          }
          results.push({ ok: true, record });
        }
        return results;
      },
      { chain: true },
    );
}

/** INSERT of every key of `row` as a named parameter: one statement text (prepared once) per table. */
function insertSql(table: string, row: object): string {
  const columns = Object.keys(row);
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map((c) => `@${c}`).join(", ")})`;
}

const HEAD_SQL = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
const ENTRY_SQL = "SELECT outcome, campaign_id FROM journal WHERE id = ?";
const COMPLETE_SQL = "UPDATE journal SET outcome = ?, audit_id = ?, completed_at = ? WHERE id = ?";

/** SQLite: the whole batch in one synchronous BEGIN IMMEDIATE … COMMIT. */
function sqliteExecutor(
  transactSync: NonNullable<Backend["transactSync"]>,
  ctx: AuditContext,
): BatchExecutor {
  return (ops) =>
    transactSync((prepare) => {
      const results: OpResult[] = [];
      let head = prepare(HEAD_SQL).get() as ChainHead;
      for (const op of ops) {
        if (op.kind === "intent") {
          prepare(insertSql("journal", op.row)).run(op.row);
          results.push({ ok: true });
          continue;
        }
        const { entryId } = op;
        if (entryId !== undefined) {
          const row = prepare(ENTRY_SQL).get(entryId) as
            | { outcome: string | null; campaign_id: string }
            | undefined;
          const problem = completionProblem(entryId, row, op.input.campaignId);
          if (problem) {
            results.push({ ok: false, error: problem });
            continue;
          }
        }
        const now = ctx.clock.now();
        const record = chainRecord(op.input, head, now);
        const audit = recordToRow(record);
        prepare(insertSql("audit", audit)).run(audit);
        const outbox = outboxRow(record, ctx, now);
        prepare(insertSql("outbox", outbox)).run(outbox);
        if (entryId !== undefined) prepare(COMPLETE_SQL).run(record.outcome, record.id, record.time, entryId);
        head = { seq: record.seq, hash: record.hash };
        results.push({ ok: true, record });
      }
      return results;
    });
}

/** The executor openStore uses for this backend. */
export function batchExecutor(backend: Backend, ctx: AuditContext): BatchExecutor {
  return backend.transactSync
    ? sqliteExecutor(backend.transactSync, ctx)
    : transactionalExecutor(backend, ctx);
}
