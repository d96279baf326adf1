/**
 * The webhook outbox. Rows are written with their audit record; workers lease them. A lease (claimed_by,
 * claimed_until) is taken in a write transaction (PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent workers
 * pass over each other's rows instead of waiting), and the HTTP request happens outside any transaction. A
 * worker that dies leaves a lease that simply expires.
 */
import { type Kysely, type Selectable, sql } from "kysely";
import type { Clock } from "../clock/clock.js";
import type { Backend } from "./backend.js";
import { sha256Hex } from "./canonical.js";
import type { Database, OutboxTable } from "./schema.js";
import type { EndpointState, OutboxRow, OutboxStats, OutboxStatus, OutboxStore } from "./types.js";

function toRow(r: Selectable<OutboxTable>): OutboxRow {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    auditId: r.audit_id,
    seq: Number(r.seq),
    campaignId: r.campaign_id,
    eventType: r.event_type,
    payload: r.payload,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    status: r.status as OutboxStatus,
    lastError: r.last_error,
    lastStatus: n(r.last_status),
    claimedBy: r.claimed_by,
    claimedUntil: n(r.claimed_until),
    createdAt: Number(r.created_at),
    deliveredAt: n(r.delivered_at),
  };
}

/** Webhook URLs may carry credentials (user info, query tokens, secret path segments): keep only the origin. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "/" : "/…"}`;
  } catch {
    return "(invalid URL)";
  }
}

export const endpointKey = (url: string): string => sha256Hex(`webhook-endpoint:${url}`);

/** Pending rows that are the oldest pending row of their campaign: the only ones that may be delivered. */
function heads(db: Kysely<Database>) {
  return db
    .selectFrom("outbox as o")
    .where("o.status", "=", "pending")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("outbox as p")
            .select(sql.lit(1).as("one"))
            .whereRef("p.campaign_id", "=", "o.campaign_id")
            .where("p.status", "=", "pending")
            .whereRef("p.seq", "<", "o.seq"),
        ),
      ),
    );
}

