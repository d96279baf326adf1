/**
 * The configured request budget as a token bucket whose state can live anywhere: in this process
 * (`memoryLedger`), or in the database the command already opens (src/store/rate-ledger.ts), so a `plan`
 * followed by an `apply`, or two `serve` replicas, spend one bucket between them instead of one each.
 *
 * The arithmetic is here, once; a ledger only stores `BucketState` and runs `takeFromBucket` atomically.
 */

export interface BucketState {
  /** Requests that may go now, as of `at` (fractional: it refills continuously). */
  level: number;
  /** Epoch ms of `level`. */
  at: number;
  /** Epoch ms before which nothing may go (a 429's Retry-After, for every sharer of the bucket). */
  heldUntil: number;
}

export interface BucketParams {
  /** Largest level: the burst that may go at once after idle time. */
  cap: number;
  /** Refill per millisecond. */
  perMs: number;
}

export interface TakeResult {
  granted: number;
  /** When to ask again if fewer than wanted were granted. */
  retryAt: number;
}

const EPSILON = 1e-9;

function refilled(state: BucketState | undefined, now: number, p: BucketParams): BucketState {
  if (state === undefined) return { level: p.cap, at: now, heldUntil: 0 };
  // A clock that went backwards (another machine's, in a shared database) refills nothing.
  const elapsed = Math.max(0, now - state.at);
  return {
    level: Math.min(p.cap, state.level + elapsed * p.perMs),
    at: Math.max(now, state.at),
    heldUntil: state.heldUntil,
  };
}

/** Takes up to `wanted` whole units. Pure: the caller stores the returned state. */
export function takeFromBucket(
  previous: BucketState | undefined,
  wanted: number,
  now: number,
  p: BucketParams,
): { state: BucketState; result: TakeResult } {
  const state = refilled(previous, now, p);
  if (now < state.heldUntil) return { state, result: { granted: 0, retryAt: state.heldUntil } };
  const granted = Math.max(0, Math.min(wanted, Math.floor(state.level + EPSILON)));
  state.level -= granted;
  // Never "retry now" after a refusal: float error must not turn a wait into a busy loop.
  const retryAt = granted < wanted ? now + Math.max(0.001, (1 - state.level) / p.perMs) : now;
  return { state, result: { granted, retryAt } };
}

/** Empties the bucket and holds it until `until` (a 429: the server's bucket is empty whatever we thought). */
export function holdBucket(
  previous: BucketState | undefined,
  until: number,
  now: number,
  p: BucketParams,
): BucketState {
  const state = refilled(previous, now, p);
  return { level: Math.min(state.level, 0), at: state.at, heldUntil: Math.max(state.heldUntil, until) };
}

/** Where the configured budget's bucket is kept. Results may be synchronous (memory) or not (a database). */
export interface BudgetLedger {
  take(key: string, wanted: number, now: number, params: BucketParams): TakeResult | Promise<TakeResult>;
  hold(key: string, until: number, now: number, params: BucketParams): void | Promise<void>;
}

/** The bucket in this process only. */
export function memoryLedger(): BudgetLedger {
  const states = new Map<string, BucketState>();
  return {
    take(key, wanted, now, params) {
      const { state, result } = takeFromBucket(states.get(key), wanted, now, params);
      states.set(key, state);
      return result;
    },
    hold(key, until, now, params) {
      states.set(key, holdBucket(states.get(key), until, now, params));
    },
  };
}
