/**
 * Per-campaign write serialisation. Every apply chunk holds the locks of its campaigns while it reconciles and
 * writes them, so two jobs (on any replicas) never write one campaign at the same time, and an in-doubt
 * journal entry of a locked campaign can only belong to a process that died.
 *  - PostgreSQL: session advisory locks on one pooled connection held for the chunk. A replica killed with
 *    `kill -9` loses its connection and PostgreSQL releases its locks at once: no lease to expire.
 *  - SQLite (one replica): an in-process keyed mutex.
 * Locks are taken in sorted key order, so two chunks that share campaigns cannot deadlock.
 */
import pg from "pg";
import { sha256Hex } from "../../store/canonical.js";

export interface CampaignLocks {
  withLocks<T>(campaignIds: readonly string[], fn: () => Promise<T>): Promise<T>;
}

/** 64-bit signed advisory-lock key of one campaign within one schema. */
export function campaignLockKey(schema: string, campaignId: string): string {
  return BigInt.asIntN(
    64,
    BigInt(`0x${sha256Hex(`dialrules.campaign:${schema}:${campaignId}`).slice(0, 16)}`),
  ).toString();
}

/**
 * Each holder gets its own connection, outside every pool: a holder waiting for a campaign must never take
 * the pool connection that the current owner of that campaign needs to record its results.
 */
export function postgresLocks(connectionString: string, schema: string): CampaignLocks {
  return {
    async withLocks(campaignIds, fn) {
      const client = new pg.Client({ connectionString, application_name: "dialrules-campaign-locks" });
      client.on("error", () => undefined);
      await client.connect();
      try {
        const keys = [...new Set(campaignIds.map((id) => campaignLockKey(schema, id)))].sort();
        for (const key of keys) await client.query("SELECT pg_advisory_lock($1::bigint)", [key]);
        return await fn();
      } finally {
        // Ending the session releases every advisory lock it holds.
        await client.end().catch(() => undefined);
      }
    },
  };
}

export function localLocks(): CampaignLocks {
  const tails = new Map<string, Promise<void>>();
  const lockOne = async (id: string): Promise<() => void> => {
    const previous = tails.get(id) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    tails.set(id, tail);
    await previous;
    return () => {
      release();
      if (tails.get(id) === tail) tails.delete(id);
    };
  };
  return {
    async withLocks(campaignIds, fn) {
      const releases: (() => void)[] = [];
      try {
        for (const id of [...new Set(campaignIds)].sort()) releases.push(await lockOne(id));
        return await fn();
      } finally {
        for (const release of releases.reverse()) release();
      }
    },
  };
}
