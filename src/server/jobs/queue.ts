/**
 * Where apply work waits. One task = one chunk of one apply job's campaigns.
 *  - PostgreSQL: pg-boss (10.x: the last major that runs on Node 20). A task held by a replica that dies stays
 *    "active" until its expiry, then pg-boss's maintenance (run by whichever replica holds the maintenance
 *    slot) fails it and re-queues it for any replica: at-least-once, made safe by the per-campaign locks and
 *    the journal (a campaign with an outcome in this run is never written again).
 *  - SQLite (single replica): an in-process FIFO; unfinished jobs are re-queued at start-up from the database.
 */
import PgBoss from "pg-boss";

export interface ChunkTask {
  jobId: string;
  chunk: number;
}

export type TaskHandler = (task: ChunkTask) => Promise<void>;

export interface JobQueue {
  readonly kind: "pg-boss" | "in-process";
  enqueue(tasks: readonly ChunkTask[]): Promise<void>;
  start(handler: TaskHandler): Promise<void>;
  stop(): Promise<void>;
}

export const APPLY_QUEUE = "dialrules-apply";

export interface PgBossQueueOptions {
  connectionString: string;
  /** pg-boss's own schema (its tables live apart from ours). */
  schema: string;
  /** Tasks this replica works on at once. */
  concurrency: number;
  /** A task not finished within this time is presumed dead and retried elsewhere. */
  expireInSeconds: number;
  /** How often expired tasks are looked for (one replica at a time does it). */
  maintenanceIntervalSeconds: number;
  pollingIntervalSeconds?: number;
  onError?: (message: string) => void;
}

interface BossError {
  message?: string;
}

export function pgBossQueue(options: PgBossQueueOptions): JobQueue {
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: options.schema,
    max: Math.max(2, options.concurrency + 1),
    application_name: "dialrules-serve",
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
    // No cron schedules here; the clock monitor would only add queries.
    schedule: false,
  });
  boss.on("error", (err: BossError) => options.onError?.(`job queue: ${err.message ?? String(err)}`));
  let started = false;
  const ensureStarted = async () => {
    if (started) return;
    await boss.start();
    started = true;
    try {
      await boss.createQueue(APPLY_QUEUE, {
        name: APPLY_QUEUE,
        retryLimit: 20,
        retryDelay: 1,
        expireInSeconds: options.expireInSeconds,
      });
    } catch (err) {
      // Another replica created it between our start and now.
      if (!(await boss.getQueue(APPLY_QUEUE))) throw err;
    }
  };
  return {
    kind: "pg-boss",
    async enqueue(tasks) {
      await ensureStarted();
      await boss.insert(
        tasks.map((t) => ({
          name: APPLY_QUEUE,
          data: { jobId: t.jobId, chunk: t.chunk },
          retryLimit: 20,
          retryDelay: 1,
          expireInSeconds: options.expireInSeconds,
        })),
      );
    },
    async start(handler) {
      await ensureStarted();
      for (let i = 0; i < options.concurrency; i++) {
        await boss.work<ChunkTask>(
          APPLY_QUEUE,
          { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5 },
          async (jobs) => {
            for (const job of jobs) await handler({ jobId: job.data.jobId, chunk: job.data.chunk });
          },
        );
      }
    },
    async stop() {
      if (started) await boss.stop({ graceful: true, timeout: 10_000, wait: true });
    },
  };
}

export function inProcessQueue(options: {
  concurrency: number;
  onError?: (message: string) => void;
  retries?: number;
}): JobQueue {
  const pending: { task: ChunkTask; attempt: number }[] = [];
  let handler: TaskHandler | undefined;
  let running = 0;
  let stopped = false;
  const idle: (() => void)[] = [];
  const pump = () => {
    while (handler && !stopped && running < options.concurrency && pending.length > 0) {
      const item = pending.shift() as { task: ChunkTask; attempt: number };
      const h = handler;
      running += 1;
      void h(item.task)
        .catch((err: unknown) => {
          options.onError?.(`apply task ${item.task.jobId}#${item.task.chunk}: ${String(err)}`);
          if (item.attempt < (options.retries ?? 3)) pending.push({ ...item, attempt: item.attempt + 1 });
        })
        .finally(() => {
          running -= 1;
          if (running === 0 && pending.length === 0) for (const done of idle.splice(0)) done();
          pump();
        });
    }
  };
  return {
    kind: "in-process",
    async enqueue(tasks) {
      for (const task of tasks) pending.push({ task, attempt: 0 });
      pump();
    },
    async start(h) {
      handler = h;
      pump();
    },
    async stop() {
      stopped = true;
      pending.length = 0;
      if (running > 0) await new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
