/**
 * Storage and webhook benchmarks: the apply write path (write-path-bench.ts), audit appends/s on SQLite and PostgreSQL (each append is one durable
 * transaction: chain lock, head read, audit row, outbox row, commit), webhook delivery throughput and
 * p99 latency from commit to receipt with a healthy local receiver.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditInput } from "../domain/audit-record.js";
import { openStore } from "../store/open-store.js";
import type { SqlStore } from "../store/types.js";
import { webhookEvent } from "../webhook/events.js";
import { createDeliveryWorker } from "../webhook/worker.js";
import { type BenchRow, printTable } from "./table.js";
import { benchWritePath, dropBenchSchema } from "./write-path-bench.js";

const PG_URL = process.env.DIALRULES_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = `whsec_${Buffer.from("dialrules-bench-secret-24b").toString("base64")}`;

function input(i: number, campaigns: number): AuditInput {
  return {
    runId: "bench",
    actor: "bench",
    reason: "benchmark",
    platform: "v2",
    campaignId: `CMP-${i % campaigns}`,
    outcome: "applied",
    revisionBefore: i,
    revisionAfter: i + 1,
    diff: [{ field: "dialingMethod", from: "PREDICTIVE", to: "PROGRESSIVE" }],
    findings: [],
    latencyMs: 42,
  };
}

async function appendRate(store: SqlStore, n: number, parallel: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) await store.audit.append(input(next++, 50));
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

const p = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function webhookBench(store: SqlStore): Promise<BenchRow[]> {
  const receivedAt = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      receivedAt.set(String(req.headers["webhook-id"]), performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const worker = createDeliveryWorker({ store, url, secrets: [SECRET], batchSize: 100, concurrency: 16 });
  try {
    // Throughput: a backlog of 2,000 records over 200 campaigns, drained from cold.
    const backlog = 2000;
    for (let i = 0; i < backlog; i++) await store.audit.append(input(i, 200));
    const t0 = performance.now();
    await worker.drain();
    const throughput = backlog / ((performance.now() - t0) / 1000);

    // Latency: records committed one at a time while the worker runs (woken by the commit).
    receivedAt.clear();
    worker.start();
    const committedAt = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const r = await store.audit.append(input(i, 300));
      committedAt.set(r.id, performance.now());
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const deadline = performance.now() + 30_000;
    while (receivedAt.size < committedAt.size && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await worker.stop();
    const lat = [...committedAt]
      .map(([id, t]) => (receivedAt.get(id) ?? Number.POSITIVE_INFINITY) - t)
      .sort((a, b) => a - b);
    return [
      {
        name: `webhook delivery throughput (${store.kind})`,
        value: Math.round(throughput),
        unit: "deliveries/s",
      },
      {
        name: `webhook commit→receipt p50 (${store.kind})`,
        value: Number(p(lat, 0.5).toFixed(1)),
        unit: "ms",
      },
      {
        name: `webhook commit→receipt p99 (${store.kind})`,
        value: Number(p(lat, 0.99).toFixed(1)),
        unit: "ms",
        target: "< 1000 ms",
        ok: p(lat, 0.99) < 1000,
      },
    ];
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

export async function benchStore(): Promise<BenchRow[]> {
  const rows: BenchRow[] = await benchWritePath();
  const dir = mkdtempSync(join(tmpdir(), "dialrules-bench-"));
  try {
    const sqlite = await openStore({ outboxEvent: webhookEvent, sqlitePath: join(dir, "bench.db") });
    rows.push({
      name: "audit appends/s (SQLite, WAL, synchronous=FULL)",
      value: Math.round(await appendRate(sqlite, 1000, 4)),
      unit: "appends/s",
    });
    rows.push(...(await webhookBench(sqlite)));
    await sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const schema = `bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  let store: SqlStore | null = null;
  try {
    store = await openStore({ outboxEvent: webhookEvent, databaseUrl: PG_URL, schema, poolSize: 8 });
  } catch {
    rows.push({
      name: "audit appends/s (PostgreSQL) — skipped: server unreachable",
      value: 0,
      unit: "appends/s",
    });
    return rows;
  }
  try {
    rows.push({
      name: "audit appends/s (PostgreSQL, 8 connections)",
      value: Math.round(await appendRate(store, 1000, 8)),
      unit: "appends/s",
    });
    rows.push(...(await webhookBench(store)));
  } finally {
    await store.close();
    await dropBenchSchema(PG_URL, schema);
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) printTable(await benchStore());
