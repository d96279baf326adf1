/**
 * Client-side request budget on an injected Clock, with a FIFO queue of waiters. Two sources of truth:
 *
 * 1. **What the platform says** (rate-headers.ts: IETF RateLimit, X-RateLimit-*, Genesys inin-ratelimit-*).
 *    Once a reply states the remaining budget, the limiter never has more requests out than that bound
 *    allows, and when the bound is spent it waits for the stated reset, then sends a single probe whose
 *    reply states the budget again. The bound is a lower bound on what the server still accepts:
 *    `remaining − requests in flight − requests that overlapped this one` (a request that overlapped may
 *    have been counted after the reply was written). Between replies, requests are spread at 99 % of the
 *    policy's rate from the stated level minus a reserve of one, so a full bucket is used at once and a
 *    draining one is never run dry. A server whose headers are contradicted by a 429 twice is not
 *    believed again; the configured budget takes over.
 * 2. **The configured budget** (`perMinute`, `burst`), where the platform sends no headers (CXone): a token
 *    bucket of `burst` refilling at 97 % of the rate. Its state is kept by a `BudgetLedger`: in memory, or
 *    in the database the command already opens, so the requests of a previous `plan`, or of another
 *    replica, count against the same bucket (budget-bucket.ts).
 *
 * On a 429 the rate is halved (multiplicative decrease, down to a tenth) and the bucket emptied; every
 * later successful reply adds a little back (additive increase), so a budget shared with unknown other
 * clients settles below what they leave over.
 *
 * Written here rather than taken from `bottleneck` or `rate-limiter-flexible`: both read the wall clock
 * directly and cannot take an injected Clock, which every time-dependent part of dialrules needs.
 */
import type { Clock } from "../clock/clock.js";
import { type BucketParams, type BudgetLedger, memoryLedger, type TakeResult } from "./budget-bucket.js";
import type { HttpObserver } from "./events.js";
import { safeObserver } from "./observe.js";
import type { BudgetObservation } from "./rate-headers.js";

/** What the reply to a granted request said; `status` undefined when no reply came (network failure). */
export interface ReplyBudget {
  status?: number;
  observation?: BudgetObservation;
}

/** One granted request: settle it exactly once when its reply (or failure) is in. */
export interface LimiterGrant {
  settle(reply?: ReplyBudget): void;
}

/** What every request path calls before it sends anything. */
export interface RequestLimiter {
  /** Waits for this request's turn (FIFO). Rejects with the signal's reason when aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<LimiterGrant>;
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
  /** Requests that may go at once after idle time, without headers saying more; default defaultBurst(). */
  burst?: number;
  /** Fraction of the nominal rate used by the configured budget; default 0.97. */
  rateFraction?: number;
  observer?: HttpObserver;
  /** Where the configured budget's bucket lives; default this process. */
  ledger?: BudgetLedger;
  /** The bucket's name in the ledger: one per platform credential. */
  key?: string;
  /** Believe budget headers in replies (default true). */
  learnFromHeaders?: boolean;
}

