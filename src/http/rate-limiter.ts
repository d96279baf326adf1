/**
 * Client-side request budget: GCRA (the "virtual scheduling" form of a token bucket) on an injected Clock,
 * with a FIFO queue of waiters.
 *
 * Written here rather than taken from `bottleneck` or `rate-limiter-flexible`: both read the wall clock
 * (Date.now / setTimeout) directly and cannot take an injected Clock, which every time-dependent part of
 * dialrules needs so tests can run minutes of schedule in milliseconds and share time with the simulator.
 *
 * Budget choice (defaults below). The platform's bucket holds one minute's budget C and refills
 * continuously at R per minute. Our GCRA is a bucket of `burst` b refilling at r. Starting from a full
 * server bucket, and as long as b ≤ C and r ≤ R, the server's tokens never fall below ours (both lose one per
 * request; the server's refill is at least ours, and when it is capped at C it is still ≥ b), so a
 * client that spends its whole budget never sees a 429. The margins only buy slack for what that argument
 * ignores:
 * - burst b = 10% of the minute's budget (at most 10). The remaining C − b requests of slack absorb network
 *   jitter that bunches requests up on arrival (at 100/min, 54 s worth), and a new process does not start
 *   by dumping a large burst onto a bucket a previous run may have drained (CLI runs are separate processes
 *   that cannot see each other's limiter).
 * - rate r = 97% of R. With r < R the server's bucket refills faster than we spend, so a deficit left by
 *   another process or a previous run is repaid while we keep working (3/min at 100/min).
 * Bulk work of N requests then takes (N − b) / r: 300 requests at 100/min finish in 2.99 min against a
 * theoretical 3 min for N / R at the nominal rate, i.e. within a few percent of the minimum.
 */
import type { Clock } from "../clock/clock.js";
import type { HttpObserver } from "./events.js";
import { safeObserver } from "./observe.js";

/** What every request path calls before it sends anything. */
export interface RequestLimiter {
  /** Waits for this request's turn (FIFO). Rejects with the signal's reason when aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void>;
  /**
   * The server said "not before `ms` from now" (429 Retry-After): hold every later request until then, so
   * requests that share this budget do not keep hitting the server's bucket.
   */
  holdFor(ms: number): void;
}

export interface RateLimiterOptions {
  /** Nominal budget, requests per minute (the server's limit). */
  perMinute: number;
  clock: Clock;
  /** Requests that may go at once after idle time; default 10% of the budget, between 1 and 10. */
  burst?: number;
  /** Fraction of the nominal rate actually used; default 0.97. */
  rateFraction?: number;
  observer?: HttpObserver;
}

interface Waiter {
  enqueuedAt: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export function defaultBurst(perMinute: number): number {
  return Math.max(1, Math.min(10, Math.floor(perMinute / 10)));
}

export const DEFAULT_RATE_FRACTION = 0.97;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

export class RateLimiter implements RequestLimiter {
  /** Milliseconds between two requests at the effective rate. */
  readonly intervalMs: number;
  readonly burst: number;
  private readonly toleranceMs: number;
  /** GCRA's theoretical arrival time of the next request. */
  private tat = Number.NEGATIVE_INFINITY;
  private heldUntil = Number.NEGATIVE_INFINITY;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  private pumpSleep: AbortController | undefined;
  private readonly clock: Clock;
  private readonly observer: Required<HttpObserver>;

  constructor(options: RateLimiterOptions) {
    if (!(options.perMinute > 0) || !Number.isFinite(options.perMinute)) {
      throw new RangeError(`rate limit must be a positive number per minute, got ${options.perMinute}`);
    }
    const fraction = options.rateFraction ?? DEFAULT_RATE_FRACTION;
    if (!(fraction > 0 && fraction <= 1))
      throw new RangeError(`rateFraction must be in (0, 1], got ${fraction}`);
    this.burst = Math.max(1, Math.floor(options.burst ?? defaultBurst(options.perMinute)));
    this.intervalMs = 60_000 / (options.perMinute * fraction);
    this.toleranceMs = (this.burst - 1) * this.intervalMs;
    this.clock = options.clock;
    this.observer = safeObserver(options.observer);
  }

  /** Waiters currently queued (for tests and metrics). */
  get waiting(): number {
    return this.queue.length;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const now = this.clock.now();
    if (this.queue.length === 0 && this.earliestStart(now) <= now) {
      this.consume(now);
      this.report(0);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { enqueuedAt: now, resolve, reject };
      if (signal) {
        waiter.signal = signal;
        waiter.onAbort = () => this.cancel(waiter, abortReason(signal));
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      void this.pump();
    });
  }

  holdFor(ms: number): void {
    if (!(ms > 0)) return;
    this.heldUntil = Math.max(this.heldUntil, this.clock.now() + ms);
  }

  private earliestStart(now: number): number {
    const gcra = Number.isFinite(this.tat) ? this.tat - this.toleranceMs : now;
    return Math.max(gcra, this.heldUntil);
  }

  private consume(now: number): void {
    // Past time is not banked beyond the burst: max(tat, now) forgets idle time older than the tolerance.
    this.tat = Math.max(Number.isFinite(this.tat) ? this.tat : now, now) + this.intervalMs;
  }

  private report(ms: number): void {
    this.observer.rateLimiterWait(ms);
  }

  private cancel(waiter: Waiter, reason: unknown): void {
    const index = this.queue.indexOf(waiter);
    if (index < 0) return;
    this.queue.splice(index, 1);
    waiter.reject(reason);
    // Nobody left to wake for: stop the pending sleep so no timer outlives the queue.
    if (this.queue.length === 0) this.pumpSleep?.abort();
  }

  /** One loop at a time grants the head of the queue whenever GCRA allows, so order is strictly FIFO. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.clock.now();
        const start = this.earliestStart(now);
        if (start <= now) {
          const waiter = this.queue.shift() as Waiter;
          if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
          this.consume(now);
          this.report(now - waiter.enqueuedAt);
          waiter.resolve();
          continue;
        }
        const controller = new AbortController();
        this.pumpSleep = controller;
        try {
          await this.clock.sleep(start - now, controller.signal);
        } catch {
          // Aborted because the queue emptied; the loop condition ends the pump.
        } finally {
          this.pumpSleep = undefined;
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** For tests and for callers that deliberately run without a client-side budget. */
export const noRateLimit: RequestLimiter = {
  acquire: (signal) => (signal?.aborted ? Promise.reject(abortReason(signal)) : Promise.resolve()),
  holdFor: () => {},
};

const registry = new Map<string, RateLimiter>();

/**
 * One limiter per platform client id in this process, shared by every request path (token, reads,
 * writes, every driver instance). The first caller's options win; later callers get the same instance.
 */
export function limiterFor(key: string, options: RateLimiterOptions): RateLimiter {
  let limiter = registry.get(key);
  if (!limiter) {
    limiter = new RateLimiter(options);
    registry.set(key, limiter);
  }
  return limiter;
}
