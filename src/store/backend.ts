/**
 * Opens Kysely on SQLite or PostgreSQL and provides the one primitive everything writes through:
 * `write(fn, {chain})`, a transaction that is serialised against other audit appends when `chain` is set.
 *  - SQLite: BEGIN IMMEDIATE takes the database write lock up front (a deferred BEGIN would let two processes
 *    read the same chain head and then fail to upgrade). better-sqlite3 is synchronous, so two Store objects in
 *    one process on one file would block the event loop waiting for each other; a per-file in-process mutex
 *    orders them first, busy_timeout covers other processes.
 *  - PostgreSQL: pg_advisory_xact_lock on a key derived from the schema, taken before reading the chain head.
 */
import { mkdirSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { DialrulesError } from "../domain/errors.js";
import { sha256Hex } from "./canonical.js";
import { type DialectKind, migrationProvider } from "./migrations.js";
import type { Database } from "./schema.js";
import { openSqliteConnection, preparedOnce } from "./sqlite-connection.js";
import { writerDialect, writerThreadProblem } from "./sqlite-writer.js";

export interface Backend {
  readonly kind: DialectKind;
  readonly db: Kysely<Database>;
  readonly location: string;
  write<T>(fn: (trx: Kysely<Database>) => Promise<T>, options?: { chain?: boolean }): Promise<T>;
  /**
   * SQLite only: runs `fn` synchronously in one BEGIN IMMEDIATE transaction (ordered with `write` by the
   * same mutex), on better-sqlite3 statements prepared once. For the hot write path (issue 17), where
   * Kysely's per-query compilation and promise hops cost more than SQLite itself. Resolves only once the
   * commit is on disk, the WAL synced off the event loop (walSync); a failed sync rejects with
   * CommittedNotSyncedError (committed, so never to be retried).
   */
  transactSync?<T>(fn: (prepare: (sql: string) => BetterSqlite3.Statement) => T): Promise<T>;
  /**
   * Why this backend can no longer write (SQLite: its writer thread stopped), or undefined while it can.
   * Readiness probes ask it: reads may still work when writes cannot.
   */
  writeProblem?(): Error | undefined;
  /** PostgreSQL only: the advisory-lock key (decimal) that serialises appends to this schema's chain. */
  readonly chainLock?: string;
  close(): Promise<void>;
}

export interface BackendOptions {
  databaseUrl?: string;
  sqlitePath?: string;
  /** PostgreSQL schema to use (created if missing); isolates tests and tenants. */
  schema?: string;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /**
   * SQLite only: run `write` transactions on a writer thread (sqlite-writer.ts), so their commits never
   * block this thread's event loop. For `serve`; a CLI command has no other requests to keep answering.
   */
  writerThread?: boolean;
}

export const DEFAULT_SQLITE_PATH = "./dialrules.db";

/** A FIFO async mutex. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

const fileMutexes = new Map<string, Mutex>();
function fileMutex(path: string): Mutex {
  let m = fileMutexes.get(path);
  if (!m) {
    m = new Mutex();
    fileMutexes.set(path, m);
  }
  return m;
}

export function isPostgresUrl(url: string | undefined): boolean {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** The URL with the password removed, for messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "";
    return u.toString().replace(/:@/, "@");
  } catch {
    return "postgres://(unparseable URL)";
  }
}

function checkSchemaName(schema: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new DialrulesError(
      "STORE_BAD_SCHEMA",
      `schema name "${schema}" must be lower-case letters, digits and underscores, starting with a letter`,
    );
  }
}

/** 64-bit signed advisory-lock key for the audit chain of one schema, as a decimal string. */
export function chainLockKey(schema: string): string {
  return BigInt.asIntN(
    64,
    BigInt(`0x${sha256Hex(`dialrules.audit.chain:${schema}`).slice(0, 16)}`),
  ).toString();
}

/** A "schema does not exist" error (SQLSTATE 3F000) about a schema other than ours. */
function isOtherSchemaVanished(error: unknown, schema: string | undefined): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "3F000" && typeof message === "string" && !message.includes(`"${schema ?? "public"}"`);
}

