/**
 * The outbox delivery worker. Each round leases due rows (one per campaign: the oldest pending, so a campaign's
 * events arrive in order), POSTs them signed, and records the result. Delivery is at-least-once: a worker that
 * dies after sending but before recording leaves a lease that expires, and another worker sends the row again
 * with the same webhook-id, which receivers use to de-duplicate.
 */
import { randomUUID } from "node:crypto";
import { type Clock, systemClock } from "../clock/clock.js";
import { redactText } from "../store/records.js";
import type { OutboxRow, SqlStore } from "../store/types.js";
import { nextAttempt, parseRetryAfter, RETRY_SCHEDULE_MS } from "./retry-schedule.js";
import { WebhookSigner } from "./signing.js";

export type DeliveryOutcome = "delivered" | "failed" | "dead" | "disabled";

export interface DeliveryEvent {
  outcome: DeliveryOutcome;
  auditId: string;
  campaignId: string;
  /** 1 for the first attempt. */
  attempt: number;
  status: number | "network" | "timeout";
  durationMs: number;
  /** For failed: when the next attempt is due (epoch ms). */
  nextAttemptAt?: number;
}

export interface DeliveryObserver {
  delivery?(e: DeliveryEvent): void;
}

export interface DeliveryWorkerOptions {
  store: Pick<SqlStore, "outbox"> & Partial<Pick<SqlStore, "onAppend">>;
  url: string;
  secrets: readonly string[];
  clock?: Clock;
  fetch?: typeof fetch;
  workerId?: string;
  observer?: DeliveryObserver;
  /** One line per notable event; never carries the URL's secret parts or a secret. */
  log?: (line: string) => void;
  /** For jitter; [0, 1). */
  random?: () => number;
  /** Per request, real time (default 10 s). */
  timeoutMs?: number;
  /** Lease on a claimed row, on the worker's clock (default 60 s: well over the request timeout). */
  leaseMs?: number;
  batchSize?: number;
  concurrency?: number;
  /** How often start() looks for work written by other processes (default 1 s). */
  pollIntervalMs?: number;
  schedule?: readonly number[];
}

export interface RoundResult {
  claimed: number;
  delivered: number;
  failed: number;
  dead: number;
  /** The endpoint is disabled (HTTP 410): nothing is delivered until `dialrules webhooks enable`. */
  disabled: boolean;
}

export interface DeliveryWorker {
  readonly workerId: string;
  /** One round: claim a batch of due rows and deliver it. */
  runOnce(): Promise<RoundResult>;
  /** Rounds until nothing is due now (failed rows wait for their next attempt). */
  drain(maxRounds?: number): Promise<RoundResult>;
  start(): void;
  /** Stops after the deliveries in flight finish. */
  stop(): Promise<void>;
}

const empty = (): RoundResult => ({ claimed: 0, delivered: 0, failed: 0, dead: 0, disabled: false });

