import { Webhook as SvixWebhook } from "svix";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerWebhooks } from "../../src/cli/commands/webhooks.js";
import { ManualClock } from "../../src/clock/clock.js";
import type { AuditRecord, SqlStore } from "../../src/store/types.js";
import { RETRY_SCHEDULE_MS } from "../../src/webhook/retry-schedule.js";
import { createDeliveryWorker, type DeliveryEvent, type DeliveryWorker } from "../../src/webhook/worker.js";
import { runCli } from "../store/cli.js";
import { KINDS, type TestDatabase, testDatabase } from "../store/databases.js";
import { auditInput } from "../store/fixtures.js";
import { type Receiver, type Reply, SECRET_A, startReceiver } from "./receiver.js";

/** Runs rounds and jumps the injected clock to the next due time until nothing is pending. */
async function deliverAll(
  worker: DeliveryWorker,
  store: SqlStore,
  clock: ManualClock,
  maxSteps = 200,
): Promise<number[]> {
  const jumps: number[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const r = await worker.drain();
    if (r.disabled) break;
    const due = await store.outbox.nextDueAt();
    if (due === null) return jumps;
    const step = Math.max(0, due - clock.now());
    jumps.push(step);
    clock.advance(step);
  }
  return jumps;
}

function svixVerify(received: Receiver["received"][number], secret = SECRET_A): unknown {
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    vi.setSystemTime(Number(received.timestamp) * 1000);
    return new SvixWebhook(secret).verify(received.body, {
      "webhook-id": received.id,
      "webhook-timestamp": received.timestamp,
      "webhook-signature": received.signature,
    });
  } finally {
    vi.useRealTimers();
  }
}

