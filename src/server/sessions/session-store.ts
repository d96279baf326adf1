/**
 * Dashboard sign-ins. The cookie holds an opaque random session id (never the API token); only its SHA-256 is
 * stored, with the session's own CSRF token. A session ends after IDLE_MS without a request, ABSOLUTE_MS
 * after sign-in, on sign-out, and as soon as its API token is revoked (checked on every request). Any
 * replica serves any session: the state is in the shared database.
 */
import { randomBytes } from "node:crypto";
import type { DashboardSession, Principal } from "../contract.js";
import type { ServiceDatabase } from "../db.js";
import { canonicalIdentity, displayName } from "../tokens/identity.js";
import { hashToken, isRole, MAX_TOKEN_LENGTH } from "../tokens/token-store.js";

export const SESSION_PREFIX = "drs_";
/** Half an hour without a request signs a person out. */
export const IDLE_MS = 30 * 60 * 1000;
/** A working day at most, however active. */
export const ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Last-seen is written at most this often (a page view is not a write each time). */
const TOUCH_MS = 60 * 1000;

export function createSessionStore(sdb: ServiceDatabase, now: () => number) {
  const { db } = sdb;
  return {
    /** A new session for a principal already authenticated by its API token; returns the cookie's id. */
    async open(principal: Principal): Promise<{ id: string; session: DashboardSession }> {
      const id = `${SESSION_PREFIX}${randomBytes(32).toString("base64url")}`;
      const csrf = randomBytes(32).toString("base64url");
      const at = now();
      await sdb.write((trx) =>
        trx
          .insertInto("dashboard_sessions")
          .values({
            id_hash: hashToken(id),
            token_id: principal.tokenId,
            csrf,
            created_at: at,
            last_seen_at: at,
            revoked_at: null,
          })
          .execute(),
      );
      return { id, session: { principal, csrf } };
    },

    /** The live session behind a cookie's id, or undefined (unknown, expired, signed out, token revoked). */
    async resume(id: string): Promise<DashboardSession | undefined> {
      if (!id.startsWith(SESSION_PREFIX) || id.length > MAX_TOKEN_LENGTH) return undefined;
      const row = await db
        .selectFrom("dashboard_sessions as s")
        .innerJoin("api_tokens as t", "t.id", "s.token_id")
        .select([
          "s.id_hash",
          "s.csrf",
          "s.created_at",
          "s.last_seen_at",
          "t.id as token_id",
          "t.name",
          "t.role",
        ])
        .where("s.id_hash", "=", hashToken(id))
        .where("s.revoked_at", "is", null)
        .where("t.revoked_at", "is", null)
        .executeTakeFirst();
      if (!row || !isRole(row.role)) return undefined;
      const at = now();
      if (at - Number(row.last_seen_at) > IDLE_MS || at - Number(row.created_at) > ABSOLUTE_MS)
        return undefined;
      if (at - Number(row.last_seen_at) > TOUCH_MS) {
        await sdb.write((trx) =>
          trx
            .updateTable("dashboard_sessions")
            .set({ last_seen_at: at })
            .where("id_hash", "=", row.id_hash)
            .execute(),
        );
      }
      return {
        csrf: row.csrf,
        principal: {
          actor: displayName(row.name),
          person: canonicalIdentity(row.name),
          role: row.role,
          tokenId: row.token_id,
        },
      };
    },

    async close(id: string): Promise<void> {
      await sdb.write((trx) =>
        trx
          .updateTable("dashboard_sessions")
          .set({ revoked_at: now() })
          .where("id_hash", "=", hashToken(id))
          .where("revoked_at", "is", null)
          .execute(),
      );
    },
  };
}
