/**
 * One platform request budget shared by every replica: rate-limiter-flexible's RateLimiterPostgres (a counter
 * per fixed window in one row, updated atomically by an upsert) behind our RequestLimiter interface, passed to
 * the platform driver as its `limiter`.
 *
 * Window choice: a fixed window lets up to two windows' points through around a boundary. The platform's
 * bucket holds a whole minute's budget, so short windows make that burst harmless: the window is the shortest
 * that still grants ≥ 10 requests, and only 90% of the nominal rate is used, which also leaves room for the
 * one OAuth token request each replica makes. rate-limiter-flexible reads the wall clock (the reason the
 * per-process limiter is our own GCRA); waiting between attempts uses the injected Clock.
 */
import pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { type Clock, systemClock } from "../clock/clock.js";
import type { RequestLimiter } from "../http/rate-limiter.js";

export const SHARED_RATE_FRACTION = 0.9;

export interface SharedLimiterOptions {
  connectionString: string;
  /** Schema holding the `rate_limits` table (migration 0002_service). */
  schema: string;
  /** The platform's nominal budget for this client id. */
  perMinute: number;
  /** One budget per platform client: e.g. token URL + client id. */
  key: string;
  clock?: Clock;
}

export interface SharedLimiter extends RequestLimiter {
  readonly windowSec: number;
  readonly pointsPerWindow: number;
  close(): Promise<void>;
}

export function budgetWindow(perMinute: number): { windowSec: number; points: number } {
  const perSecond = (perMinute * SHARED_RATE_FRACTION) / 60;
  const windowSec = Math.min(60, Math.max(1, Math.ceil(10 / perSecond)));
  return { windowSec, points: Math.max(1, Math.floor(perSecond * windowSec)) };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

export function createSharedLimiter(options: SharedLimiterOptions): SharedLimiter {
  const clock = options.clock ?? systemClock;
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 2 });
  pool.on("error", () => undefined);
  const { windowSec, points } = budgetWindow(options.perMinute);
  const limiter = new RateLimiterPostgres({
    storeClient: pool,
    storeType: "pool",
    schemaName: options.schema,
    tableName: "rate_limits",
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix: "platform",
    points,
    duration: windowSec,
  });
  let heldUntil = 0;
  return {
    windowSec,
    pointsPerWindow: points,
    async acquire(signal) {
      for (;;) {
        if (signal?.aborted) throw abortReason(signal);
        const hold = heldUntil - clock.now();
        if (hold > 0) {
          await clock.sleep(hold, signal);
          continue;
        }
        try {
          await limiter.consume(options.key, 1);
          return;
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          // Spread the retries of many waiters over a few ms instead of waking them all at the boundary.
          await clock.sleep(err.msBeforeNext + Math.floor(Math.random() * 20), signal);
        }
      }
    },
    holdFor(ms) {
      if (!(ms > 0)) return;
      heldUntil = Math.max(heldUntil, clock.now() + ms);
      // Tell the other replicas too: the whole shared budget pauses.
      void limiter.block(options.key, Math.ceil(ms / 1000)).catch(() => undefined);
    },
    close: () => pool.end(),
  };
}
