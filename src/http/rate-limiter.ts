/**
 * Client-side request budget on an injected Clock, with a FIFO queue of waiters. Two sources of truth:
 *
 * 1. **What the platform says** (rate-headers.ts: IETF RateLimit, X-RateLimit-*, Genesys inin-ratelimit-*).
 *    Once a reply states the remaining budget, the limiter keeps a lower bound on what the server still
 *    accepts and never sends beyond it: `remaining − requests in flight − requests that overlapped this one`
 *    (an overlapping request may have been counted after the reply was written) − a reserve of one, so a
 *    draining bucket is not run dry. The bound grows again only from the stated reset on, at 99 % of the
 *    policy's rate: exact for a token bucket (which states a reset of 0 while it holds a unit), cautious
 *    for a fixed window (whose reset is the window's end). When the bound is spent and nothing is in
 *    flight, it waits for the reset and sends a single probe whose reply states the budget again. So a full
 *    bucket is spent at once and the refill is used as it comes. A server whose headers are contradicted
 *    by a 429 twice is not believed again; the configured budget takes over.
 * 2. **The configured budget** (`perMinute`, `burst`), where the platform sends no headers (CXone): a token
 *    bucket of `burst` refilling at 97 % of the rate. Its state is kept by a `BudgetLedger`: in memory, or
 *    in the database the command already opens, so the requests of a previous `plan`, or of another
 *    replica, count against the same bucket (src/domain/budget-bucket.ts).
 *
 * On a 429 the rate is halved (multiplicative decrease, down to a tenth) and the bucket emptied; every
 * later successful reply adds a little back (additive increase), so a budget shared with unknown other
 * clients settles below what they leave over.
 *
 * Written here rather than taken from `bottleneck` or `rate-limiter-flexible`: both read the wall clock
 * directly and cannot take an injected Clock, which every time-dependent part of dialrules needs.
 */
import type { Clock } from "../clock/clock.js";
import {
  type BucketParams,
  type BudgetLedger,
  memoryLedger,
  type TakeResult,
} from "../domain/budget-bucket.js";
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
  /**
   * Requests that would be granted now without waiting, beyond those already queued; undefined when not
   * known without spending (a budget kept in a shared ledger). Lets a caller size its concurrency.
   */
  room?(): number | undefined;
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
/** Units left unspent from a stated level, so a draining bucket does not reach zero. */
const RESERVE = 1;
const MIN_MULTIPLIER = 0.1;
const CONTRADICTIONS_BEFORE_DISTRUST = 2;
const EPSILON = 1e-9;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** The budget the platform stated, kept in this process (it is about this client's view of the server). */
interface StatedBudget {
  /** Lower bound on what the server accepts, as of `at`. */
  bound: number;
  at: number;
  /** When more quota is available again: the bound grows only from then on. */
  resetAt: number;
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
  private ledger: BudgetLedger;
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

  room(): number | undefined {
    const now = this.clock.now();
    if (now < this.heldUntil) return 0;
    const s = this.stated;
    if (s === undefined) return undefined;
    // what fromStated would find, without taking anything
    const growing = Math.max(0, now - Math.max(s.at, s.resetAt));
    const bound = Math.min(s.cap, s.bound + growing * s.perMs * this.multiplier);
    return Math.max(0, Math.floor(bound + EPSILON) - this.queue.length);
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
    void Promise.resolve(this.ledger.hold(this.key, now + ms, now, this.bucketParams())).catch(
      () => undefined,
    );
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
        this.stated.at = now;
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
      bound: Math.min(cap, bound - RESERVE),
      at: now,
      resetAt: now + obs.resetMs,
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
    const perMs = s.perMs * this.multiplier;
    const growing = Math.max(0, now - Math.max(s.at, s.resetAt));
    s.bound = Math.min(s.cap, s.bound + growing * perMs);
    s.at = Math.max(now, s.at);
    const probe = s.bound < 1 - EPSILON && now >= s.resetAt && this.inFlight === 0;
    if (s.bound >= 1 - EPSILON || probe) {
      s.bound = Math.max(0, s.bound - 1);
      this.grant(this.queue.shift() as Waiter, now, !probe);
      return 0;
    }
    if (now < s.resetAt) return this.inFlight > 0 ? Math.max(1, s.resetAt - now) : s.resetAt - now;
    // Past the reset with requests in flight: their replies, or the refill, whichever says more first.
    return Math.max(0.001, (1 - s.bound) / perMs);
  }

  private async fromLedger(now: number): Promise<number> {
    let result: TakeResult;
    try {
      const pending = this.ledger.take(this.key, this.queue.length, now, this.bucketParams());
      result = pending instanceof Promise ? await pending : pending;
    } catch {
      // The database holding the shared bucket failed (closed, unreachable): keep to the budget in this
      // process rather than stall every request.
      this.ledger = memoryLedger();
      return 0;
    }
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

/**
 * What a composition root passes to its drivers: limiters of their configured budgets on one clock and,
 * when it has a database, that database's ledger.
 */
export function limiterFactory(shared: {
  clock: Clock;
  ledger?: BudgetLedger;
  observer?: HttpObserver;
}): (budget: { key: string; perMinute: number; burst?: number }) => RateLimiter {
  return (budget) =>
    new RateLimiter({
      perMinute: budget.perMinute,
      key: budget.key,
      clock: shared.clock,
      ...(budget.burst === undefined ? {} : { burst: budget.burst }),
      ...(shared.ledger ? { ledger: shared.ledger } : {}),
      ...(shared.observer ? { observer: shared.observer } : {}),
    });
}
