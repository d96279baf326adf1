/**
 * Platforms that keep one retry interval (CXone's minimumRetryMinutes, Genesys Cloud's
 * minutesBetweenAttempts) can only hold retries at [d, 2d, 3d, …] after the first call.
 */

/** d when intervals are exactly [d, 2d, …, nd] with d ≥ 1; undefined otherwise (or when empty). */
export function evenSpacing(intervals: readonly number[]): number | undefined {
  const d = intervals[0];
  if (d === undefined || !Number.isInteger(d) || d < 1) return undefined;
  return intervals.every((v, i) => v === (i + 1) * d) ? d : undefined;
}

/** The schedule [d, 2d, …, nd] a single interval d gives n retries. */
export function evenSchedule(retries: number, d: number): number[] {
  return Array.from({ length: retries }, (_, i) => (i + 1) * d);
}

/**
 * Why a retry schedule cannot be held as one interval, or undefined when it can (then `spacing` is d, or
 * undefined for no retries). `holder` says in the platform's words where the single interval lives.
 */
export function unevenRetryRefusal(
  retry: { maxAttempts: number; intervalMinutes: readonly number[] },
  holder: string,
): { field: string; message: string } | undefined {
  if (retry.maxAttempts !== retry.intervalMinutes.length) {
    return {
      field: "retrySettings.maxAttempts",
      message: `maxAttempts ${retry.maxAttempts} does not match ${retry.intervalMinutes.length} interval(s)`,
    };
  }
  if (retry.maxAttempts > 0 && evenSpacing(retry.intervalMinutes) === undefined) {
    return {
      field: "retrySettings.intervalMinutes",
      message: `${holder}, so only evenly spaced retries [d, 2d, 3d, …] can be written exactly; got [${retry.intervalMinutes.join(", ")}]`,
    };
  }
  return undefined;
}
