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
