import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { type TestDatabase, testDatabase } from "./databases.js";
import { auditInput } from "./fixtures.js";

const exec = promisify(execFile);
let db: TestDatabase;
afterEach(async () => {
  await db?.cleanup();
});

async function expectOneChain(total: number): Promise<void> {
  const store = await db.open();
  expect(await store.audit.verify()).toEqual({ ok: true, count: total });
  const seqs = (await store.audit.list()).map((r) => r.seq);
  expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect((await store.outbox.stats(Date.now())).pending).toBe(total);
}

describe("concurrent appends keep one unbroken chain", () => {
  it("PostgreSQL: 4 connections × 100 appends", async () => {
    db = await testDatabase("postgres");
    const stores = await Promise.all([1, 2, 3, 4].map(() => db.open({ poolSize: 1 })));
    await Promise.all(
      stores.map(async (s, w) => {
        for (let i = 0; i < 100; i++)
          await s.audit.append(auditInput({ campaignId: `CMP-${w}`, runId: `w${w}` }));
      }),
    );
    await expectOneChain(400);
  });

  it("PostgreSQL: journal completions and plain appends interleave on one chain", async () => {
    db = await testDatabase("postgres");
    const [a, b] = await Promise.all([db.open({ poolSize: 3 }), db.open({ poolSize: 3 })]);
    if (!a || !b) throw new Error("stores");
    const intents = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        a.journal.recordIntent({ runId: "r", campaignId: `CMP-${i}`, baseRevision: 1, patch: {} }),
      ),
    );
    await Promise.all([
      ...intents.map((e) => a.journal.complete(e.id, auditInput({ campaignId: e.campaignId }))),
      ...Array.from({ length: 60 }, () => b.audit.append(auditInput())),
    ]);
    await expectOneChain(120);
  });

  it("SQLite: two stores on one file in one process, appending at once", async () => {
    db = await testDatabase("sqlite");
    const [a, b] = await Promise.all([db.open(), db.open()]);
    if (!a || !b) throw new Error("stores");
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (i % 2 ? a : b).audit.append(auditInput({ campaignId: `CMP-${i % 7}` })),
      ),
    );
    await expectOneChain(100);
  });

  it("SQLite: three processes appending to one file (BEGIN IMMEDIATE + busy timeout)", async () => {
    db = await testDatabase("sqlite");
    await (await db.open()).close(); // migrate once up front so children race on appends only
    const child = join(import.meta.dirname, "fixtures", "append-child.ts");
    const tsx = join(process.cwd(), "node_modules", ".bin", "tsx");
    await Promise.all(
      ["a", "b", "c"].map((tag) => exec(tsx, [child, db.options.sqlitePath ?? "", "40", tag])),
    );
    await expectOneChain(120);
  });
});
