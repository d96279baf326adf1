/** The hash-chained audit log: append (with its outbox row), list, verify. */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Clock } from "../clock/clock.js";
import type { Backend } from "./backend.js";
import { GENESIS_HASH, recordHash } from "./canonical.js";
import { normalizeInput, recordToRow, rowToRecord } from "./records.js";
import type { Database } from "./schema.js";
import type {
  AuditInput,
  AuditQuery,
  AuditRecord,
  AuditStore,
  OutboxEventEncoder,
  VerifyResult,
} from "./types.js";

export interface AuditContext {
  clock: Clock;
  /** Strings that must never be stored (webhook secret, client secret, tokens): replaced before hashing. */
  secrets: readonly string[];
  /** The outbox row's event for a record; persisted as given. */
  outboxEvent: OutboxEventEncoder;
  /** Called after the transaction holding the record commits. */
  committed(record: AuditRecord): void;
}

const newAuditId = (): string => `aud_${randomUUID().replaceAll("-", "")}`;

/**
 * Writes one record and its outbox row inside `trx`, which must hold the chain lock (Backend.write with
 * chain: true) so the head read here is still the head at insert.
 */
export async function appendInTx(
  trx: Kysely<Database>,
  input: AuditInput,
  ctx: AuditContext,
): Promise<AuditRecord> {
  const normalized = normalizeInput(input, ctx.secrets);
  const head = await trx
    .selectFrom("audit")
    .select(["seq", "hash"])
    .orderBy("seq", "desc")
    .limit(1)
    .executeTakeFirst();
  const now = ctx.clock.now();
  const unhashed = {
    ...normalized,
    id: newAuditId(),
    seq: head ? Number(head.seq) + 1 : 1,
    time: new Date(now).toISOString(),
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const record: AuditRecord = { ...unhashed, hash: recordHash(unhashed) };
  const event = ctx.outboxEvent(record);
  await trx.insertInto("audit").values(recordToRow(record)).execute();
  await trx
    .insertInto("outbox")
    .values({
      audit_id: record.id,
      seq: record.seq,
      campaign_id: record.campaignId,
      event_type: event.type,
      payload: event.payload,
      next_attempt_at: now,
      status: "pending",
      created_at: now,
    })
    .execute();
  return record;
}

const VERIFY_PAGE = 500;

export function createAuditStore(backend: Backend, ctx: AuditContext): AuditStore {
  const { db } = backend;

  async function list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    let q = db.selectFrom("audit").selectAll().orderBy("seq", "asc");
    if (query.campaignId !== undefined) q = q.where("campaign_id", "=", query.campaignId);
    if (query.runId !== undefined) q = q.where("run_id", "=", query.runId);
    if (query.since !== undefined) q = q.where("time", ">=", new Date(query.since).toISOString());
    if (query.afterSeq !== undefined) q = q.where("seq", ">", query.afterSeq);
    if (query.limit !== undefined) q = q.limit(query.limit);
    return (await q.execute()).map(rowToRecord);
  }

  async function verify(): Promise<VerifyResult> {
    let count = 0;
    let prev: { seq: number; hash: string } | null = null;
    for (;;) {
      const page = await list({ afterSeq: prev?.seq ?? 0, limit: VERIFY_PAGE });
      // seq 0 and below would be skipped by afterSeq=0; an attacker could move a row there.
      if (prev === null) {
        const below = await db
          .selectFrom("audit")
          .select(["seq", "id"])
          .where("seq", "<=", 0)
          .executeTakeFirst();
        if (below) {
          return broken(count, Number(below.seq), below.id, "seq is not positive: the chain was reordered");
        }
      }
      for (const r of page) {
        if (recordHash(r as unknown as Record<string, unknown>) !== r.hash) {
          return broken(
            count,
            r.seq,
            r.id,
            "hash mismatch: the record's content was altered after it was written",
          );
        }
        const expectedPrev = prev?.hash ?? GENESIS_HASH;
        if (r.prevHash !== expectedPrev) {
          const where = prev ? `the previous record (seq ${prev.seq})` : "the genesis value";
          return broken(
            count,
            r.seq,
            r.id,
            `prevHash does not match ${where}: a record before it was deleted, inserted or reordered`,
          );
        }
        const expectedSeq: number = (prev?.seq ?? 0) + 1;
        if (r.seq !== expectedSeq) {
          return broken(count, r.seq, r.id, `seq ${r.seq} follows ${expectedSeq - 1}: a record is missing`);
        }
        prev = { seq: r.seq, hash: r.hash };
        count++;
      }
      if (page.length < VERIFY_PAGE) break;
    }
    // Deleting the newest records leaves a valid shorter chain; the outbox and journal still name them.
    const orphan =
      (await db
        .selectFrom("outbox")
        .leftJoin("audit", "audit.id", "outbox.audit_id")
        .select(["outbox.audit_id as id", "outbox.seq as seq"])
        .where("audit.id", "is", null)
        .orderBy("outbox.seq")
        .limit(1)
        .executeTakeFirst()) ??
      (await db
        .selectFrom("journal")
        .leftJoin("audit", "audit.id", "journal.audit_id")
        .select(["journal.audit_id as id"])
        .where("journal.audit_id", "is not", null)
        .where("audit.id", "is", null)
        .limit(1)
        .executeTakeFirst());
    if (orphan?.id) {
      const seq = "seq" in orphan ? Number(orphan.seq) : (prev?.seq ?? 0) + 1;
      return broken(
        count,
        seq,
        orphan.id,
        "record is referenced by the outbox or journal but missing: it was deleted",
      );
    }
    return { ok: true, count };
  }

  return {
    append: async (input) => {
      const record = await backend.write((trx) => appendInTx(trx, input, ctx), { chain: true });
      ctx.committed(record);
      return record;
    },
    list,
    verify,
  };
}

function broken(count: number, seq: number, id: string, problem: string): VerifyResult {
  return { ok: false, count, firstBroken: { seq, id, problem } };
}
