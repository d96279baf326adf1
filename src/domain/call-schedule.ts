/**
 * The call schedule a retry setting produces for one contact, and sliding-window counts over it.
 * First call at minute 0; retry i+1 at intervalMinutes[i] (minutes after the first call).
 */
import type { RetrySettings } from "./rules.js";

/** Attempt times in minutes, sorted ascending (a non-increasing list is reported elsewhere; counting still works). */
export function attemptTimes(retry: Pick<RetrySettings, "intervalMinutes">): number[] {
  return [0, ...retry.intervalMinutes].sort((a, b) => a - b);
}

export interface WindowCount {
  /** Most attempts inside any window [start, start + windowMinutes). */
  count: number;
  /** The attempt times in that busiest window. */
  times: number[];
}

/**
 * Busiest half-open window of `windowMinutes` over sorted attempt times. Half-open because "7 consecutive
 * days" starting at minute 0 ends before minute 7 × 1440: a call at exactly minute 10080 is on day 8.
 * Windows starting at an attempt suffice: sliding a window left until its start hits an attempt never
 * loses one. Two pointers: O(n).
 */
export function busiestWindow(times: readonly number[], windowMinutes: number): WindowCount {
  let best: WindowCount = { count: 0, times: [] };
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    const from = times[start] as number;
    if (end < start) end = start;
    while (end < times.length && (times[end] as number) < from + windowMinutes) end++;
    if (end - start > best.count) best = { count: end - start, times: times.slice(start, end) };
  }
  return best;
}
