/**
 * Bench: the apply write path with the rate budget not binding (issue 17 §2). `applyPlan` with its default
 * 8 workers changes N campaigns of a platform that answers from memory at once, so what is measured is the
 * engine plus the store it writes through — the journal intent before each write, the outcome with its audit
 * record and outbox row after it, every commit durable (SQLite: WAL, synchronous=FULL; PostgreSQL:
 * synchronous_commit on). One more row runs the same change end to end against the HTTP simulator with its
 * budget off, which adds the HTTP work of both client and simulator (same process) to the write path.
 *
 * The disk sets the ceiling of any durable write path, and the benchmark VM's disk is shared with other
 * work: the first row measures it (single-row WAL commits per second) right before, so a run can be judged.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { type Clock, systemClock } from "../clock/clock.js";
import type { Campaign, PartialRules } from "../domain/rules.js";
import { RULE_FIELDS } from "../domain/rules.js";
import { parseRulesValue } from "../domain/rules-file.js";
import { v2ConfigFor } from "../embedded/embedded-sim.js";
import { applyPlan } from "../engine/apply.js";
import { createPlan } from "../engine/plan.js";
import { noRateLimit } from "../http/rate-limiter.js";
import { ConflictError, NotFoundError } from "../platform/errors.js";
import type { Platform } from "../platform/platform.js";
import { createV2Platform } from "../platform/v2/v2-platform.js";
import { Random } from "../sim/random.js";
import { seedCampaigns } from "../sim/seed-campaigns.js";
import { startSimulator } from "../sim/server.js";
import { openStore } from "../store/open-store.js";
import type { SqlStore } from "../store/types.js";
import { webhookEvent } from "../webhook/events.js";
import { BENCH_RULES, DEFAULT_CONCURRENCY } from "./apply-bench.js";
import type { BenchRow } from "./table.js";

const PG_URL = process.env.DIALRULES_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const WRITE_PATH_CAMPAIGNS = 2000;
export const TARGET_SQLITE_PER_SEC = 1000;
export const TARGET_POSTGRES_PER_SEC = 500;

/**
 * A platform held in memory: conditional writes (a stale revision is a conflict), no HTTP, no budget. It
 * stands in for a platform that answers instantly, so only the engine and the store are measured.
 */
export function memoryPlatform(count: number, clock: Clock = systemClock): Platform {
  const byId = new Map<string, Campaign>(
    seedCampaigns(count, new Random(1), clock.now()).map((c) => [c.id, c]),
  );
  const get = (id: string): Campaign => {
    const c = byId.get(id);
    if (!c) throw new NotFoundError(`campaign ${id} does not exist`);
    return structuredClone(c);
  };
  return {
    name: "v2",
    capabilities: { conditionalWrite: true, writableFields: RULE_FIELDS },
    getCampaign: async (id) => get(id),
    listCampaigns: async () => [...byId.keys()].map(get),
    async updateRules(id: string, revision: number, rules: PartialRules) {
      const c = get(id);
      if (c.revision !== revision) {
        throw new ConflictError(`campaign ${id} is at revision ${c.revision}`, c.revision);
      }
      const next: Campaign = {
        ...c,
        revision: c.revision + 1,
        dialingRules: { ...c.dialingRules, ...structuredClone(rules) },
        updatedAt: new Date(clock.now()).toISOString(),
      };
      byId.set(id, next);
      return { campaign: structuredClone(next) };
    },
    close: async () => undefined,
  };
}

