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
  if (backend.transactSync) return sqliteExecutor(backend.transactSync, ctx);
  if (backend.chainLock !== undefined) return postgresExecutor(backend, backend.chainLock, ctx);
  return transactionalExecutor(backend, ctx);
}

/** Head mismatches (another process appended) tolerated before a batch takes the locked Kysely path. */
const HEAD_RETRIES = 4;

/** What dialrules_write_batch answers when it wrote nothing. */
type Refusal =
  | { head: { seq: number | null; hash: string | null } }
  | { refused: { id: string; missing: boolean; outcome: string | null; campaign_id: string | null } };

interface Built {
  intents: unknown[];
  audit: unknown[];
  outbox: unknown[];
  done: unknown[];
  records: Map<number, AuditRecord>;
  last: ChainHead;
}

/** The function's arguments for the pending ops, records chained from `head`. */
function build(pending: { op: WriteOp; i: number }[], head: ChainHead, ctx: AuditContext): Built {
  const b: Built = { intents: [], audit: [], outbox: [], done: [], records: new Map(), last: head };
  for (const { op, i } of pending) {
    if (op.kind === "intent") {
      b.intents.push(op.row);
      continue;
    }
    const now = ctx.clock.now();
    const record = chainRecord(op.input, b.last, now);
    b.records.set(i, record);
    b.audit.push(recordToRow(record));
    b.outbox.push(outboxRow(record, ctx, now));
    if (op.entryId !== undefined) {
      b.done.push({
        id: op.entryId,
        campaign_id: record.campaignId,
        outcome: record.outcome,
        audit_id: record.id,
        completed_at: record.time,
      });
    }
    b.last = { seq: record.seq, hash: record.hash };
  }
  return b;
}

/**
 * PostgreSQL: the whole batch in one call of dialrules_write_batch (migration 0007), i.e. one round trip
 * and one transaction, the chain lock held only inside it. Records are chained here against the head this
 * store last wrote; if another process moved the head meanwhile, the function says so and the batch is
 * rebuilt on the head it reports.
 */
function postgresExecutor(backend: Backend, lock: string, ctx: AuditContext): BatchExecutor {
  /** The chain head as last seen; "unknown" until the first call reports it. */
  let head: ChainHead | "unknown" = "unknown";
  const locked = transactionalExecutor(backend, ctx);

  const call = async (ops: readonly WriteOp[]): Promise<OpResult[]> => {
    const results: (OpResult | undefined)[] = ops.map(() => undefined);
    for (let attempt = 0; ; attempt++) {
      const pending = ops.flatMap((op, i) => (results[i] === undefined ? [{ op, i }] : []));
      const b = build(pending, head === "unknown" ? undefined : head, ctx);
      const expected = head === "unknown" ? { seq: -1, hash: null } : (head ?? { seq: null, hash: null });
      const { rows } = await sql<{ r: Refusal | null }>`SELECT dialrules_write_batch(${lock}::bigint,
        ${expected.seq}::bigint, ${expected.hash}::text, ${JSON.stringify(b.intents)}::jsonb,
        ${JSON.stringify(b.audit)}::jsonb, ${JSON.stringify(b.outbox)}::jsonb,
        ${JSON.stringify(b.done)}::jsonb) AS r`.execute(backend.db);
      const refusal = rows[0]?.r ?? null;
      if (refusal === null) {
        if (b.audit.length > 0) head = b.last;
        for (const { i } of pending) {
          const record = b.records.get(i);
          results[i] = record ? { ok: true, record } : { ok: true };
        }
        return results as OpResult[];
      }
      if ("head" in refusal) {
        const { seq, hash } = refusal.head;
        head = seq === null ? undefined : { seq: Number(seq), hash: hash ?? "" };
        if (attempt < HEAD_RETRIES) continue;
        // Other writers keep moving the head: read it under the lock instead.
        head = "unknown";
        const rest = await locked(pending.map((p) => p.op));
        for (const [k, p] of pending.entries()) results[p.i] = rest[k];
        return results as OpResult[];
      }
      const bad = refusal.refused;
      const row = bad.missing ? undefined : { outcome: bad.outcome, campaign_id: bad.campaign_id ?? "" };
      const refused = pending.find(({ op }) => op.kind === "append" && op.entryId === bad.id);
      if (refused === undefined || refused.op.kind !== "append") {
        throw new Error(
          `dialrules_write_batch refused journal entry ${bad.id}, which the batch does not hold`,
        );
      }
      results[refused.i] = {
        ok: false,
        error:
          completionProblem(bad.id, row, refused.op.input.campaignId) ?? new Error(`entry ${bad.id} refused`),
      };
    }
  };

  // An intent completed twice within one batch: the second completion goes in a later call, so that the
  // function sees the first one's outcome and refuses it.
  return async (ops) => {
    const results: OpResult[] = [];
    let segment: WriteOp[] = [];
    let entries = new Set<string>();
    for (const op of ops) {
      if (op.kind === "append" && op.entryId !== undefined) {
        if (entries.has(op.entryId)) {
          results.push(...(await call(segment)));
          segment = [];
          entries = new Set();
        }
        entries.add(op.entryId);
      }
      segment.push(op);
    }
    if (segment.length > 0) results.push(...(await call(segment)));
    return results;
  };
}
