/**
 * The comparison strategy of the apply benchmark: what a "bulk update campaigns with the REST API" tutorial
 * does. One campaign at a time: GET it, PATCH the desired fields with the revision just read, next. There
 * is no client-side budget (the driver gets `noRateLimit`), so the only defence against the platform's
 * limit is the driver's reactive retry: a 429, sleep Retry-After (+ jitter), try again.
 *
 * It keeps no journal and does no validation or merging; that only makes it cheaper per campaign, so
 * whatever it loses in the benchmark is lost to the request pattern, not to bookkeeping.
 */
import type { Clock } from "../clock/clock.js";
import type { PartialRules } from "../domain/rules.js";
import type { Platform } from "../platform/platform.js";

export interface NaiveCampaignResult {
  id: string;
  ok: boolean;
  /** Clock time from the GET being issued to the PATCH being answered (retries included). */
  latencyMs: number;
  error?: string;
}

/**
 * Sequential GET + PATCH per campaign id. `ids` come from outside (the tutorial's CSV of campaign ids), so
 * unlike the engine this strategy sends no list request at all.
 */
export async function naiveApply(
  platform: Platform,
  ids: readonly string[],
  desired: PartialRules,
  clock: Clock,
): Promise<NaiveCampaignResult[]> {
  const results: NaiveCampaignResult[] = [];
  for (const id of ids) {
    const started = clock.now();
    try {
      const current = await platform.getCampaign(id);
      await platform.updateRules(id, current.revision, desired);
      results.push({ id, ok: true, latencyMs: clock.now() - started });
    } catch (err) {
      // The tutorial logs and moves on; a failure is counted, not retried by hand.
      results.push({
        id,
        ok: false,
        latencyMs: clock.now() - started,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return results;
}
