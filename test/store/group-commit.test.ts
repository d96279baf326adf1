/**
 * Group commit (issue 17): journal intents, outcomes and audit appends of concurrent callers share
 * transactions, and each caller still gets exactly its own result — its own refusal included.
 */
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import type { AuditContext } from "../../src/store/audit-store.js";
import { createAuditStore } from "../../src/store/audit-store.js";
import { type Backend, CommittedNotSyncedError, openBackend } from "../../src/store/backend.js";
import { batchExecutor } from "../../src/store/batch-executors.js";
import { createJournal } from "../../src/store/journal.js";
import type { SqlStore } from "../../src/store/types.js";
import { createWriteBatcher } from "../../src/store/write-batch.js";
import { webhookEvent } from "../../src/webhook/events.js";
import { KINDS, type TestDatabase, testDatabase } from "./databases.js";
import { auditInput } from "./fixtures.js";

/** The store's writing half, wired as openStore does, but counting the transactions (flushes) it makes. */
function countedWriter(backend: Backend, clock: ManualClock) {
  const counts = { flushes: 0, committed: 0 };
  const ctx: AuditContext = {
    clock,
    secrets: [],
    outboxEvent: webhookEvent,
    committed: () => {
      counts.committed += 1;
    },
  };
  const writes = createWriteBatcher(batchExecutor(backend, ctx), ctx.committed, (fn) => {
    counts.flushes += 1;
    setImmediate(fn);
  });
  return {
    counts,
    journal: createJournal(backend, ctx, writes),
    audit: createAuditStore(backend, ctx, writes),
  };
}

type Step = "intent" | "complete" | "complete-again" | "wrong-campaign" | "missing" | "append";
const STEPS: Step[] = ["intent", "complete", "complete-again", "wrong-campaign", "missing", "append"];

describe.each(KINDS)("group commit on %s", (kind) => {
  let db: TestDatabase;
  let backend: Backend;
  let reader: SqlStore;
  const clock = new ManualClock(Date.UTC(2026, 11, 1));
  /** Records in the chain so far, over every test of this file. */
  let chained = 0;

  beforeAll(async () => {
    db = await testDatabase(kind);
    backend = await openBackend(db.options);
    reader = await db.open();
  });
  afterAll(async () => {
    await backend?.close();
    await db?.cleanup();
  });

  it("8 concurrent workers share commits, and every outcome is recorded once with its own audit record", async () => {
    const w = countedWriter(backend, clock);
    const rounds = 15;
    const recorded = new Map<string, string>();
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (let i = 0; i < rounds; i++) {
          const campaignId = `CMP-${worker}-${i}`;
          const entry = await w.journal.recordIntent({ runId: "gc", campaignId, baseRevision: i, patch: {} });
          const record = await w.journal.complete(entry.id, auditInput({ runId: "gc", campaignId }));
          recorded.set(entry.id, record.id);
        }
      }),
    );
    chained += 8 * rounds;
    // 240 writes by 8 workers: they went out together, about 8 per transaction.
    expect(w.counts.flushes).toBeLessThanOrEqual((2 * 8 * rounds) / 4);
    expect(w.counts.committed).toBe(8 * rounds);
    const entries = await reader.journalEntries("gc");
    expect(entries.length).toBe(8 * rounds);
    for (const e of entries) expect(e.outcome).toBe("applied");
    const records = await reader.audit.list({ runId: "gc" });
    expect(new Set(records.map((r) => r.id))).toEqual(new Set(recorded.values()));
    expect(await reader.audit.verify()).toMatchObject({ ok: true, count: chained });
  });

  it("any mix of writes and refusals from concurrent callers: each gets its own result, the chain verifies", async () => {
    const runs = kind === "sqlite" ? 25 : 8;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.constantFrom(...STEPS), { minLength: 1, maxLength: 12 }), {
          minLength: 1,
          maxLength: 6,
        }),
        async (scripts) => {
          const w = countedWriter(backend, clock);
          const runId = `p-${Math.random().toString(36).slice(2)}`;
          let appended = 0;
          const completed = new Set<string>();
          await Promise.all(
            scripts.map(async (script, worker) => {
              let open: { id: string; campaignId: string } | undefined;
              let done: string | undefined;
              for (const [i, step] of script.entries()) {
                const campaignId = `CMP-${worker}-${i}`;
                if (step === "intent" || (step === "complete" && !open)) {
                  open = await w.journal.recordIntent({ runId, campaignId, baseRevision: 1, patch: {} });
                  if (step === "intent") continue;
                }
                if (step === "complete" && open) {
                  await w.journal.complete(open.id, auditInput({ runId, campaignId: open.campaignId }));
                  completed.add(open.id);
                  appended += 1;
                  done = open.id;
                  open = undefined;
                } else if (step === "complete-again" && done) {
                  await expect(
                    w.journal.complete(done, auditInput({ runId, campaignId: "any" })),
                  ).rejects.toMatchObject({ code: "JOURNAL_ENTRY_COMPLETED" });
                } else if (step === "wrong-campaign" && open) {
                  await expect(
                    w.journal.complete(
                      open.id,
                      auditInput({ runId, campaignId: `${open.campaignId}-other` }),
                    ),
                  ).rejects.toMatchObject({ code: "JOURNAL_CAMPAIGN_MISMATCH" });
                } else if (step === "missing") {
                  await expect(
                    w.journal.complete(`jrn_missing_${worker}_${i}`, auditInput({ runId })),
                  ).rejects.toMatchObject({ code: "JOURNAL_ENTRY_NOT_FOUND" });
                } else if (step === "append") {
                  await w.audit.append(auditInput({ runId, campaignId }));
                  appended += 1;
                }
              }
            }),
          );
          chained += appended;
          expect(w.counts.committed).toBe(appended);
          for (const e of await reader.journalEntries(runId)) {
            expect(e.outcome === null, e.id).toBe(!completed.has(e.id));
          }
          expect((await reader.audit.list({ runId })).length).toBe(appended);
          expect(await reader.audit.verify()).toMatchObject({ ok: true, count: chained });
        },
      ),
      { numRuns: runs },
    );
  });

  it("a write the database refuses fails alone; the others of its batch commit", async () => {
    const w = countedWriter(backend, clock);
    const refuse =
      kind === "sqlite"
        ? [
            "CREATE TRIGGER outbox_refuse BEFORE INSERT ON outbox WHEN NEW.campaign_id = 'CMP-BAD' BEGIN SELECT RAISE(ABORT, 'refused'); END",
          ]
        : [
            `CREATE FUNCTION outbox_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.campaign_id = 'CMP-BAD' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`,
            "CREATE TRIGGER outbox_refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_refuse()",
          ];
    for (const s of refuse) await db.plain(s);
    try {
      const results = await Promise.allSettled(
        ["CMP-A", "CMP-BAD", "CMP-B", "CMP-C"].map((campaignId) =>
          w.audit.append(auditInput({ runId: "refuse", campaignId })),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
      chained += 3;
      const stored = await reader.audit.list({ runId: "refuse" });
      expect(stored.map((r) => r.campaignId)).toEqual(["CMP-A", "CMP-B", "CMP-C"]);
      expect(await reader.audit.verify()).toMatchObject({ ok: true, count: chained });
    } finally {
      await db.plain(
        kind === "sqlite" ? "DROP TRIGGER outbox_refuse" : "DROP TRIGGER outbox_refuse ON outbox",
      );
    }
  });
});