/** Changes every campaign of `platform` with BENCH_RULES; returns campaigns recorded per real second. */
async function applyAll(platform: Platform, store: SqlStore, n: number): Promise<number> {
  const clock = systemClock;
  const plan = await createPlan({
    file: parseRulesValue(BENCH_RULES, "bench.yaml"),
    sourceText: JSON.stringify(BENCH_RULES),
    platform,
    clock,
  });
  const t0 = performance.now();
  const result = await applyPlan(
    plan,
    {
      runId: randomUUID(),
      actor: "bench",
      reason: "write path benchmark",
      concurrency: DEFAULT_CONCURRENCY,
      onConflict: "rebase",
      skipInvalid: false,
    },
    { platform, store, clock },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (result.counts.applied !== n) {
    throw new Error(`write path bench: ${result.counts.applied} of ${n} campaigns applied`);
  }
  return n / seconds;
}

/** Single-row WAL commits per second with synchronous=FULL: what this disk allows right now. */
function diskCommitsPerSecond(dir: string, n = 300): number {
  const db = new BetterSqlite3(join(dir, "disk.db"));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.exec("CREATE TABLE t (a INTEGER, b TEXT)");
    const insert = db.prepare("INSERT INTO t VALUES (?, ?)");
    const begin = db.prepare("BEGIN IMMEDIATE");
    const commit = db.prepare("COMMIT");
    const body = "x".repeat(1000);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      begin.run();
      insert.run(i, body);
      commit.run();
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
  }
}

const perSecond = (name: string, value: number, target?: number): BenchRow => ({
  name,
  value: Math.round(value),
  unit: "campaigns/s",
  ...(target !== undefined ? { target: `≥ ${target}`, ok: value >= target } : {}),
});

export async function benchWritePath(n = WRITE_PATH_CAMPAIGNS): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), "dialrules-write-bench-"));
  try {
    rows.push({
      name: "machine load average (1 min) at the start of the write path rows",
      value: Number((loadavg()[0] ?? 0).toFixed(2)),
      unit: "runnable processes",
    });
    rows.push({
      name: "disk: single-row SQLite WAL commits/s (synchronous=FULL)",
      value: Math.round(diskCommitsPerSecond(dir)),
      unit: "commits/s",
    });
    // A discarded small run: JIT warm-up is not part of the write path.
    const warm = await openStore({ outboxEvent: webhookEvent, sqlitePath: join(dir, "warm.db") });
    try {
      await applyAll(memoryPlatform(200), warm, 200);
    } finally {
      await warm.close();
    }
    const sqlite = await openStore({ outboxEvent: webhookEvent, sqlitePath: join(dir, "write.db") });
    try {
      rows.push(
        perSecond(
          `apply write path N=${n} SQLite: campaigns per second`,
          await applyAll(memoryPlatform(n), sqlite, n),
          TARGET_SQLITE_PER_SEC,
        ),
      );
    } finally {
      await sqlite.close();
    }
    rows.push(await endToEnd(dir, n));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  rows.push(await postgresRow(n));
  return rows;
}

/** The same change through HTTP: v2 client and simulator (budget off) in this process, SQLite store. */
async function endToEnd(dir: string, n: number): Promise<BenchRow> {
  const sim = await startSimulator({ campaigns: n, seed: 1, rateLimitPerMinute: Number.POSITIVE_INFINITY });
  const platform = createV2Platform(v2ConfigFor(sim, 1_000_000), {
    clock: systemClock,
    limiter: noRateLimit,
  });
  const store = await openStore({ outboxEvent: webhookEvent, sqlitePath: join(dir, "e2e.db") });
  try {
    return perSecond(
      `apply end to end N=${n} SQLite, HTTP simulator, budget not binding`,
      await applyAll(platform, store, n),
    );
  } finally {
    await store.close();
    await platform.close();
    await sim.stop();
  }
}

async function postgresRow(n: number): Promise<BenchRow> {
  const name = `apply write path N=${n} PostgreSQL: campaigns per second`;
  const schema = `bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  let store: SqlStore;
  try {
    store = await openStore({ outboxEvent: webhookEvent, databaseUrl: PG_URL, schema, poolSize: 8 });
  } catch {
    return { name: `${name} — skipped: server unreachable`, value: 0, unit: "campaigns/s" };
  }
  try {
    return perSecond(name, await applyAll(memoryPlatform(n), store, n), TARGET_POSTGRES_PER_SEC);
  } finally {
    await store.close();
    await dropBenchSchema(PG_URL, schema);
  }
}

/** Removes a benchmark's PostgreSQL schema and everything in it. */
export async function dropBenchSchema(url: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}
