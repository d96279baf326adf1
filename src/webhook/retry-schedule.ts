/** When to try a failed delivery again. */

const S = 1000;
const M = 60 * S;
const H = 60 * M;

/** Delay before retry n (index n-1) after the n-th failed attempt; after the last, the row is dead-lettered. */
export const RETRY_SCHEDULE_MS: readonly number[] = [5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, 10 * H];

/** Up to this fraction of the delay is added at random, so a receiver's recovery is not met by a stampede. */
export const JITTER_FRACTION = 0.1;

/** A Retry-After longer than this is capped: a broken header must not park a record for days. */
export const MAX_RETRY_AFTER_MS = 24 * H;

/** Seconds or an HTTP date; null when absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/**
 * The decision after `failedAttempts` failures (this one included): dead, or the time of the next attempt —
 * the schedule step plus jitter, but never earlier than the receiver's Retry-After.
 */
export function nextAttempt(
  failedAttempts: number,
  now: number,
  random: () => number,
  retryAfterMs: number | null,
  schedule: readonly number[] = RETRY_SCHEDULE_MS,
): { dead: true } | { dead: false; at: number; delayMs: number } {
  const step = schedule[failedAttempts - 1];
  if (step === undefined) return { dead: true };
  const jittered = step + Math.floor(random() * step * JITTER_FRACTION);
  const delayMs = Math.max(jittered, retryAfterMs ?? 0);
  return { dead: false, at: now + delayMs, delayMs };
}
