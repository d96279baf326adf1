import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import { KINDS, type TestDatabase, testDatabase } from "./databases.js";
import { auditInput } from "./fixtures.js";

const FAIL_OUTBOX: Record<string, string[]> = {
  sqlite: [
    "CREATE TRIGGER outbox_fail BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox insert failed'); END",
  ],
  postgres: [
    `CREATE FUNCTION outbox_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox insert failed'; END $$`,
    "CREATE TRIGGER outbox_fail BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_fail()",
  ],
};
const UNFAIL_OUTBOX: Record<string, string[]> = {
  sqlite: ["DROP TRIGGER outbox_fail"],
  postgres: ["DROP TRIGGER outbox_fail ON outbox"],
};

describe.each(KINDS)("journal on %s", (kind) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.cleanup();
  });

  it("records intents, completes them with their audit record and outbox row, and lists the in-doubt ones", async () => {
    db = await testDatabase(kind);
    const clock = new ManualClock(Date.UTC(2026, 4, 1));
    const store = await db.open({ clock });
    await store.journal.startRun({
      runId: "r1",
      actor: "alice",
      reason: "x",
      platform: "v2",
      sourceHash: "abc",
    });
    const a = await store.journal.recordIntent({
      runId: "r1",
      campaignId: "CMP-1",
      baseRevision: 7,
      patch: { dialingMethod: "PROGRESSIVE" },
    });
    const b = await store.journal.recordIntent({
      runId: "r1",
      campaignId: "CMP-2",
      baseRevision: 3,
      patch: { maxCallsPerAgent: 1 },
    });
    expect(a).toMatchObject({ runId: "r1", campaignId: "CMP-1", baseRevision: 7, outcome: null });
    expect((await store.journal.inDoubt()).map((e) => e.id)).toEqual([a.id, b.id]);

    const rec = await store.journal.complete(a.id, auditInput({ runId: "r1", campaignId: "CMP-1" }));
    expect(rec.seq).toBe(1);
    expect((await store.journal.inDoubt()).map((e) => e.id)).toEqual([b.id]);
    expect((await store.journal.inDoubt({ excludeRunId: "r1" })).length).toBe(0);
    const entries = await store.journalEntries("r1");
    expect(entries.find((e) => e.id === a.id)).toMatchObject({
      outcome: "applied",
      patch: { dialingMethod: "PROGRESSIVE" },
    });
    expect(await store.outbox.get(rec.id)).toMatchObject({
      status: "pending",
      campaignId: "CMP-1",
      eventType: "campaign.rules.applied",
    });
    await store.journal.finishRun("r1", { applied: 1 }, true);

    // A second store (another process after a crash) sees the same in-doubt intent.
    const again = await db.open();
    expect((await again.journal.inDoubt()).map((e) => e.id)).toEqual([b.id]);
  });

  it("completes an intent once, for its own campaign, and unknown ids are errors", async () => {
    db = await testDatabase(kind);
    const store = await db.open();
    const e = await store.journal.recordIntent({
      runId: "r",
      campaignId: "CMP-1",
      baseRevision: 1,
      patch: {},
    });
    await expect(store.journal.complete(e.id, auditInput({ campaignId: "CMP-9" }))).rejects.toMatchObject({
      code: "JOURNAL_CAMPAIGN_MISMATCH",
    });
    await store.journal.complete(e.id, auditInput({ campaignId: "CMP-1" }));
    await expect(store.journal.complete(e.id, auditInput({ campaignId: "CMP-1" }))).rejects.toMatchObject({
      code: "JOURNAL_ENTRY_COMPLETED",
    });
    await expect(store.journal.complete("jrn_nope", auditInput())).rejects.toMatchObject({
      code: "JOURNAL_ENTRY_NOT_FOUND",
    });
    expect((await store.audit.list()).length).toBe(1);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it("writes audit record, outbox row and journal outcome atomically: a failing outbox insert leaves none", async () => {
    db = await testDatabase(kind);
    const store = await db.open();
    await store.audit.append(auditInput());
    const e = await store.journal.recordIntent({
      runId: "r",
      campaignId: "CMP-1",
      baseRevision: 1,
      patch: {},
    });
    await db.plain(FAIL_OUTBOX[kind]?.[0] ?? "");
    if (FAIL_OUTBOX[kind]?.[1]) await db.plain(FAIL_OUTBOX[kind][1]);

    await expect(store.journal.complete(e.id, auditInput({ campaignId: "CMP-1" }))).rejects.toThrow(
      /outbox insert failed/,
    );
    await expect(store.audit.append(auditInput())).rejects.toThrow(/outbox insert failed/);
    expect((await store.audit.list()).length).toBe(1);
    expect((await store.journal.inDoubt()).map((x) => x.id)).toEqual([e.id]);

    for (const s of UNFAIL_OUTBOX[kind] ?? []) await db.plain(s);
    const rec = await store.journal.complete(e.id, auditInput({ campaignId: "CMP-1" }));
    expect(rec.seq).toBe(2);
    expect(await store.audit.verify()).toEqual({ ok: true, count: 2 });
  });
});
