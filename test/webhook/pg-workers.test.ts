import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock/clock.js";
import type { OutboxRow, SqlStore } from "../../src/store/types.js";
import { createDeliveryWorker } from "../../src/webhook/worker.js";
import { type TestDatabase, testDatabase } from "../store/databases.js";
import { auditInput } from "../store/fixtures.js";
import { type Receiver, SECRET_A, startReceiver } from "./receiver.js";

let db: TestDatabase;
let receiver: Receiver;
afterEach(async () => {
  await receiver?.close();
  await db?.cleanup();
});

describe("two workers on one PostgreSQL", () => {
  it("deliver 1,000 records, each once, never claiming one row twice at the same time", async () => {
    db = await testDatabase("postgres");
    receiver = await startReceiver(() => ({ status: 204 }));
    const clock = new ManualClock(Date.now());
    const writer = await db.open({ clock, poolSize: 8 });
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 125; i++)
          ids.push((await writer.audit.append(auditInput({ campaignId: `CMP-${(w * 125 + i) % 40}` }))).id);
      }),
    );
    // Record every claim each worker makes: a row claimed twice would show up as a duplicate here.
    const claims = new Map<string, string[]>();
    const tracked = (store: SqlStore, name: string): SqlStore => ({
      ...store,
      outbox: {
        ...store.outbox,
        claim: async (o) => {
          const rows: OutboxRow[] = await store.outbox.claim(o);
          for (const r of rows) claims.set(r.auditId, [...(claims.get(r.auditId) ?? []), name]);
          return rows;
        },
      },
    });
    const [s1, s2] = await Promise.all([db.open({ clock, poolSize: 4 }), db.open({ clock, poolSize: 4 })]);
    if (!s1 || !s2) throw new Error("stores");
    const workers = [tracked(s1, "w1"), tracked(s2, "w2")].map((store, i) =>
      createDeliveryWorker({
        store,
        url: receiver.url,
        secrets: [SECRET_A],
        clock,
        workerId: `w${i + 1}`,
        batchSize: 10,
        concurrency: 4,
      }),
    );
    const delivered = [0, 0];
    await Promise.all(
      workers.map(async (w, i) => {
        for (let idle = 0; idle < 3; ) {
          const r = await w.runOnce();
          delivered[i] = (delivered[i] ?? 0) + r.delivered;
          idle = r.claimed === 0 ? idle + 1 : 0;
          if (r.claimed === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );
    // Drain whatever the last idle rounds left (heads released by the other worker at the very end).
    for (const w of workers) await w.drain();

    expect(ids).toHaveLength(1000);
    const got = receiver.received.map((r) => r.id);
    expect(got).toHaveLength(1000);
    expect(new Set(got)).toEqual(new Set(ids));
    expect(receiver.maxConcurrentPerId).toBe(1);
    expect([...claims.values()].filter((c) => c.length > 1)).toEqual([]);
    expect(claims.size).toBe(1000);
    expect(delivered[0]).toBeGreaterThan(0);
    expect(delivered[1]).toBeGreaterThan(0);
    expect(await writer.outbox.stats(clock.now())).toMatchObject({ pending: 0, delivered: 1000 });
  });
});
