/**
 * One migration set for both databases, provided in code (no migration files to ship or find at run time).
 * Column types are chosen to mean the same on both: text, bigint (SQLite: INTEGER affinity), double precision
 * (SQLite: REAL affinity). Only the append-only guards differ, because trigger syntax differs.
 */
import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";

export type DialectKind = "sqlite" | "postgres";

const APPEND_ONLY = "audit records are append-only";

function initial(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("runs")
        .addColumn("run_id", "text", (c) => c.primaryKey())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("platform", "text", (c) => c.notNull())
        .addColumn("source_hash", "text", (c) => c.notNull())
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("finished_at", "text")
        .addColumn("summary", "text")
        .addColumn("interrupted", "integer")
        .execute();

      await db.schema
        .createTable("audit")
        .addColumn("seq", "bigint", (c) => c.primaryKey())
        .addColumn("id", "text", (c) => c.notNull().unique())
        .addColumn("time", "text", (c) => c.notNull())
        .addColumn("prev_hash", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("platform", "text", (c) => c.notNull())
        .addColumn("campaign_id", "text", (c) => c.notNull())
        .addColumn("campaign_name", "text")
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("write_mode", "text")
        .addColumn("revision_before", "bigint")
        .addColumn("revision_after", "bigint")
        .addColumn("rules_before", "text")
        .addColumn("rules_after", "text")
        .addColumn("diff", "text", (c) => c.notNull())
        .addColumn("findings", "text", (c) => c.notNull())
        .addColumn("platform_error", "text")
        .addColumn("conflicts", "text")
        .addColumn("overrides", "text")
        .addColumn("latency_ms", "double precision")
        .addColumn("request_id", "text")
        .execute();
      await db.schema.createIndex("audit_campaign_idx").on("audit").columns(["campaign_id", "seq"]).execute();
      await db.schema.createIndex("audit_run_idx").on("audit").columns(["run_id", "seq"]).execute();
      await db.schema.createIndex("audit_time_idx").on("audit").column("time").execute();

      await db.schema
        .createTable("journal")
        .addColumn("id", "text", (c) => c.primaryKey())
        // No foreign key to runs: an intent must never be lost because a run row is missing.
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("campaign_id", "text", (c) => c.notNull())
        .addColumn("base_revision", "bigint", (c) => c.notNull())
        .addColumn("patch", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("outcome", "text")
        .addColumn("audit_id", "text", (c) => c.references("audit.id"))
        .addColumn("completed_at", "text")
        .execute();
      await db.schema
        .createIndex("journal_run_idx")
        .on("journal")
        .columns(["run_id", "created_at"])
        .execute();
      await db.schema
        .createIndex("journal_campaign_idx")
        .on("journal")
        .columns(["campaign_id", "created_at"])
        .execute();

      await db.schema
        .createTable("outbox")
        .addColumn("audit_id", "text", (c) => c.primaryKey().references("audit.id"))
        .addColumn("seq", "bigint", (c) => c.notNull().unique())
        .addColumn("campaign_id", "text", (c) => c.notNull())
        .addColumn("event_type", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("last_error", "text")
        .addColumn("last_status", "integer")
        .addColumn("claimed_by", "text")
        .addColumn("claimed_until", "bigint")
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("delivered_at", "bigint")
        .execute();
      await db.schema
        .createIndex("outbox_due_idx")
        .on("outbox")
        .columns(["status", "next_attempt_at"])
        .execute();
      await db.schema
        .createIndex("outbox_campaign_idx")
        .on("outbox")
        .columns(["campaign_id", "status", "seq"])
        .execute();

      await db.schema
        .createTable("webhook_endpoints")
        .addColumn("url_key", "text", (c) => c.primaryKey())
        .addColumn("display_url", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("changed_at", "text", (c) => c.notNull())
        .execute();

      if (kind === "postgres") {
        // The trigger refuses row changes and TRUNCATE for every role but a superuser who disables triggers.
        await sql`
          CREATE FUNCTION dialrules_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            RAISE EXCEPTION '${sql.raw(APPEND_ONLY)} (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
          END $$`.execute(db);
        await sql`CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
          FOR EACH ROW EXECUTE FUNCTION dialrules_audit_append_only()`.execute(db);
        await sql`CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
          FOR EACH STATEMENT EXECUTE FUNCTION dialrules_audit_append_only()`.execute(db);
      } else {
        await sql`CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
          BEGIN SELECT RAISE(ABORT, '${sql.raw(APPEND_ONLY)} (UPDATE refused)'); END`.execute(db);
        await sql`CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
          BEGIN SELECT RAISE(ABORT, '${sql.raw(APPEND_ONLY)} (DELETE refused)'); END`.execute(db);
      }
    },
  };
}

/**
 * `dialrules serve` (issue 6): API tokens (only a SHA-256 of each token is stored), change requests, apply jobs
 * with one result row per campaign (progress readable from any replica), and the table behind the shared
 * platform rate budget (rate-limiter-flexible's RateLimiterPostgres layout; unused on SQLite).
 */
function service(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("api_tokens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("token_hash", "text", (c) => c.notNull().unique())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .execute();

      await db.schema
        .createTable("change_requests")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("requested_by", "text", (c) => c.notNull())
        .addColumn("requester_token_id", "text", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("risk", "text", (c) => c.notNull())
        .addColumn("risk_reasons", "text", (c) => c.notNull())
        .addColumn("plan", "text", (c) => c.notNull())
        .addColumn("rules_text", "text", (c) => c.notNull())
        .addColumn("approved_by", "text")
        .addColumn("rejected_by", "text")
        .addColumn("rejection_reason", "text")
        .addColumn("job_id", "text")
        .execute();
      await db.schema
        .createIndex("change_requests_created_idx")
        .on("change_requests")
        .column("created_at")
        .execute();

      await db.schema
        .createTable("apply_jobs")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("change_id", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("started_by", "text", (c) => c.notNull())
        .addColumn("worker", "text")
        .addColumn("total", "integer", (c) => c.notNull())
        .addColumn("chunks", "integer", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("finished_at", "text")
        .addColumn("error", "text")
        .execute();

      await db.schema
        .createTable("apply_results")
        .addColumn("job_id", "text", (c) => c.notNull())
        .addColumn("campaign_id", "text", (c) => c.notNull())
        .addColumn("outcome", "text", (c) => c.notNull())
        .addColumn("result", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("apply_results_pk", ["job_id", "campaign_id"])
        .execute();

      await db.schema
        .createTable("rate_limits")
        .addColumn("key", "varchar(255)", (c) => c.primaryKey())
        .addColumn("points", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("expire", "bigint")
        .execute();
    },
  };
}

/** Issue 14: the run-summary record (instead of one noop record per campaign) and signed checkpoints. */
function trailRecords(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("audit").addColumn("run_summary", "text").execute();
      await db.schema.alterTable("audit").addColumn("checkpoint", "text").execute();
      await db.schema.createIndex("audit_outcome_idx").on("audit").columns(["outcome", "seq"]).execute();
    },
  };
}

/** Issue 13: audit records name the `serve` change, its requester and its approvers, inside the chain. */
function changeAttribution(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("audit").addColumn("change_id", "text").execute();
      await db.schema.alterTable("audit").addColumn("requester", "text").execute();
      await db.schema.alterTable("audit").addColumn("approvers", "text").execute();
    },
  };
}

/** Issue 13: dashboard sign-ins as server-side sessions (only a hash of the cookie's id is stored). */
function dashboardSessions(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("dashboard_sessions")
        .addColumn("id_hash", "text", (c) => c.primaryKey())
        .addColumn("token_id", "text", (c) => c.notNull())
        .addColumn("csrf", "text", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .addColumn("last_seen_at", "bigint", (c) => c.notNull())
        .addColumn("revoked_at", "bigint")
        .execute();
    },
  };
}

/**
 * The bucket of the configured platform budget, shared by every command and replica on this database
 * (src/store/rate-ledger.ts); it replaces rate-limiter-flexible's `rate_limits` table.
 */
function rateBudget(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("rate_budget")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("level", "double precision", (c) => c.notNull())
        .addColumn("at", "double precision", (c) => c.notNull())
        .addColumn("held_until", "double precision", (c) => c.notNull())
        .execute();
      await db.schema.dropTable("rate_limits").ifExists().execute();
    },
  };
}

