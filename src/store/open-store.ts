/**
 * openStore: the one entry point to the database. SQLite file by default (./dialrules.db), PostgreSQL when
 * the URL starts with postgres:// (DIALRULES_DATABASE_URL). Migrations run on open.
 */

import { sql } from "kysely";
import { type Clock, systemClock } from "../clock/clock.js";
import { createAuditStore } from "./audit-store.js";
import { DEFAULT_SQLITE_PATH, isPostgresUrl, openBackend } from "./backend.js";
import { batchExecutor } from "./batch-executors.js";
import { grantApplicationRole, tablesOf } from "./grants.js";
import { createJournal } from "./journal.js";
import { createOutboxStore } from "./outbox.js";
import { createRateLedger } from "./rate-ledger.js";
import type { AuditRecord, OutboxEventEncoder, SqlStore } from "./types.js";
import { createWriteBatcher } from "./write-batch.js";

export interface OpenStoreOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite at sqlitePath. */
  databaseUrl?: string;
  sqlitePath?: string;
  clock?: Clock;
  /** PostgreSQL schema (default "public"); created if missing. Tests use one schema per case. */
  schema?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** SQLite: write transactions on a writer thread (`serve`; see backend.ts). */
  writerThread?: boolean;
  /**
   * Secret values (webhook secret, client secret, tokens) that must never be stored: any occurrence inside an
   * audit input is replaced by "[REDACTED]" before the record is hashed.
   */
  secrets?: readonly string[];
  /**
   * The outbox event written with each audit record (src/webhook's `webhookEvent`): the store persists the
   * type and payload it is given and does not know the webhook wire format.
   */
  outboxEvent: OutboxEventEncoder;
}

export async function openStore(options: OpenStoreOptions): Promise<SqlStore> {
  const clock = options.clock ?? systemClock;
  const backend = await openBackend(options);
  const listeners = new Set<(record: AuditRecord) => void>();
  const ctx = {
    clock,
    secrets: options.secrets ?? [],
    outboxEvent: options.outboxEvent,
    committed(record: AuditRecord) {
      for (const l of listeners) {
        try {
          l(record);
        } catch {
          // A listener's failure must not turn a committed append into a reported failure.
        }
      }
    },
  };
  // Journal intents, outcomes and audit appends of concurrent callers share commits (issue 17).
  const writes = createWriteBatcher(batchExecutor(backend, ctx), (record) => ctx.committed(record));
  const journal = createJournal(backend, ctx, writes);
  return {
    kind: backend.kind,
    location: backend.location,
    audit: createAuditStore(backend, ctx, writes),
    journal,
    outbox: createOutboxStore(backend, clock),
    rateLedger: createRateLedger(backend),
    journalEntries: (runId) => journal.entries(runId),
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => backend.close(),
  };
}

/**
 * Where the CLI's database is: `--database` (a postgres:// URL or a SQLite path, optionally `sqlite:`/`file:`
 * prefixed), else DIALRULES_DATABASE_URL, else ./dialrules.db; on PostgreSQL the schema named by
 * DIALRULES_DATABASE_SCHEMA (default public). Every command resolves it here so they all see one database.
 */
export function databaseOptions(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Pick<OpenStoreOptions, "databaseUrl" | "sqlitePath" | "schema"> {
  const value = flag ?? env.DIALRULES_DATABASE_URL;
  if (value === undefined || value === "") return { sqlitePath: DEFAULT_SQLITE_PATH };
  if (isPostgresUrl(value)) {
    const schema = env.DIALRULES_DATABASE_SCHEMA?.trim();
    return schema ? { databaseUrl: value, schema } : { databaseUrl: value };
  }
  return { sqlitePath: value.replace(/^(sqlite|file):(\/\/)?/i, "") };
}

/**
 * `dialrules db grant`: connects as the owner (the role in the URL), runs the migrations if needed and grants
 * the application role what it needs (src/store/grants.ts). Also covers serve's pg-boss schema when it exists.
 */
export async function grantApplicationAccess(
  options: Pick<OpenStoreOptions, "databaseUrl" | "sqlitePath" | "schema">,
  role: string,
): Promise<string[]> {
  const backend = await openBackend(options);
  try {
    const schema = options.schema ?? "public";
    const statements = await grantApplicationRole(backend, role, schema);
    const queue = schema === "public" ? "pgboss" : `${schema}_pgboss`;
    const queueTables = await tablesOf(backend, queue);
    if (queueTables.length > 0) {
      const more = [
        `GRANT USAGE ON SCHEMA "${queue}" TO "${role}"`,
        `GRANT ALL ON ALL TABLES IN SCHEMA "${queue}" TO "${role}"`,
        `GRANT ALL ON ALL SEQUENCES IN SCHEMA "${queue}" TO "${role}"`,
        `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "${queue}" TO "${role}"`,
      ];
      await backend.db.transaction().execute(async (trx) => {
        for (const s of more) await sql.raw(s).execute(trx);
      });
      statements.push(...more);
    }
    return statements;
  } finally {
    await backend.close();
  }
}
