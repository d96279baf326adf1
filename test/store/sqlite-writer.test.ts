/**
 * `serve` on SQLite writes on a writer thread (src/store/sqlite-writer.ts), so a commit's fsync never blocks
 * the event loop (issue 13 §4). What must not change: the writes' durability settings, their atomicity, their
 * order against every other write of the process, and the audit chain.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, expect, it } from "vitest";
import { type Backend, openBackend } from "../../src/store/backend.js";
import { openStore } from "../../src/store/open-store.js";
import type { SqlStore } from "../../src/store/types.js";
import { webhookEvent } from "../../src/webhook/events.js";
import { auditInput } from "./fixtures.js";

let dir: string;
let path: string;
const opened: { close(): Promise<void> }[] = [];
const track = <T extends { close(): Promise<void> }>(x: T): T => {
  opened.push(x);
  return x;
};
const backend = async (): Promise<Backend> =>
  track(await openBackend({ sqlitePath: path, writerThread: true }));
const store = async (): Promise<SqlStore> =>
  track(await openStore({ outboxEvent: webhookEvent, sqlitePath: path, writerThread: true }));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dialrules-writer-"));
  path = join(dir, "dialrules.db");
});
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
  rmSync(dir, { recursive: true, force: true });
});

const budgetRow = (key: string) => ({ key, level: 1, at: 0, held_until: 0 });

it("runs write transactions on a connection of its own: the event loop's connection sees only commits", async () => {
  const b = await backend();
  // The store's synchronous batches go through `write` too (batch-executors.ts).
  expect(b.transactSync).toBeUndefined();
  const seen = async () =>
    (await b.db.selectFrom("rate_budget").select("key").where("key", "=", "k").executeTakeFirst())?.key;
  // On the event loop's own connection this read could not even run inside the transaction (one connection).
  const inside = await b.write(async (trx) => {
    await trx.insertInto("rate_budget").values(budgetRow("k")).execute();
    return seen();
  });
  expect(inside).toBeUndefined();
  expect(await seen()).toBe("k");
});

it("opens the writer's connection as durable as the server's: WAL, synchronous = FULL, foreign keys on", async () => {
  const b = await backend();
  const pragmas = await b.write(async (trx) => ({
    journal: (await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(trx)).rows[0]?.journal_mode,
    synchronous: (await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(trx)).rows[0]?.synchronous,
    foreignKeys: (await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(trx)).rows[0]
      ?.foreign_keys,
  }));
  expect(pragmas).toEqual({ journal: "wal", synchronous: 2, foreignKeys: 1 });
});

it("rolls the whole transaction back when a statement fails, and reports SQLite's error code", async () => {
  const b = await backend();
  await b.write((trx) => trx.insertInto("rate_budget").values(budgetRow("taken")).execute());
  const failed = b.write(async (trx) => {
    await trx.insertInto("rate_budget").values(budgetRow("first")).execute();
    await trx.insertInto("rate_budget").values(budgetRow("taken")).execute();
  });
  await expect(failed).rejects.toMatchObject({ code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
  const keys = await b.db.selectFrom("rate_budget").select("key").execute();
  expect(keys.map((r) => r.key)).toEqual(["taken"]);
  // The connection is usable after the failure.
  await b.write((trx) => trx.insertInto("rate_budget").values(budgetRow("after")).execute());
  expect(await b.db.selectFrom("rate_budget").select("key").orderBy("key").execute()).toHaveLength(2);
});

it("orders the writes of two backends on one file (the store and the service's tables) one after another", async () => {
  const [a, b] = [await backend(), await backend()];
  await a.write((trx) => trx.insertInto("rate_budget").values(budgetRow("counter")).execute());
  // Read, then write what was read plus one: interleaved transactions would lose increments.
  const increment = (on: Backend) =>
    on.write(async (trx) => {
      const row = await trx
        .selectFrom("rate_budget")
        .select("level")
        .where("key", "=", "counter")
        .executeTakeFirstOrThrow();
      await trx
        .updateTable("rate_budget")
        .set({ level: Number(row.level) + 1 })
        .where("key", "=", "counter")
        .execute();
    });
  await Promise.all(Array.from({ length: 40 }, (_, i) => increment(i % 2 ? a : b)));
  const row = await a.db
    .selectFrom("rate_budget")
    .select("level")
    .where("key", "=", "counter")
    .executeTakeFirst();
  expect(Number(row?.level)).toBe(41);
});

it("appends audit records through the writer thread, hash-chained, with their outbox rows", async () => {
  const s = await store();
  const records = await Promise.all(Array.from({ length: 12 }, () => s.audit.append(auditInput())));
  expect(records.map((r) => r.seq).sort((x, y) => x - y)).toEqual(
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
  expect(await s.audit.verify()).toMatchObject({ ok: true, count: 12 });
  expect((await s.outbox.stats(Date.now())).pending).toBe(12);
  // A store in the same process without the writer thread (a CLI command) continues the same chain.
  const cli = track(await openStore({ outboxEvent: webhookEvent, sqlitePath: path }));
  await cli.audit.append(auditInput());
  await s.audit.append(auditInput());
  expect(await cli.audit.verify()).toMatchObject({ ok: true, count: 14 });
});

it("stops the thread with its last user and starts a new one for the next", async () => {
  const first = await backend();
  await first.write((trx) => trx.insertInto("rate_budget").values(budgetRow("one")).execute());
  await first.close();
  opened.splice(opened.indexOf(first), 1);
  const second = await backend();
  await second.write((trx) => trx.insertInto("rate_budget").values(budgetRow("two")).execute());
  expect(await second.db.selectFrom("rate_budget").select("key").orderBy("key").execute()).toEqual([
    { key: "one" },
    { key: "two" },
  ]);
});

it("writes on this thread for an in-memory database, which no other connection can share", async () => {
  const b = track(await openBackend({ sqlitePath: ":memory:", writerThread: true }));
  expect(b.transactSync).toBeDefined();
  await b.write((trx) => trx.insertInto("rate_budget").values(budgetRow("m")).execute());
  expect(await b.db.selectFrom("rate_budget").select("key").execute()).toEqual([{ key: "m" }]);
});

it("fails only the statement whose parameters cannot be sent to the thread", async () => {
  const b = await backend();
  const bad = b.write((trx) =>
    trx
      .insertInto("rate_budget")
      .values({ ...budgetRow("x"), level: (() => 1) as unknown as number })
      .execute(),
  );
  await expect(bad).rejects.toThrow();
  await b.write((trx) => trx.insertInto("rate_budget").values(budgetRow("ok")).execute());
  expect(await b.db.selectFrom("rate_budget").select("key").execute()).toEqual([{ key: "ok" }]);
});
