/**
 * Group commit (issue 17): the journal intents and the audit appends (outcome + audit record + outbox row)
 * that concurrent callers — apply's workers — ask for while a commit is being made are written together in
 * the next transaction, so N workers share one commit (one fsync) instead of paying one each.
 *
 * No time window: a batch is what was submitted since the previous one started, collected until the event
 * loop's check phase (setImmediate), i.e. after the I/O callbacks that were ready — the replies that came in
 * while the previous commit was being made. A caller's promise resolves only after the transaction holding
 * its write committed, so durability is that of a single write: a write reported as recorded survives a crash.
 *
 * Isolation: a write whose precondition fails (an intent completed twice, a wrong campaign) is refused alone
 * by the executor and the rest of the batch commits. If the transaction itself fails, each write is retried
 * on its own, so one write's failure (a constraint, a trigger) is reported to its caller and not to others.
 */
import type { AuditInput } from "../domain/audit-record.js";
import type { JournalTable } from "./schema.js";
import type { AuditRecord } from "./types.js";

export type WriteOp =
  /** A journal intent, inserted as given. */
  | { kind: "intent"; row: JournalTable }
  /** An audit record (input already normalised) and its outbox row; with entryId, also that intent's outcome. */
  | { kind: "append"; input: AuditInput; entryId?: string };

/** An executor's error that says the batch was committed (only its durability is in doubt): never retried. */
function committedAnyway(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "STORE_SYNC_FAILED";
}

export type OpResult = { ok: true; record?: AuditRecord } | { ok: false; error: unknown };

/**
 * Writes the ops in order in one transaction and returns one result per op once it committed. An op whose
 * precondition fails is skipped and reported as failed; any other failure rejects the whole call (nothing
 * committed).
 */
export type BatchExecutor = (ops: readonly WriteOp[]) => Promise<OpResult[]>;

/** Upper bound on one transaction's writes; more waiting callers form the next batch. */
export const MAX_BATCH = 256;

/** Callers of one batch told per event-loop turn (tellInGroups). */
export const RESOLVE_GROUP = 4;

export interface WriteBatcher {
  /** Resolves after the write committed: to the stored record for an append, undefined for an intent. */
  submit(op: WriteOp): Promise<AuditRecord | undefined>;
}

interface Waiting {
  op: WriteOp;
  resolve(record: AuditRecord | undefined): void;
  reject(error: unknown): void;
}

export function createWriteBatcher(
  execute: BatchExecutor,
  /** Called for each appended record, in chain order, after its transaction committed. */
  committed: (record: AuditRecord) => void,
  /** Runs the next flush after the current I/O callbacks (setImmediate; injectable for tests). */
  defer: (fn: () => void) => void = setImmediate,
  /** Lets the event loop turn between two groups of callers told of one batch (see RESOLVE_GROUP). */
  nextTurn: (fn: () => void) => void = setImmediate,
): WriteBatcher {
  let queue: Waiting[] = [];
  let scheduled = false;
  let running = false;

  const schedule = () => {
    if (scheduled || running || queue.length === 0) return;
    scheduled = true;
    defer(() => {
      scheduled = false;
      void flush();
    });
  };

  async function run(batch: readonly Waiting[]): Promise<OpResult[]> {
    try {
      return await execute(batch.map((w) => w.op));
    } catch (err) {
      if (batch.length === 1 || committedAnyway(err)) return batch.map(() => ({ ok: false, error: err }));
    }
    // The transaction failed as a whole: find whose write it was by writing each alone.
    const results: OpResult[] = [];
    for (const w of batch) {
      try {
        results.push(...(await execute([w.op])));
      } catch (err) {
        results.push({ ok: false, error: err });
      }
    }
    return results;
  }

  async function flush(): Promise<void> {
    running = true;
    const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
    queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
    try {
      const results = await run(batch);
      const settle: (() => void)[] = [];
      for (const [i, w] of batch.entries()) {
        const r = results[i] ?? { ok: false, error: new Error("write batch returned no result") };
        if (!r.ok) {
          settle.push(() => w.reject(r.error));
          continue;
        }
        if (r.record) {
          try {
            committed(r.record);
          } catch {
            // A listener's failure must not turn a committed write into a reported failure.
          }
        }
        settle.push(() => w.resolve(r.record));
      }
      await tellInGroups(settle);
    } finally {
      running = false;
      schedule();
    }
  }

  /**
   * Tells the callers RESOLVE_GROUP at a time, the event loop turning in between. Every caller told in one
   * turn runs on in the same microtask drain, and what they start on the network (apply's workers send
   * their PATCH once the intent is durable) only reaches the sockets after that drain: told all at once,
   * 40 workers built 40 requests before the first one left, and the platform sat idle meanwhile
   * (issue 17 §1). In groups, the first requests are on the wire while the next are being built.
   */
  async function tellInGroups(settle: readonly (() => void)[]): Promise<void> {
    for (let i = 0; i < settle.length; i += RESOLVE_GROUP) {
      if (i > 0) await new Promise<void>((resolve) => nextTurn(resolve));
      for (const tell of settle.slice(i, i + RESOLVE_GROUP)) tell();
    }
  }

  return {
    submit(op) {
      return new Promise((resolve, reject) => {
        queue.push({ op, resolve, reject });
        schedule();
      });
    },
  };
}