describe.each(KINDS)("webhook delivery on %s", (kind) => {
  let db: TestDatabase;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await db?.cleanup();
  });

  async function setup(reply: (n: number, id: string) => Reply, records: { campaignId: string }[] = []) {
    db = await testDatabase(kind);
    receiver = await startReceiver(reply);
    const clock = new ManualClock(Date.now());
    const store = await db.open({ clock });
    const written: AuditRecord[] = [];
    for (const r of records) written.push(await store.audit.append(auditInput(r)));
    const events: DeliveryEvent[] = [];
    const logs: string[] = [];
    const worker = (id: string, s: SqlStore = store, extra = {}) =>
      createDeliveryWorker({
        store: s,
        url: receiver?.url ?? "",
        secrets: [SECRET_A],
        clock,
        workerId: id,
        random: () => 0.5,
        observer: { delivery: (e) => events.push(e) },
        log: (l) => logs.push(l),
        ...extra,
      });
    return { store, clock, written, events, logs, worker, receiver: receiver as Receiver };
  }

  const campaigns = (perCampaign: number, names: string[]) =>
    Array.from({ length: perCampaign * names.length }, (_, i) => ({
      campaignId: names[i % names.length] as string,
    }));

  it("receiver down for the first N attempts: every record delivered exactly once, in order per campaign", async () => {
    const N = 5;
    const { store, clock, written, worker, receiver, events } = await setup(
      (n) => (n <= N ? { status: 503 } : { status: 204 }),
      campaigns(3, ["CMP-A", "CMP-B", "CMP-C", "CMP-D"]),
    );
    const w = worker("w1", store, { concurrency: 4 });
    const jumps = await deliverAll(w, store, clock);
    expect(jumps.some((j) => j >= 5000 && j <= 5500)).toBe(true); // the first retry step, with jitter

    const ok = receiver.received.filter((r) => r.status < 300);
    expect(receiver.received.filter((r) => r.status === 503).length).toBe(N);
    expect(ok.map((r) => r.id).sort()).toEqual(written.map((r) => r.id).sort());
    expect(new Set(ok.map((r) => r.id)).size).toBe(ok.length);
    // Every request — retries included — carries the record's own id as webhook-id, and a valid signature.
    for (const r of receiver.received) {
      const body = JSON.parse(r.body) as { type: string; data: AuditRecord };
      expect(body.data.id).toBe(r.id);
      expect(body.type).toBe("campaign.rules.applied");
      expect(svixVerify(r)).toEqual(body);
    }
    // In order per campaign: no request for a record before every earlier record of its campaign got a 2xx.
    const seqOf = new Map(written.map((r) => [r.id, r]));
    const done = new Set<string>();
    for (const r of receiver.received) {
      const rec = seqOf.get(r.id) as AuditRecord;
      for (const earlier of written.filter((x) => x.campaignId === rec.campaignId && x.seq < rec.seq)) {
        expect(done.has(earlier.id), `${rec.seq} sent before ${earlier.seq}`).toBe(true);
      }
      if (r.status < 300) done.add(r.id);
    }
    const stats = await store.outbox.stats(clock.now());
    expect(stats).toMatchObject({ pending: 0, delivered: written.length, dead: 0 });
    expect(events.filter((e) => e.outcome === "failed").length).toBe(N);
    expect(events.filter((e) => e.outcome === "delivered").length).toBe(written.length);
  });

  it("an earlier failed record holds back its campaign's later records, not other campaigns", async () => {
    let failA = true;
    const { store, clock, written, receiver } = await setup(
      () => ({ status: 204 }),
      [{ campaignId: "A" }, { campaignId: "A" }, { campaignId: "B" }],
    );
    const firstA = written[0] as AuditRecord;
    const replyFor = (id: string): number => (failA && id === firstA.id ? 500 : 204);
    const w = createDeliveryWorker({
      store,
      url: receiver.url,
      secrets: [SECRET_A],
      clock,
      random: () => 0,
      fetch: async (input, init) => {
        const id = new Headers(init?.headers).get("webhook-id") ?? "";
        const res = await fetch(input, init);
        return replyFor(id) === 500 ? new Response(null, { status: 500 }) : res;
      },
    });
    await w.drain();
    expect(new Set(receiver.received.map((r) => r.id))).toEqual(new Set([firstA.id, written[2]?.id]));
    expect((await store.outbox.get(written[1]?.id ?? ""))?.attempts).toBe(0);
    clock.advance(4999);
    expect((await w.drain()).claimed).toBe(0);
    failA = false;
    clock.advance(1);
    await w.drain();
    expect((await store.outbox.stats(clock.now())).pending).toBe(0);
    expect(receiver.received.slice(-2).map((r) => r.id)).toEqual([firstA.id, written[1]?.id]);
  });

  it("a worker killed mid-delivery loses nothing: its lease expires and another worker delivers", async () => {
    const { store, clock, written, worker, receiver } = await setup(
      () => ({ status: 200 }),
      campaigns(2, ["A", "B"]),
    );
    // Worker "dead" sends the first record and then hangs forever (as if killed before recording success).
    let release: (err: Error) => void = () => undefined;
    const hung = new Promise<never>((_, reject) => {
      release = reject;
    });
    const dead = worker("dead", store, {
      leaseMs: 60_000,
      batchSize: 1,
      fetch: async (input: string | URL | Request, init?: RequestInit) => {
        await fetch(input, init);
        return hung;
      },
    });
    const deadRound = dead.runOnce();
    await vi.waitFor(() => expect(receiver.received.length).toBe(1));
    // Another process: a second store on the same database.
    const other = await db.open({ clock });
    const rescuer = worker("rescuer", other);
    await rescuer.drain();
    // Campaign A's head is leased to the dead worker: A waits, B is delivered.
    expect(receiver.received.map((r) => r.id)).toEqual([written[0]?.id, written[1]?.id, written[3]?.id]);
    clock.advance(60_001);
    await rescuer.drain();
    expect((await other.outbox.stats(clock.now())).pending).toBe(0);
    const ids = receiver.received.map((r) => r.id);
    expect(ids.filter((id) => id === written[0]?.id)).toHaveLength(2); // the duplicate carries the same id
    expect(new Set(ids)).toEqual(new Set(written.map((r) => r.id)));
    // The dead worker wakes up late: its result is fenced off (the row stays delivered, once).
    release(new Error("killed"));
    await deadRound;
    expect(await other.outbox.get(written[0]?.id ?? "")).toMatchObject({ status: "delivered", attempts: 1 });
  });

  it("dead-letters after the whole schedule, shows it in status, and `webhooks retry` re-queues it", async () => {
    let up = false;
    const { store, clock, written, worker, receiver } = await setup(
      () => ({ status: up ? 204 : 500 }),
      [{ campaignId: "A" }],
    );
    const w = createDeliveryWorker({ store, url: receiver.url, secrets: [SECRET_A], clock, random: () => 0 });
    const jumps = await deliverAll(w, store, clock);
    expect(jumps).toEqual([...RETRY_SCHEDULE_MS]);
    expect(receiver.received).toHaveLength(8);
    const id = written[0]?.id ?? "";
    expect(await store.outbox.get(id)).toMatchObject({
      status: "dead",
      attempts: 8,
      lastStatus: 500,
      lastError: "HTTP 500",
    });

    const env = { ...db.cli.env, DIALRULES_WEBHOOK_URL: receiver.url, DIALRULES_WEBHOOK_SECRET: SECRET_A };
    const status = await runCli(registerWebhooks, ["webhooks", "status", "--database", db.cli.database], env);
    expect(status.out).toMatch(/dead letters: 1/);
    expect(status.out).toContain(id);
    const retry = await runCli(
      registerWebhooks,
      ["webhooks", "retry", id, "--database", db.cli.database],
      env,
    );
    expect(retry.code).toBe(0);
    up = true;
    // The CLI re-queued at real "now"; the worker's clock is ahead, so it is due.
    await worker("w2").drain();
    expect(await store.outbox.get(id)).toMatchObject({ status: "delivered" });
    await expect(
      runCli(registerWebhooks, ["webhooks", "retry", "aud_missing", "--database", db.cli.database], env),
    ).rejects.toMatchObject({ code: "WEBHOOK_UNKNOWN_ID" });
  });

  it("honours Retry-After", async () => {
    const { store, clock, written, worker } = await setup(
      (n) => (n === 1 ? { status: 429, headers: { "retry-after": "600" } } : { status: 204 }),
      [{ campaignId: "A" }],
    );
    const t0 = clock.now();
    await worker("w").drain();
    expect((await store.outbox.get(written[0]?.id ?? ""))?.nextAttemptAt).toBe(t0 + 600_000);
    clock.advance(599_999);
    expect((await worker("w").drain()).claimed).toBe(0);
    clock.advance(1);
    expect((await worker("w").drain()).delivered).toBe(1);
  });

  it("410 Gone disables the endpoint until it is re-enabled; nothing is lost", async () => {
    let gone = true;
    const { store, clock, written, worker, receiver } = await setup(
      () => ({ status: gone ? 410 : 204 }),
      campaigns(2, ["A", "B"]),
    );
    const w = worker("w", store, { concurrency: 1 });
    const r = await w.drain();
    expect(r.disabled).toBe(true);
    expect(receiver.received).toHaveLength(1);
    expect(await store.outbox.endpoint(receiver.url)).toMatchObject({
      state: "disabled",
      reason: expect.stringMatching(/410/),
    });
    clock.advance(86_400_000);
    expect(await w.drain()).toMatchObject({ claimed: 0, disabled: true });
    const env = { ...db.cli.env, DIALRULES_WEBHOOK_URL: receiver.url, DIALRULES_WEBHOOK_SECRET: SECRET_A };
    const status = await runCli(registerWebhooks, ["webhooks", "status", "--database", db.cli.database], env);
    expect(status.out).toMatch(/DISABLED/);
    expect(status.out).toMatch(/4 pending/);
    gone = false;
    await runCli(registerWebhooks, ["webhooks", "enable", "--database", db.cli.database], env);
    await deliverAll(w, store, clock);
    expect((await store.outbox.stats(clock.now())).delivered).toBe(written.length);
  });

  it("times out a slow receiver and retries; a refused connection is a retryable failure", async () => {
    const { store, clock, written, worker, receiver } = await setup(
      (n) => (n === 1 ? { status: 204, delayMs: 1000 } : { status: 204 }),
      [{ campaignId: "A" }],
    );
    const w = worker("w", store, { timeoutMs: 100 });
    expect(await w.drain()).toMatchObject({ failed: 1 });
    expect(await store.outbox.get(written[0]?.id ?? "")).toMatchObject({
      lastError: "timeout after 100 ms",
      attempts: 1,
    });
    await receiver.close();
    clock.advance(5_500);
    expect(await w.drain()).toMatchObject({ failed: 1 });
    expect((await store.outbox.get(written[0]?.id ?? ""))?.lastError).toMatch(/^network error: ECONNREFUSED/);
  });
});