async function migrate(db: Kysely<Database>, kind: DialectKind, schema?: string): Promise<void> {
  // The schema must be named: Kysely otherwise looks for its migration tables in every schema and may find
  // another tenant's (or test's) and skip creating its own.
  const migrator = new Migrator({
    db,
    provider: migrationProvider(kind),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely's introspection reads every schema's tables; another schema dropped while it runs (another
  // tenant's, another test's) fails it with "schema … does not exist" although ours is intact. Retry that.
  for (let attempt = 1; error && attempt < 5 && isOtherSchemaVanished(error, schema); attempt++) {
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new DialrulesError(
      "STORE_MIGRATION_FAILED",
      `database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      { cause: error },
    );
  }
}

/**
 * A batch committed by `transactSync` whose WAL sync failed: its rows are in the database but not known to
 * be on disk. The write batcher reports every write of the batch failed and does not retry them one by one
 * (they are committed: a retry would write them twice).
 */
export class CommittedNotSyncedError extends DialrulesError {
  constructor(cause: unknown) {
    super(
      "STORE_SYNC_FAILED",
      `the write was committed but syncing the SQLite WAL to disk failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      undefined,
      { cause },
    );
  }
}

/**
 * fdatasync of the database's WAL file on libuv's thread pool (issue 17 §1). With synchronous = FULL every
 * commit of the apply's group-committed batches made that same fdatasync on the event loop, and better-sqlite3
 * blocked it meanwhile: no reply could arrive and join the next batch, and on a busy disk the commits were
 * half of a small change's time. Committing with synchronous = NORMAL and then syncing the WAL here gives
 * the same guarantee before the caller is told — the WAL is append-only, so syncing the file covers this
 * commit and every earlier one — while the event loop runs on. Concurrent calls share one sync in flight
 * and another after it (a sync started before a commit does not cover it).
 */
function walSync(walPath: string): { sync(): Promise<void>; close(): Promise<void> } {
  let handle: Promise<FileHandle> | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const once = async () => {
    handle ??= open(walPath, "r+");
    try {
      await (await handle).datasync();
    } catch (err) {
      handle = undefined;
      throw err;
    }
  };
  const sync = (): Promise<void> => {
    if (running === undefined) {
      running = once().finally(() => {
        running = undefined;
      });
      return running;
    }
    // one in flight may have started before this commit: queue one more, shared by every caller meanwhile
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        return sync();
      });
    return next;
  };
  return {
    sync,
    async close() {
      const h = handle;
      handle = undefined;
      await (await h?.catch(() => undefined))?.close();
    },
  };
}

async function openSqlite(path: string, writerThread: boolean): Promise<Backend> {
  const file = path === ":memory:" ? path : resolve(path);
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  let raw: BetterSqlite3.Database;
  try {
    raw = openSqliteConnection(file);
  } catch (err) {
    throw new DialrulesError(
      "STORE_OPEN_FAILED",
      `cannot open SQLite database ${path}: ${err instanceof Error ? err.message : String(err)}; check the path and permissions or pass --database`,
      undefined,
      { cause: err },
    );
  }
  const statements = preparedOnce(raw);
  const database: SqliteDatabase = statements;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const mutex = fileMutex(file);
  const prepare = (text: string) => statements.prepare(text);
  await mutex.run(() => migrate(db, "sqlite"));
  // Write transactions on the writer thread when asked (and possible); reads always on this connection.
  const offThread = writerThread ? writerDialect(file) : undefined;
  const writeDb = offThread ? new Kysely<Database>({ dialect: offThread }) : db;
  const wal = file === ":memory:" ? undefined : walSync(`${file}-wal`);
  const transactSync: Backend["transactSync"] = async (fn) => {
    const result = await mutex.run(async () => {
      // The commit writes the WAL without waiting for the disk (synchronous = NORMAL for this one
      // transaction); the WAL is then synced off the event loop below, before anyone is told. See walSync.
      if (wal) prepare("PRAGMA synchronous = NORMAL").run();
      try {
        prepare("BEGIN IMMEDIATE").run();
        try {
          const result = fn(prepare);
          prepare("COMMIT").run();
          return result;
        } catch (err) {
          if (raw.inTransaction) prepare("ROLLBACK").run();
          throw err;
        }
      } finally {
        if (wal) prepare("PRAGMA synchronous = FULL").run();
      }
    });
    if (wal) {
      try {
        await wal.sync();
      } catch (err) {
        // Committed but not known durable: every write of the batch is reported failed, none is retried.
        throw new CommittedNotSyncedError(err);
      }
    }
    return result;
  };
  const backend: Backend = {
    kind: "sqlite",
    db,
    location: path,
    write: (fn) =>
      mutex.run(() =>
        writeDb.connection().execute(async (conn) => {
          await sql`BEGIN IMMEDIATE`.execute(conn);
          try {
            const result = await fn(conn);
            await sql`COMMIT`.execute(conn);
            return result;
          } catch (err) {
            await sql`ROLLBACK`.execute(conn).catch(() => undefined);
            throw err;
          }
        }),
      ),
    // Synchronous batches commit on this thread: with a writer thread, the store writes its batches through
    // `write` instead (batch-executors.ts), so audit and journal commits leave the event loop too.
    ...(offThread ? { writeProblem: () => writerThreadProblem(file) } : { transactSync }),
    async close() {
      // Writes queued before close still run (the mutex orders them first), then both connections close.
      await mutex.run(async () => {});
      await wal?.close();
      if (writeDb !== db) await writeDb.destroy();
      await db.destroy();
    },
  };
  return backend;
}

async function openPostgres(url: string, schema: string, poolSize: number): Promise<Backend> {
  checkSchemaName(schema);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    options: `-c search_path=${schema}`,
    // int8 (bigint) as number: seq, revisions and epoch-ms times stay far below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === 20
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's error (server restart) must not crash the process; the next query reports it.
  pool.on("error", () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    // Several processes may open the same empty database at once: a session advisory lock orders schema
    // creation and migration (CREATE SCHEMA IF NOT EXISTS alone races on the catalog's unique index).
    const key = chainLockKey(`migrate:${schema}`);
    await db.connection().execute(async (conn) => {
      await sql`SELECT pg_advisory_lock(${key}::bigint)`.execute(conn);
      try {
        // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
        // exists, which the application role of a role-separated setup (docs/audit.md) does not have.
        const exists = await sql`SELECT 1 FROM pg_namespace WHERE nspname = ${schema}`.execute(conn);
        if (exists.rows.length === 0) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(conn);
        await migrate(conn, "postgres", schema);
      } finally {
        await sql`SELECT pg_advisory_unlock(${key}::bigint)`.execute(conn);
      }
    });
  } catch (err) {
    await db.destroy();
    if (err instanceof DialrulesError) throw err;
    throw new DialrulesError(
      "STORE_OPEN_FAILED",
      `cannot open PostgreSQL at ${redactDatabaseUrl(url)}: ${err instanceof Error ? err.message : String(err)}; check DIALRULES_DATABASE_URL and that the server is running`,
      undefined,
      { cause: err },
    );
  }
  const lockKey = chainLockKey(schema);
  const backend: Backend = {
    kind: "postgres",
    db,
    location: `${redactDatabaseUrl(url)}${schema === "public" ? "" : ` (schema ${schema})`}`,
    chainLock: lockKey,
    write: (fn, options) =>
      db.transaction().execute(async (trx) => {
        if (options?.chain) await sql`SELECT pg_advisory_xact_lock(${lockKey}::bigint)`.execute(trx);
        return fn(trx);
      }),
    close: () => db.destroy(),
  };
  return backend;
}

export function openBackend(options: BackendOptions): Promise<Backend> {
  const url = options.databaseUrl;
  if (url !== undefined && isPostgresUrl(url)) {
    return openPostgres(url, options.schema ?? "public", options.poolSize ?? 10);
  }
  if (options.databaseUrl !== undefined && options.databaseUrl !== "") {
    throw new DialrulesError(
      "STORE_BAD_URL",
      "database URL must start with postgres:// or postgresql://; for SQLite pass a file path instead",
    );
  }
  return openSqlite(options.sqlitePath ?? DEFAULT_SQLITE_PATH, options.writerThread === true);
}
