/** The hash-chained audit log: append (with its outbox row), list, verify. */
import { randomUUID } from "node:crypto";
import type { Insertable, Kysely } from "kysely";
import type { Clock } from "../clock/clock.js";
import type { AuditInput, SignedCheckpoint } from "../domain/audit-record.js";
import type { Backend } from "./backend.js";
import { GENESIS_HASH, recordHash } from "./canonical.js";
import { CHECKPOINT_FORMAT, checkpointProblem } from "./checkpoint.js";
import { normalizeInput, recordToRow, rowToRecord } from "./records.js";
import type { Database, OutboxTable } from "./schema.js";
import type {
  AuditQuery,
  AuditRecord,
  AuditStore,
  BreakKind,
  CheckpointReport,
  CheckpointSigner,
  OutboxEventEncoder,
  VerifyOptions,
  VerifyResult,
} from "./types.js";
import type { WriteBatcher } from "./write-batch.js";

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

const chainHead = (trx: Kysely<Database>) =>
  trx.selectFrom("audit").select(["seq", "hash"]).orderBy("seq", "desc").limit(1).executeTakeFirst();

/** The newest record's seq and hash, which the next record links to; undefined for an empty chain. */
export type ChainHead = { seq: number; hash: string } | undefined;

/** The record that follows `head`: numbered, timed, linked and hashed. `input` must be normalised. */
export function chainRecord(input: AuditInput, head: ChainHead, now: number): AuditRecord {
  const unhashed = {
    ...input,
    id: newAuditId(),
    seq: head ? Number(head.seq) + 1 : 1,
    time: new Date(now).toISOString(),
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  return { ...unhashed, hash: recordHash(unhashed) };
}

/** The webhook outbox row of a record, due at once. */
export function outboxRow(record: AuditRecord, ctx: AuditContext, now: number): Insertable<OutboxTable> {
  const event = ctx.outboxEvent(record);
  return {
    audit_id: record.id,
    seq: record.seq,
    campaign_id: record.campaignId,
    event_type: event.type,
    payload: event.payload,
    attempts: 0,
    next_attempt_at: now,
    status: "pending",
    last_error: null,
    last_status: null,
    claimed_by: null,
    claimed_until: null,
    created_at: now,
    delivered_at: null,
  };
}

/**
 * Writes one record and its outbox row inside `trx`, which must hold the chain lock (Backend.write with
 * chain: true) so the head read here is still the head at insert.
 */
export function appendInTx(
  trx: Kysely<Database>,
  input: AuditInput,
  ctx: AuditContext,
): Promise<AuditRecord> {
  return appendNormalizedInTx(trx, normalizeInput(input, ctx.secrets), ctx);
}

/** appendInTx for an input that normalizeInput already returned. */
export async function appendNormalizedInTx(
  trx: Kysely<Database>,
  normalized: AuditInput,
  ctx: AuditContext,
): Promise<AuditRecord> {
  const now = ctx.clock.now();
  const record = chainRecord(normalized, await chainHead(trx), now);
  await trx.insertInto("audit").values(recordToRow(record)).execute();
  await trx
    .insertInto("outbox")
    .values(outboxRow(record, ctx, now))
    .execute();
  return record;
}

const VERIFY_PAGE = 500;

export function createAuditStore(backend: Backend, ctx: AuditContext, writes: WriteBatcher): AuditStore {
  const { db } = backend;

  async function list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    let q = db.selectFrom("audit").selectAll().orderBy("seq", "asc");
    if (query.campaignId !== undefined) q = q.where("campaign_id", "=", query.campaignId);
    if (query.outcome !== undefined) q = q.where("outcome", "=", query.outcome);
    if (query.until !== undefined) q = q.where("time", "<=", new Date(query.until).toISOString());
    if (query.runId !== undefined) q = q.where("run_id", "=", query.runId);
    if (query.since !== undefined) q = q.where("time", ">=", new Date(query.since).toISOString());
    if (query.afterSeq !== undefined) q = q.where("seq", ">", query.afterSeq);
    if (query.limit !== undefined) q = q.limit(query.limit);
    return (await q.execute()).map(rowToRecord);
  }

  async function verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    let count = 0;
    let prev: { seq: number; hash: string } | null = null;
    const external = options.checkpoint;
    const report: CheckpointReport = { stored: 0, keyIds: [], trustedKey: options.trustedKey !== undefined };
    const fail = (seq: number, id: string, problem: string, kind?: BreakKind): VerifyResult => ({
      ok: false,
      count,
      firstBroken: { seq, id, problem, ...(kind ? { kind } : {}) },
      ...(report.stored > 0 || external ? { checkpoints: report } : {}),
    });
    if (external) {
      const problem = checkpointProblem(external, options.trustedKey);
      if (problem) {
        return fail(external.seq, "", `forged checkpoint: the --checkpoint file ${problem}`, "forged");
      }
    }
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
          return fail(
            Number(below.seq),
            below.id,
            "seq is not positive: the chain was reordered",
            "reordered",
          );
        }
      }
      for (const r of page) {
        if (recordHash(r as unknown as Record<string, unknown>) !== r.hash) {
          return fail(
            r.seq,
            r.id,
            "rewritten record: its content was altered after it was written (hash mismatch)",
            "rewritten",
          );
        }
        const expectedPrev = prev?.hash ?? GENESIS_HASH;
        if (r.prevHash !== expectedPrev) {
          const where = prev ? `the previous record (seq ${prev.seq})` : "the genesis value";
          return fail(
            r.seq,
            r.id,
            `prevHash does not match ${where}: a record before it was deleted, inserted or reordered`,
            "reordered",
          );
        }
        const expectedSeq: number = (prev?.seq ?? 0) + 1;
        if (r.seq !== expectedSeq) {
          return fail(r.seq, r.id, `seq ${r.seq} follows ${expectedSeq - 1}: a record is missing`, "deleted");
        }
        if (r.outcome === "checkpoint") {
          const problem = storedCheckpointProblem(r, prev, options);
          if (problem) return fail(r.seq, r.id, problem.text, problem.kind);
          const cp = r.checkpoint as SignedCheckpoint;
          report.stored += 1;
          report.newestSeq = cp.seq;
          if (!report.keyIds.includes(cp.keyId)) report.keyIds.push(cp.keyId);
        }
        if (external && r.seq === external.seq && r.hash !== external.headHash) {
          return fail(
            r.seq,
            r.id,
            `rewritten record: the chain up to seq ${r.seq} is not the one the checkpoint signed at ${external.time} ` +
              "(a record at or before it was changed and the later hashes recomputed)",
            "rewritten",
          );
        }
        prev = { seq: r.seq, hash: r.hash };
        count++;
      }
      if (page.length < VERIFY_PAGE) break;
    }
    if (external && count < external.seq) {
      return fail(
        count + 1,
        "",
        `truncated tail: the checkpoint signed at ${external.time} covers ${external.seq} records but the chain ` +
          `ends at seq ${count}: records ${count + 1}..${external.seq} (at least) were deleted`,
        "truncated",
      );
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
      return fail(
        seq,
        orphan.id,
        "truncated tail: the record is referenced by the outbox or journal but missing: it was deleted",
        "truncated",
      );
    }
    if (external) report.external = { seq: external.seq, keyId: external.keyId, time: external.time };
    return report.stored > 0 || external ? { ok: true, count, checkpoints: report } : { ok: true, count };
  }

  /** Signs the head inside the chain lock, so the signed head is the record just before the checkpoint's. */
  async function checkpoint(
    signer: CheckpointSigner,
    by: { runId: string; actor: string; platform?: string },
  ): Promise<SignedCheckpoint | null> {
    const record = await backend.write(
      async (trx) => {
        const head = await chainHead(trx);
        if (!head) return null;
        const signed = signer.sign({
          format: CHECKPOINT_FORMAT,
          seq: Number(head.seq),
          headHash: head.hash,
          time: new Date(ctx.clock.now()).toISOString(),
          keyId: signer.keyId,
          algorithm: "Ed25519",
        });
        return appendInTx(
          trx,
          {
            runId: by.runId,
            actor: by.actor,
            reason: `signed checkpoint of the chain up to seq ${signed.seq}`,
            platform: by.platform ?? "",
            campaignId: "",
            outcome: "checkpoint",
            diff: [],
            findings: [],
            checkpoint: signed,
          },
          ctx,
        );
      },
      { chain: true },
    );
    if (!record) return null;
    ctx.committed(record);
    return record.checkpoint ?? null;
  }

  return {
    // Group-committed with other appends and journal writes (write-batch.ts); listeners are called there.
    append: async (input) =>
      (await writes.submit({ kind: "append", input: normalizeInput(input, ctx.secrets) })) as AuditRecord,
    list,
    verify,
    checkpoint,
  };
}

/** A stored checkpoint must verify and sign exactly the record before it (it is appended under the lock). */
function storedCheckpointProblem(
  r: AuditRecord,
  prev: { seq: number; hash: string } | null,
  options: VerifyOptions,
): { text: string; kind: BreakKind } | null {
  const cp = r.checkpoint;
  if (!cp) return { text: "checkpoint record without a checkpoint", kind: "rewritten" };
  const problem = checkpointProblem(cp, options.trustedKey);
  if (problem) {
    // A stored checkpoint signed by another key is only forged if the caller named the trusted key.
    return { text: `forged checkpoint: the stored checkpoint ${problem}`, kind: "forged" };
  }
  if (prev === null || cp.seq !== prev.seq || cp.headHash !== prev.hash) {
    return {
      text:
        `rewritten record: the checkpoint signed at ${cp.time} covers seq ${cp.seq} with a head hash the chain ` +
        "no longer has (a record at or before it was changed and the later hashes recomputed)",
      kind: "rewritten",
    };
  }
  return null;
}
