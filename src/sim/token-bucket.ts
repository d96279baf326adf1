import type { Clock } from "../clock/clock.js";

/** What the bucket holds after a decision, for replies that state the budget (IETF RateLimit fields). */
export interface BucketReading {
  /** Whole requests still accepted now. */
  remaining: number;
  /** Seconds until at least one more request is accepted (0 when one is now). */
  resetSec: number;
  /** The bucket's capacity: a minute's budget. */
  limit: number;
  windowSec: number;
}

export type BucketDecision = ({ allowed: true } | { allowed: false; retryAfterSec: number }) & {
  reading?: BucketReading;
};

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

  private reading(tokens: number): BucketReading {
    const whole = Math.floor(tokens + 1e-9);
    const resetSec = whole >= 1 ? 0 : Math.ceil((1 - tokens) / this.refillPerMs / 1000);
    return { remaining: Math.max(0, whole), resetSec, limit: Math.round(this.perMinute), windowSec: 60 };
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
      return { allowed: true, reading: this.reading(bucket.tokens) };
    }
    const waitMs = (1 - bucket.tokens) / this.refillPerMs;
    return {
      allowed: false,
      retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)),
      reading: this.reading(bucket.tokens),
    };
  }
}

/**
 * The IETF fields (draft-ietf-httpapi-ratelimit-headers, structured form) the v2 contract's gateway sends:
 * the policy (a minute's quota) and what remains of it, with `t` the seconds until one more request is
 * accepted.
 */
export function ietfRateLimitFields(reading: BucketReading): Record<string, string> {
  return {
    "ratelimit-policy": `"default";q=${reading.limit};w=${reading.windowSec}`,
    ratelimit: `"default";r=${reading.remaining};t=${reading.resetSec}`,
  };
}