/**
 * Issue 17: a batch of journal intents, outcomes and audit appends written by one call (one round trip, one
 * transaction on PostgreSQL). The records are numbered, linked and hashed by the caller (src/store/canonical.ts,
 * unchanged) against the chain head it expects; the function takes the chain lock, and writes only if that is
 * still the head and every intent to complete is open and for the record's campaign. Otherwise it writes
 * nothing and says why ({"head": …} or {"refused": …}), and the caller rebuilds the batch. SQLite needs no
 * function: its batches run in-process (src/store/batch-executors.ts).
 */
function writeBatch(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (kind !== "postgres") return;
      await sql`
        CREATE FUNCTION dialrules_write_batch(p_lock bigint, p_head_seq bigint, p_head_hash text,
          p_intents jsonb, p_audit jsonb, p_outbox jsonb, p_done jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
        DECLARE
          head_seq bigint;
          head_hash text;
          bad record;
        BEGIN
          IF jsonb_array_length(p_audit) > 0 THEN
            PERFORM pg_advisory_xact_lock(p_lock);
            SELECT seq, hash INTO head_seq, head_hash FROM audit ORDER BY seq DESC LIMIT 1;
            IF head_seq IS DISTINCT FROM p_head_seq OR head_hash IS DISTINCT FROM p_head_hash THEN
              RETURN jsonb_build_object('head', jsonb_build_object('seq', head_seq, 'hash', head_hash));
            END IF;
            SELECT d.id, j.id IS NULL AS missing, j.outcome, j.campaign_id INTO bad
              FROM jsonb_to_recordset(p_done) AS d(id text, campaign_id text)
              LEFT JOIN journal j ON j.id = d.id
              WHERE j.id IS NULL OR j.outcome IS NOT NULL OR j.campaign_id <> d.campaign_id
              LIMIT 1;
            IF FOUND THEN
              RETURN jsonb_build_object('refused', jsonb_build_object('id', bad.id, 'missing', bad.missing,
                'outcome', bad.outcome, 'campaign_id', bad.campaign_id));
            END IF;
          END IF;
          INSERT INTO journal SELECT * FROM jsonb_populate_recordset(NULL::journal, p_intents);
          INSERT INTO audit SELECT * FROM jsonb_populate_recordset(NULL::audit, p_audit);
          INSERT INTO outbox SELECT * FROM jsonb_populate_recordset(NULL::outbox, p_outbox);
          UPDATE journal j SET outcome = d.outcome, audit_id = d.audit_id, completed_at = d.completed_at
            FROM jsonb_to_recordset(p_done) AS d(id text, outcome text, audit_id text, completed_at text)
            WHERE j.id = d.id;
          RETURN NULL;
        END $$`.execute(db);
    },
  };
}

export function migrationProvider(kind: DialectKind): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        "0001_initial": initial(kind),
        "0002_service": service(),
        "0003_audit_trail_records": trailRecords(),
        "0004_audit_change_attribution": changeAttribution(),
        "0005_dashboard_sessions": dashboardSessions(),
        "0006_rate_budget": rateBudget(),
        "0007_write_batch": writeBatch(kind),
      };
    },
  };
}
