/**
 * The configured platform budget's bucket in the database the command already opens: a `plan` and the
 * `apply` after it, or several `serve` replicas, draw on one bucket per credential, so together they never
 * spend more than the platform grants. Each take is one short transaction (SQLite: the write lock;
 * PostgreSQL: the row locked FOR UPDATE); the arithmetic is src/domain/budget-bucket.ts.
 */
import {
  type BucketParams,
  type BucketState,
  type BudgetLedger,
  holdBucket,
  takeFromBucket,
} from "../domain/budget-bucket.js";
import type { Backend } from "./backend.js";

/** Keys name credentials (token URL + client id); a digest keeps them short and free of anything odd. */
const MAX_KEY_LENGTH = 500;

export function createRateLedger(backend: Backend): BudgetLedger {
  async function update(
    key: string,
    now: number,
    params: BucketParams,
    step: (state: BucketState | undefined) => BucketState,
  ): Promise<void> {
    const k = key.slice(0, MAX_KEY_LENGTH);
    await backend.write(async (trx) => {
      if (backend.kind === "postgres") {
        // The row must exist to be locked: two replicas' first takes would otherwise both insert.
        await trx
          .insertInto("rate_budget")
          .values({ key: k, level: params.cap, at: now, held_until: 0 })
          .onConflict((oc) => oc.column("key").doNothing())
          .execute();
      }
      const row = await trx
        .selectFrom("rate_budget")
        .selectAll()
        .where("key", "=", k)
        .$if(backend.kind === "postgres", (q) => q.forUpdate())
        .executeTakeFirst();
      const next = step(
        row ? { level: Number(row.level), at: Number(row.at), heldUntil: Number(row.held_until) } : undefined,
      );
      await trx
        .insertInto("rate_budget")
        .values({ key: k, level: next.level, at: next.at, held_until: next.heldUntil })
        .onConflict((oc) =>
          oc.column("key").doUpdateSet({ level: next.level, at: next.at, held_until: next.heldUntil }),
        )
        .execute();
    });
  }

  return {
    async take(key, wanted, now, params) {
      let result = { granted: 0, retryAt: now };
      await update(key, now, params, (state) => {
        const taken = takeFromBucket(state, wanted, now, params);
        result = taken.result;
        return taken.state;
      });
      return result;
    },
    hold: (key, until, now, params) =>
      update(key, now, params, (state) => holdBucket(state, until, now, params)),
  };
}
