import type { Clock } from "../clock/clock.js";

export type BucketDecision = { allowed: true } | { allowed: false; retryAfterSec: number };

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
}