function describeError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === "string") return `network error: ${cause.code}`;
  if (err instanceof Error) return `network error: ${err.name}`;
  return "network error";
}

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { store, url } = options;
  const outbox = store.outbox;
  const clock = options.clock ?? systemClock;
  const fetchImpl = options.fetch ?? fetch;
  const workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? 60_000;
  const batchSize = options.batchSize ?? 50;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const schedule = options.schedule ?? RETRY_SCHEDULE_MS;
  const signer = new WebhookSigner(options.secrets);
  // fetch refuses URLs with user info; credentials in the URL become a Basic Authorization header instead.
  const target = new URL(url);
  const basicAuth =
    target.username || target.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString("base64")}`
      : null;
  target.username = "";
  target.password = "";
  const requestUrl = target.toString();
  // Anything that reaches a log line or last_error is scrubbed of the URL and the secrets.
  const secretish = [
    url,
    requestUrl,
    ...(basicAuth ? [basicAuth] : []),
    ...options.secrets,
    ...options.secrets.map((s) => s.replace(/^whsec_/, "")),
  ];
  const log = (line: string) => options.log?.(redactText(line, secretish));

  async function deliver(row: OutboxRow, result: RoundResult, succeeded: string[]): Promise<"ok" | "gone"> {
    const attempt = row.attempts + 1;
    const started = clock.now();
    const t0 = performance.now();
    const headers = {
      "content-type": "application/json",
      "user-agent": "dialrules-webhooks/1",
      ...(basicAuth ? { authorization: basicAuth } : {}),
      ...signer.headers(row.auditId, started, row.payload),
    };
    let status: number | "network" | "timeout";
    let retryAfter: string | null = null;
    let error: string;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetchImpl(requestUrl, {
        method: "POST",
        headers,
        body: row.payload,
        signal: controller.signal,
        redirect: "manual",
      });
      status = res.status;
      retryAfter = res.headers.get("retry-after");
      await res.body?.cancel().catch(() => undefined);
      error = `HTTP ${res.status}`;
    } catch (err) {
      status = controller.signal.aborted ? "timeout" : "network";
      error = status === "timeout" ? `timeout after ${timeoutMs} ms` : describeError(err);
    } finally {
      clearTimeout(timer);
    }
    const durationMs = performance.now() - t0;
    const base = { auditId: row.auditId, campaignId: row.campaignId, attempt, status, durationMs };

    if (typeof status === "number" && status >= 200 && status < 300) {
      // Recorded with the rest of the round in one commit; a crash before it means a re-send (same webhook-id).
      succeeded.push(row.auditId);
      result.delivered++;
      options.observer?.delivery?.({ ...base, outcome: "delivered" });
      return "ok";
    }
    if (status === 410) {
      // Standard Webhooks: 410 Gone means the receiver does not want these events any more.
      await outbox.setEndpointState(url, "disabled", `HTTP 410 Gone on ${row.auditId}`);
      await outbox.release(row.auditId, workerId);
      result.disabled = true;
      options.observer?.delivery?.({ ...base, outcome: "disabled" });
      log(`webhook endpoint answered 410 Gone: disabled; run "dialrules webhooks enable" to resume`);
      return "gone";
    }
    const now = clock.now();
    const next = nextAttempt(attempt, now, random, parseRetryAfter(retryAfter, now), schedule);
    const safeError = redactText(error, secretish);
    const recorded = await outbox.markFailed(row.auditId, workerId, {
      error: safeError,
      ...(typeof status === "number" ? { status } : {}),
      nextAttemptAt: next.dead ? now : next.at,
      dead: next.dead,
    });
    if (!recorded) {
      log(`webhook ${row.auditId}: lease lost to another worker; its result is theirs to record`);
      return "ok";
    }
    if (next.dead) {
      result.dead++;
      options.observer?.delivery?.({ ...base, outcome: "dead" });
      log(
        `webhook ${row.auditId} dead after ${attempt} attempts (${safeError}); "dialrules webhooks retry ${row.auditId}"`,
      );
    } else {
      result.failed++;
      options.observer?.delivery?.({ ...base, outcome: "failed", nextAttemptAt: next.at });
      log(
        `webhook ${row.auditId} attempt ${attempt} failed (${safeError}); next in ${Math.round(next.delayMs / 1000)} s`,
      );
    }
    return "ok";
  }

  async function runOnce(): Promise<RoundResult> {
    const result = empty();
    if ((await outbox.endpoint(url)).state === "disabled") return { ...result, disabled: true };
    const rows = await outbox.claim({ workerId, now: clock.now(), leaseMs, limit: batchSize });
    result.claimed = rows.length;
    let gone = false;
    let next = 0;
    const succeeded: string[] = [];
    const lane = async () => {
      while (next < rows.length) {
        const row = rows[next++] as OutboxRow;
        if (gone) {
          await outbox.release(row.auditId, workerId);
          continue;
        }
        if ((await deliver(row, result, succeeded)) === "gone") gone = true;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
    } finally {
      await outbox.markDeliveredMany(succeeded, clock.now());
    }
    return result;
  }

  async function drain(maxRounds = 10_000): Promise<RoundResult> {
    const total = empty();
    for (let i = 0; i < maxRounds; i++) {
      const r = await runOnce();
      total.claimed += r.claimed;
      total.delivered += r.delivered;
      total.failed += r.failed;
      total.dead += r.dead;
      total.disabled ||= r.disabled;
      if (r.claimed === 0 || r.disabled) break;
    }
    return total;
  }

  let loop: Promise<void> | null = null;
  let stopping = false;
  let wake: AbortController | null = null;

  async function run(): Promise<void> {
    const unsubscribe = store.onAppend?.(() => wake?.abort());
    try {
      while (!stopping) {
        let waitMs = pollIntervalMs;
        try {
          const r = await runOnce();
          if (r.claimed > 0 && !r.disabled) continue;
          if (!r.disabled) {
            const due = await outbox.nextDueAt();
            if (due !== null) waitMs = Math.min(pollIntervalMs, Math.max(25, due - clock.now()));
          }
        } catch (err) {
          log(
            `webhook worker ${workerId}: round failed (${err instanceof Error ? err.message : String(err)}); retrying`,
          );
        }
        if (stopping) break;
        wake = new AbortController();
        await clock.sleep(waitMs, wake.signal).catch(() => undefined);
        wake = null;
      }
    } finally {
      unsubscribe?.();
    }
  }

  return {
    workerId,
    runOnce,
    drain,
    start() {
      if (loop) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      wake?.abort();
      await loop;
      loop = null;
    },
  };
}
