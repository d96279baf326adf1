import type { Clock } from "../clock/clock.js";

export type BucketDecision = { allowed: true } | { allowed: false; retryAfterSec: number };

/** A client's budget as rate-limit headers describe it (e.g. Genesys Cloud's inin-ratelimit-*). */
export interface BudgetState {
  /** Requests per minute. */
  allowed: number;
  /** Requests spent that have not been refilled yet. */
  count: number;
  /** Seconds until the bucket is full again. */
  resetSec: number;
}

/**
 * One token bucket per client id: capacity is the per-minute budget (a full minute may be spent as a burst)
 * and it refills continuously on the injected clock, so tests can empty it and advance time instead of
 * waiting.
 */
export class ClientBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly refillPerMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  take(clientId: string): BucketDecision {
    if (!Number.isFinite(this.perMinute)) return { allowed: true };
    const now = this.clock.now();
    const bucket = this.buckets.get(clientId) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * this.refillPerMs);
    bucket.at = now;
    this.buckets.set(clientId, bucket);
    // The epsilon absorbs float error so waiting exactly Retry-After seconds always suffices.
    if (bucket.tokens >= 1 - 1e-9) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = (1 - bucket.tokens) / this.refillPerMs;
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** The client's budget after its latest `take`; undefined when limiting is off. */
  state(clientId: string): BudgetState | undefined {
    if (!Number.isFinite(this.perMinute)) return undefined;
    const tokens = this.buckets.get(clientId)?.tokens ?? this.perMinute;
    const missing = Math.max(0, this.perMinute - tokens);
    return {
      allowed: Math.floor(this.perMinute),
      count: Math.ceil(missing - 1e-9),
      resetSec: Math.ceil(missing / this.refillPerMs / 1000),
    };
  }
}
