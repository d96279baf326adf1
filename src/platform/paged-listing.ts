/**
 * The remaining pages of a listing, fetched concurrently once the first page has said how many there are.
 * Every request still goes through the driver's HTTP client, so the shared limiter decides when each may
 * go: concurrency here only stops a listing from idling while one page after another crosses the network
 * (issue 17 §3: `plan` of 50,000 campaigns spent 17 % of its time idle between strictly sequential pages).
 *
 * The result is in page order, so a caller that merges pages in that order ("the later copy wins") gets
 * exactly what sequential paging gives. The first page to fail aborts the pages still in flight or not
 * started, and the listing fails with that page's error: a listing is all or nothing.
 */

/** Pages in flight at once; the limiter still spaces them to the budget. */
export const LISTING_CONCURRENCY = 8;

/**
 * Fetches page `first`…`last` (inclusive) with at most `concurrency` in flight, each started in page
 * order; resolves to the pages in order. `fetchPage` gets a signal aborted when the listing fails or
 * `signal` aborts.
 */
export async function fetchPages<P>(
  first: number,
  last: number,
  fetchPage: (page: number, signal: AbortSignal) => Promise<P>,
  options: { signal: AbortSignal; concurrency?: number },
): Promise<P[]> {
  const count = Math.max(0, last - first + 1);
  if (count === 0) return [];
  options.signal.throwIfAborted();
  const failed = new AbortController();
  const signal = AbortSignal.any([options.signal, failed.signal]);
  const results = new Array<P>(count);
  let next = 0;
  let firstError: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < count && firstError === undefined && !signal.aborted) {
      const index = next++;
      try {
        results[index] = await fetchPage(first + index, signal);
      } catch (error) {
        // The first failure is the listing's; the aborts it causes in other pages are not.
        if (firstError === undefined) {
          firstError = { error };
          failed.abort(error);
        }
        return;
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? LISTING_CONCURRENCY, count));
  await Promise.all(Array.from({ length: workers }, worker));
  if (firstError !== undefined) throw firstError.error;
  options.signal.throwIfAborted();
  return results;
}