interface Waiter {
  enqueuedAt: number;
  resolve: (grant: LimiterGrant) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** 10 % of the budget, between 1 and 10: conservative, because other clients may share the bucket. */
export function defaultBurst(perMinute: number): number {
  return Math.max(1, Math.min(10, Math.floor(perMinute / 10)));
}

export const DEFAULT_RATE_FRACTION = 0.97;
/** Pace between replies when the platform states its budget: live feedback corrects any drift. */
export const HEADER_RATE_FRACTION = 0.99;
/** Units left unspent when pacing from a stated level, so a draining bucket does not reach zero. */
const RESERVE = 1;
const MIN_MULTIPLIER = 0.1;
const CONTRADICTIONS_BEFORE_DISTRUST = 2;
const EPSILON = 1e-9;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** The budget the platform stated, kept in this process (it is about this client's view of the server). */
interface StatedBudget {
  /** Lower bound on what the server accepts now, ignoring refill. */
  bound: number;
  /** When more quota is available again. */
  resetAt: number;
  /** Pacing level: refills at the policy's rate, never above `cap`. */
  level: number;
  at: number;
  cap: number;
  perMs: number;
}

export class RateLimiter implements RequestLimiter {
  readonly burst: number;
  /** Milliseconds between two requests of the configured budget at full rate. */
  readonly intervalMs: number;
  private readonly perMs: number;
  private readonly perMinute: number;
  private readonly clock: Clock;
  private readonly observer: Required<HttpObserver>;
  private readonly ledger: BudgetLedger;
  private readonly key: string;
  private readonly learn: boolean;
  private heldUntil = Number.NEGATIVE_INFINITY;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  private pumpSleep: AbortController | undefined;
  /** AIMD multiplier of the rate, in [MIN_MULTIPLIER, 1]. */
  private multiplier = 1;
  private stated: StatedBudget | undefined;
  private contradictions = 0;
  private inFlight = 0;
  private settled = 0;

  constructor(options: RateLimiterOptions) {
    if (!(options.perMinute > 0) || !Number.isFinite(options.perMinute)) {
      throw new RangeError(`rate limit must be a positive number per minute, got ${options.perMinute}`);
    }
    const fraction = options.rateFraction ?? DEFAULT_RATE_FRACTION;
    if (!(fraction > 0 && fraction <= 1))
      throw new RangeError(`rateFraction must be in (0, 1], got ${fraction}`);
    this.perMinute = options.perMinute;
    this.burst = Math.max(1, Math.floor(options.burst ?? defaultBurst(options.perMinute)));
    this.perMs = (options.perMinute * fraction) / 60_000;
    this.intervalMs = 1 / this.perMs;
    this.clock = options.clock;
    this.observer = safeObserver(options.observer);
    this.ledger = options.ledger ?? memoryLedger();
    this.key = options.key ?? "default";
    this.learn = options.learnFromHeaders ?? true;
  }

  /** Waiters currently queued (for tests and metrics). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Whether the platform's stated budget is in use (false: the configured one). */
  get usingStatedBudget(): boolean {
    return this.stated !== undefined;
  }

  /** The current AIMD multiplier of the rate (1 = full rate). */
  get rateMultiplier(): number {
    return this.multiplier;
  }

  acquire(signal?: AbortSignal): Promise<LimiterGrant> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const now = this.clock.now();
    return new Promise<LimiterGrant>((resolve, reject) => {
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
    const now = this.clock.now();
    this.heldUntil = Math.max(this.heldUntil, now + ms);
    // Tell the other sharers of the bucket too (other processes, through a database ledger).
    void Promise.resolve(this.ledger.hold(this.key, now + ms, now, this.bucketParams())).catch(() => undefined);
  }

  private bucketParams(): BucketParams {
    return { cap: this.burst, perMs: this.perMs * this.multiplier };
  }

  private grant(waiter: Waiter, now: number, believedRoom: boolean): void {
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener("abort", waiter.onAbort);
    this.inFlight += 1;
    const settledAtGrant = this.settled;
    let done = false;
    this.observer.rateLimiterWait(now - waiter.enqueuedAt);
    waiter.resolve({
      settle: (reply) => {
        if (done) return;
        done = true;
        this.onSettle(reply ?? {}, settledAtGrant, believedRoom);
      },
    });
  }

  private onSettle(reply: ReplyBudget, settledAtGrant: number, believedRoom: boolean): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const overlapped = this.settled - settledAtGrant;
    this.settled += 1;
    const now = this.clock.now();
    if (reply.status === 429) {
      this.multiplier = Math.max(MIN_MULTIPLIER, this.multiplier / 2);
      void Promise.resolve(this.ledger.hold(this.key, now, now, this.bucketParams())).catch(() => undefined);
      if (this.stated) {
        this.stated.bound = 0;
        this.stated.level = Math.min(this.stated.level, 0);
        // The server refused while its own last word left room: it is not telling the truth (or not all of it).
        if (believedRoom && ++this.contradictions >= CONTRADICTIONS_BEFORE_DISTRUST) this.stated = undefined;
      }
    } else if (reply.status !== undefined && reply.status < 500) {
      this.multiplier = Math.min(1, this.multiplier + 1 / Math.max(10, this.burst));
    }
    const obs = reply.observation;
    if (obs && this.learn && this.contradictions < CONTRADICTIONS_BEFORE_DISTRUST && reply.status !== 429) {
      this.learnFrom(obs, now, overlapped);
    }
    this.wake();
  }

  private learnFrom(obs: BudgetObservation, now: number, overlapped: number): void {
    const bound = obs.remaining - this.inFlight - overlapped;
    const cap = obs.limit ?? Math.max(this.perMinute, obs.remaining);
    const ratePerMs =
      obs.limit !== undefined && obs.windowMs !== undefined && obs.windowMs > 0
        ? obs.limit / obs.windowMs
        : this.perMinute / 60_000;
    this.stated = {
      bound,
      resetAt: now + obs.resetMs,
      level: Math.min(cap, bound - RESERVE),
      at: now,
      cap,
      perMs: ratePerMs * HEADER_RATE_FRACTION,
    };
  }

  private wake(): void {
    this.pumpSleep?.abort();
    if (this.queue.length > 0) void this.pump();
  }

  private cancel(waiter: Waiter, reason: unknown): void {
    const index = this.queue.indexOf(waiter);
    if (index < 0) return;
    this.queue.splice(index, 1);
    waiter.reject(reason);
    // Nobody left to wake for: stop the pending sleep so no timer outlives the queue.
    if (this.queue.length === 0) this.pumpSleep?.abort();
  }

  /**
   * With a stated budget: grants the head of the queue or returns how long to wait (Infinity: until a
   * reply in flight says more).
   */
  private fromStated(s: StatedBudget, now: number): number {
    s.level = Math.min(s.cap, s.level + Math.max(0, now - s.at) * s.perMs * this.multiplier);
    s.at = now;
    const probe = s.bound < 1 && now >= s.resetAt && this.inFlight === 0;
    if (s.level >= 1 - EPSILON && (s.bound >= 1 || probe)) {
      const waiter = this.queue.shift() as Waiter;
      s.level -= 1;
      s.bound = Math.max(0, s.bound - 1);
      this.grant(waiter, now, !probe);
      return 0;
    }
    if (s.bound < 1) return this.inFlight > 0 ? Number.POSITIVE_INFINITY : Math.max(1, s.resetAt - now);
    return (1 - s.level) / (s.perMs * this.multiplier);
  }

  private async fromLedger(now: number): Promise<number> {
    const pending = this.ledger.take(this.key, this.queue.length, now, this.bucketParams());
    const result: TakeResult = pending instanceof Promise ? await pending : pending;
    const at = this.clock.now();
    // Units taken for waiters that were aborted meanwhile are spent: erring on the side of the budget.
    for (let i = 0; i < result.granted && this.queue.length > 0; i++) {
      this.grant(this.queue.shift() as Waiter, at, false);
    }
    return result.granted > 0 ? 0 : Math.max(0, result.retryAt - at);
  }

  /** One loop at a time grants the head of the queue whenever the budget allows, so order is FIFO. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.clock.now();
        let waitMs: number;
        if (now < this.heldUntil) waitMs = this.heldUntil - now;
        else if (this.stated) waitMs = this.fromStated(this.stated, now);
        else waitMs = await this.fromLedger(now);
        if (waitMs <= 0) continue;
        const controller = new AbortController();
        this.pumpSleep = controller;
        try {
          // "Until a reply says more" still wakes after a while, in case the reply never comes.
          await this.clock.sleep(Number.isFinite(waitMs) ? waitMs : 60_000, controller.signal);
        } catch {
          // Woken by a reply or because the queue emptied; the loop re-evaluates.
        } finally {
          this.pumpSleep = undefined;
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}

const noGrant: LimiterGrant = { settle: () => {} };

/** For tests and for callers that deliberately run without a client-side budget. */
export const noRateLimit: RequestLimiter = {
  acquire: (signal) => (signal?.aborted ? Promise.reject(abortReason(signal)) : Promise.resolve(noGrant)),
  holdFor: () => {},
};