export function createOutboxStore(backend: Backend, clock: Clock): OutboxStore {
  const { db } = backend;
  const count = async (q: Promise<{ c: string | number | bigint } | undefined>) => Number((await q)?.c ?? 0);

  const claiming: Pick<OutboxStore, "claim" | "markDelivered" | "markDeliveredMany"> = {
    claim: ({ workerId, now, leaseMs, limit }) =>
      backend.write(async (trx) => {
        const candidates = await heads(trx)
          .select("o.audit_id")
          .where("o.next_attempt_at", "<=", now)
          .where(({ or, eb }) => or([eb("o.claimed_until", "is", null), eb("o.claimed_until", "<=", now)]))
          .orderBy("o.seq")
          .limit(limit)
          .$if(backend.kind === "postgres", (q) => q.forUpdate().skipLocked())
          .execute();
        if (candidates.length === 0) return [];
        const ids = candidates.map((c) => c.audit_id);
        await trx
          .updateTable("outbox")
          .set({ claimed_by: workerId, claimed_until: now + leaseMs })
          .where("audit_id", "in", ids)
          .execute();
        const rows = await trx
          .selectFrom("outbox")
          .selectAll()
          .where("audit_id", "in", ids)
          .orderBy("seq")
          .execute();
        return rows.map(toRow);
      }),

    markDelivered: async (auditId, now) => {
      await markDeliveredMany([auditId], now);
    },

    markDeliveredMany,
  };

  async function markDeliveredMany(auditIds: readonly string[], now: number): Promise<void> {
    if (auditIds.length === 0) return;
    await backend.write((trx) =>
      trx
        .updateTable("outbox")
        .set((eb) => ({
          status: "delivered",
          delivered_at: now,
          attempts: eb("attempts", "+", 1),
          last_error: null,
          claimed_by: null,
          claimed_until: null,
        }))
        .where("audit_id", "in", auditIds)
        .where("status", "=", "pending")
        .execute(),
    );
  }

  const rest: Omit<OutboxStore, "claim" | "markDelivered" | "markDeliveredMany"> = {
    markFailed: async (auditId, workerId, failure) => {
      const result = await backend.write((trx) =>
        trx
          .updateTable("outbox")
          .set((eb) => ({
            status: failure.dead ? "dead" : "pending",
            attempts: eb("attempts", "+", 1),
            last_error: failure.error.slice(0, 500),
            last_status: failure.status ?? null,
            next_attempt_at: failure.nextAttemptAt,
            claimed_by: null,
            claimed_until: null,
          }))
          .where("audit_id", "=", auditId)
          .where("status", "=", "pending")
          .where("claimed_by", "=", workerId)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    release: async (auditId, workerId) => {
      await backend.write((trx) =>
        trx
          .updateTable("outbox")
          .set({ claimed_by: null, claimed_until: null })
          .where("audit_id", "=", auditId)
          .where("claimed_by", "=", workerId)
          .execute(),
      );
    },

    retry: (auditId, now) =>
      backend.write(async (trx) => {
        // A row a worker is delivering right now is left alone: resetting it could send it twice at once.
        await trx
          .updateTable("outbox")
          .set({
            status: "pending",
            attempts: 0,
            next_attempt_at: now,
            last_error: null,
            claimed_by: null,
            claimed_until: null,
            delivered_at: null,
          })
          .where("audit_id", "=", auditId)
          .where(({ or, eb }) =>
            or([
              eb("status", "!=", "pending"),
              eb("claimed_until", "is", null),
              eb("claimed_until", "<=", now),
            ]),
          )
          .execute();
        const row = await trx
          .selectFrom("outbox")
          .selectAll()
          .where("audit_id", "=", auditId)
          .executeTakeFirst();
        return row ? toRow(row) : null;
      }),

    get: async (auditId) => {
      const row = await db
        .selectFrom("outbox")
        .selectAll()
        .where("audit_id", "=", auditId)
        .executeTakeFirst();
      return row ? toRow(row) : null;
    },

    list: async (query = {}) => {
      let q = db.selectFrom("outbox").selectAll().orderBy("seq");
      if (query.status) q = q.where("status", "=", query.status);
      if (query.limit !== undefined) q = q.limit(query.limit);
      return (await q.execute()).map(toRow);
    },

    stats: async (now): Promise<OutboxStats> => {
      const c = () => db.selectFrom("outbox").select((eb) => eb.fn.countAll().as("c"));
      const unclaimed = c()
        .where("status", "=", "pending")
        .where(({ or, eb }) => or([eb("claimed_until", "is", null), eb("claimed_until", "<=", now)]));
      const [pending, due, retrying, inFlight, delivered, dead] = await Promise.all([
        count(c().where("status", "=", "pending").executeTakeFirst()),
        count(unclaimed.where("next_attempt_at", "<=", now).executeTakeFirst()),
        count(c().where("status", "=", "pending").where("attempts", ">", 0).executeTakeFirst()),
        count(c().where("status", "=", "pending").where("claimed_until", ">", now).executeTakeFirst()),
        count(c().where("status", "=", "delivered").executeTakeFirst()),
        count(c().where("status", "=", "dead").executeTakeFirst()),
      ]);
      const oldest = await db
        .selectFrom("outbox")
        .select("created_at")
        .where("status", "=", "pending")
        .orderBy("seq")
        .limit(1)
        .executeTakeFirst();
      const failure = await db
        .selectFrom("outbox")
        .select(["audit_id", "last_error", "last_status", "attempts"])
        .where("status", "!=", "delivered")
        .where("last_error", "is not", null)
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirst();
      return {
        pending,
        due,
        retrying,
        inFlight,
        delivered,
        dead,
        oldestPendingAt: oldest ? Number(oldest.created_at) : null,
        lastFailure: failure
          ? {
              auditId: failure.audit_id,
              error: failure.last_error ?? "",
              status: failure.last_status === null ? null : Number(failure.last_status),
              attempts: Number(failure.attempts),
            }
          : null,
      };
    },

    nextDueAt: async () => {
      const row = await heads(db)
        .select(
          sql<
            number | string | null
          >`min(case when o.claimed_until is not null and o.claimed_until > o.next_attempt_at
            then o.claimed_until else o.next_attempt_at end)`.as("t"),
        )
        .executeTakeFirst();
      return row?.t === null || row?.t === undefined ? null : Number(row.t);
    },

    endpoint: async (url): Promise<EndpointState> => {
      const row = await db
        .selectFrom("webhook_endpoints")
        .selectAll()
        .where("url_key", "=", endpointKey(url))
        .executeTakeFirst();
      if (!row) return { displayUrl: displayUrl(url), state: "active", reason: null, changedAt: null };
      return {
        displayUrl: row.display_url,
        state: row.state === "disabled" ? "disabled" : "active",
        reason: row.reason,
        changedAt: row.changed_at,
      };
    },

    setEndpointState: async (url, state, reason) => {
      const values = {
        url_key: endpointKey(url),
        display_url: displayUrl(url),
        state,
        reason,
        changed_at: new Date(clock.now()).toISOString(),
      };
      await backend.write((trx) =>
        trx
          .insertInto("webhook_endpoints")
          .values(values)
          .onConflict((oc) =>
            oc.column("url_key").doUpdateSet({ state, reason, changed_at: values.changed_at }),
          )
          .execute(),
      );
    },
  };
  return { ...claiming, ...rest };
}
