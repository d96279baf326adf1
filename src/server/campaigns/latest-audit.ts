/**
 * The latest audit record of every campaign, kept in memory and moved forward by sequence number: loaded
 * once (one GROUP BY over the trail, at the first request), then each read asks only for the records after
 * the newest one it holds — an indexed range on the primary key that is empty almost always. Records written
 * by another replica are picked up the same way, so the index is never behind the database it reads.
 *
 * Sequence numbers are handed out under the chain lock and committed in that order, so "after the newest
 * seen" never skips a record that commits later.
 */
import { rowToRecord } from "../../store/records.js";
import type { AuditRecord } from "../../store/types.js";
import type { ServiceDatabase } from "../db.js";

/** Records read per catch-up query (a long-idle replica catches up in a few of them). */
const CATCH_UP_PAGE = 5_000;

export interface LatestAudit {
  /**
   * The index as of now; `head` is the newest sequence number seen (0 for an empty trail), `written` counts
   * the campaign records seen since the index was loaded (a rise means some replica wrote to a campaign).
   */
  current(): Promise<{ head: number; written: number; latest: ReadonlyMap<string, AuditRecord> }>;
}

export function createLatestAudit(sdb: ServiceDatabase): LatestAudit {
  const latest = new Map<string, AuditRecord>();
  let head = -1;
  let written = 0;
  let inflight: Promise<void> | undefined;

  const keep = (record: AuditRecord, loading = false) => {
    if (!loading && record.campaignId !== "") written++;
    // Run summaries, checkpoints and change decisions belong to no campaign.
    if (record.campaignId !== "") latest.set(record.campaignId, record);
    head = Math.max(head, record.seq);
  };

  async function load(): Promise<void> {
    const newest = sdb.db
      .selectFrom("audit")
      .select(["campaign_id", sdb.db.fn.max("seq").as("max_seq")])
      .where("campaign_id", "!=", "")
      .groupBy("campaign_id")
      .as("newest");
    const [rows, top] = await Promise.all([
      sdb.db
        .selectFrom("audit")
        .innerJoin(newest, "newest.max_seq", "audit.seq")
        .selectAll("audit")
        .execute(),
      sdb.db.selectFrom("audit").select(sdb.db.fn.max("seq").as("seq")).executeTakeFirst(),
    ]);
    for (const row of rows) keep(rowToRecord(row), true);
    // The head is the trail's, not the newest campaign record's: catching up starts after it.
    head = Math.max(0, head, Number(top?.seq ?? 0));
  }

  async function catchUp(): Promise<void> {
    for (;;) {
      const rows = await sdb.db
        .selectFrom("audit")
        .selectAll()
        .where("seq", ">", head)
        .orderBy("seq", "asc")
        .limit(CATCH_UP_PAGE)
        .execute();
      for (const row of rows) keep(rowToRecord(row));
      if (rows.length < CATCH_UP_PAGE) return;
    }
  }

  return {
    async current() {
      // One query in flight however many requests ask at once.
      inflight ??= (head < 0 ? load() : catchUp()).finally(() => {
        inflight = undefined;
      });
      await inflight;
      return { head, written, latest };
    },
  };
}
