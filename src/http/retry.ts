/**
 * Retry schedule: exponential backoff with full jitter (delay uniform in [0, min(cap, base·2^n)], so many
 * clients that failed together do not retry together), bounded attempts, `Retry-After` honoured, every
 * wait on the injected Clock and abortable.
 *
 * Which failures are worth retrying is decided by the caller (see client.ts): a write must never be sent
 * twice when the first copy may have been applied.
 */
import type { Clock } from "../clock/clock.js";

export interface RetryPolicy {
  /** First backoff ceiling. */
  baseMs: number;
  /** Largest backoff ceiling. */
  capMs: number;
  /** Total attempts including the first. */
  maxAttempts: number;
  /**
   * Longest Retry-After we are willing to sleep. A longer one ends the retries at once: waiting less than
   * the server asked would only earn another 429.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 250,
  capMs: 30_000,
  maxAttempts: 6,
  maxRetryAfterMs: 120_000,
};

/** A source of uniform numbers in [0, 1); injectable so tests can pin the jitter. */
export type RandomSource = () => number;

/** Full-jitter delay before retry number `retry` (0 for the first retry). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: RandomSource): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry));
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` as milliseconds from `nowMs`: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date always names its weekday and month; this keeps Date.parse from reading "-3" as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** What one attempt produced, as far as retrying is concerned. */
export type AttemptOutcome<T> =
  | { kind: "done"; value: T }
  /** Worth another attempt; `error` is what to throw if none is left. */
  | { kind: "retry"; error: Error; status: number | "network"; retryAfterMs?: number; immediate?: boolean }
  | { kind: "fail"; error: Error };

export interface RetryOptions {
  clock: Clock;
  random: RandomSource;
  policy: RetryPolicy;
  signal?: AbortSignal;
  onRetry?: (e: { status: number | "network"; delayMs: number; attempt: number }) => void;
}

/**
 * Runs `attempt` until it is done, fails, or the policy runs out. `attempt` receives the 1-based attempt
 * number. An `immediate` retry (a token refresh after 401) sleeps 0 but still counts as an attempt.
 */
export async function runWithRetry<T>(
  attempt: (n: number) => Promise<AttemptOutcome<T>>,
  options: RetryOptions,
): Promise<T> {
  const { clock, random, policy, signal } = options;
  let backoffs = 0;
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    const outcome = await attempt(n);
    if (outcome.kind === "done") return outcome.value;
    if (outcome.kind === "fail") throw outcome.error;
    const tooLong = outcome.retryAfterMs !== undefined && outcome.retryAfterMs > policy.maxRetryAfterMs;
    if (n >= policy.maxAttempts || tooLong) throw outcome.error;
    let delayMs = 0;
    if (!outcome.immediate) {
      const jitter = backoffDelay(backoffs++, policy, random);
      // At least what the server asked; the jitter on top keeps concurrent retries from landing together.
      delayMs =
        outcome.retryAfterMs === undefined
          ? jitter
          : outcome.retryAfterMs + Math.floor(random() * policy.baseMs);
    }
    options.onRetry?.({ status: outcome.status, delayMs, attempt: n });
    if (delayMs > 0) await clock.sleep(delayMs, signal);
  }
}