describe("group commit on SQLite: the WAL synced off the event loop", () => {
  it("a batch committed but not synced fails every write of it, none written again one by one", async () => {
    const calls: number[] = [];
    const writes = createWriteBatcher(
      async (ops) => {
        calls.push(ops.length);
        throw new CommittedNotSyncedError(new Error("EIO"));
      },
      () => undefined,
    );
    const results = await Promise.allSettled(
      [1, 2, 3].map((i) => writes.submit({ kind: "append", input: auditInput({ campaignId: `CMP-${i}` }) })),
    );
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(results.map((r) => (r.status === "rejected" ? (r.reason as { code?: string }).code : ""))).toEqual(
      ["STORE_SYNC_FAILED", "STORE_SYNC_FAILED", "STORE_SYNC_FAILED"],
    );
    expect(calls).toEqual([3]);
  });

  it("after a batch the connection is back at synchronous = FULL, for every other write", async () => {
    const db = await testDatabase("sqlite");
    const backend = await openBackend(db.options);
    try {
      const w = countedWriter(backend, new ManualClock(Date.UTC(2026, 11, 1)));
      await Promise.all(
        ["CMP-A", "CMP-B"].map((campaignId) => w.audit.append(auditInput({ runId: "sync", campaignId }))),
      );
      const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(backend.db);
      expect(rows[0]?.synchronous).toBe(2);
      const reader = await db.open();
      expect(await reader.audit.verify()).toMatchObject({ ok: true, count: 2 });
      await reader.close();
    } finally {
      await backend.close();
      await db.cleanup();
    }
  });
});

describe("group commit: telling the callers", () => {
  it("tells the callers of one batch a few at a time, in order, the event loop turning in between", async () => {
    const batches: number[] = [];
    const writes = createWriteBatcher(
      async (ops) => {
        batches.push(ops.length);
        return ops.map(() => ({ ok: true as const }));
      },
      () => undefined,
    );
    const events: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        writes.submit({ kind: "append", input: auditInput({ campaignId: `CMP-${i}` }) }).then(() => {
          events.push(`told ${i}`);
          // what the first caller starts (apply: its PATCH) gets the event loop before the last is told
          if (i === 0) setImmediate(() => events.push("loop turned"));
        }),
      ),
    );
    expect(batches).toEqual([10]);
    expect(events.filter((e) => e.startsWith("told"))).toEqual(
      Array.from({ length: 10 }, (_, i) => `told ${i}`),
    );
    expect(events.indexOf("loop turned")).toBeGreaterThan(events.indexOf("told 0"));
    expect(events.indexOf("loop turned")).toBeLessThan(events.indexOf("told 9"));
  });
});
