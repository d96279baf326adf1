/**
 * SQLite write transactions off the server's event loop. better-sqlite3 is synchronous: on the server's
 * thread every commit's fsync (synchronous = FULL) and every copy of a large row into the WAL stalls every
 * request, /healthz included — 20 to 360 ms a commit on a busy disk, for a megabyte change row or the shared
 * rate budget's row of each platform request (issue 13 §4).
 *
 * A writer thread (sqlite-writer-worker.ts) holds a second connection to the same WAL database, opened with
 * the same pragmas, and runs each statement it is sent; `writerDialect` is a Kysely dialect over it, so the
 * code inside `Backend.write(fn)` is unchanged and its transaction (BEGIN IMMEDIATE … COMMIT) simply runs
 * there. Reads stay on the server's connection (WAL: a reader never waits for a writer). Every write of the
 * process still passes the per-file mutex first (backend.ts), so the server's thread never waits on the
 * writer's lock inside SQLite's busy handler; other processes wait on busy_timeout as before.
 *
 * One thread per database file, shared by the backends of a process (the store and the service's tables).
 */
import { Worker } from "node:worker_threads";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";
import { builtWorkerFile } from "../threads/built-worker.js";

/** One statement for the writer thread. */
export interface WriterRequest {
  id: number;
  sql: string;
  parameters: readonly unknown[];
}

export type WriterReply = { id: number } & (
  | { rows: Record<string, unknown>[] }
  | { changes: number; lastInsertRowid: bigint }
  | { error: { name: string; message: string; code?: string } }
);

/** An error from the writer thread, with SQLite's code (SQLITE_CONSTRAINT_…) as better-sqlite3 gives it. */
export class SqliteWriterError extends Error {
  readonly code: string | undefined;
  constructor(error: { name: string; message: string; code?: string }) {
    super(error.message);
    this.name = error.name;
    this.code = error.code;
  }
}

class WriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(r: WriterReply): void; reject(e: unknown): void }>();
  private next = 1;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(workerFile: string, file: string) {
    this.worker = new Worker(workerFile, { workerData: { file } });
    // Idle, it must not keep the process alive; with a statement in flight it must.
    this.worker.unref();
    this.worker.on("message", (reply: WriterReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      waiting?.resolve(reply);
    });
    this.worker.on("error", (err) => this.fail(err));
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", (code) => {
        this.fail(new Error(`the SQLite writer thread stopped (exit code ${code})`));
        resolve();
      }),
    );
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }

  async query<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.failure) throw this.failure;
    const id = this.next++;
    const reply = await new Promise<WriterReply>((resolve, reject) => {
      const request: WriterRequest = { id, sql: compiled.sql, parameters: compiled.parameters };
      try {
        this.worker.postMessage(request);
      } catch (err) {
        // A parameter that cannot cross threads (DataCloneError): this statement fails, the thread is fine.
        reject(err);
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
    });
    if ("error" in reply) throw new SqliteWriterError(reply.error);
    if ("rows" in reply) return { rows: reply.rows as R[] };
    return { rows: [], numAffectedRows: BigInt(reply.changes), insertId: reply.lastInsertRowid };
  }

  /** Why this thread can take no more statements (it exited or failed), or undefined while it can. */
  get problem(): Error | undefined {
    return this.failure;
  }

  /** Stops the thread at once, as a crash would: what is in flight fails, and so does every later statement. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
    await this.exited;
  }

  async close(): Promise<void> {
    this.worker.ref();
    this.worker.postMessage({ close: true });
    await this.exited;
  }
}

const threads = new Map<string, { thread: WriterThread; users: number }>();

/**
 * A Kysely dialect whose one connection is the writer thread of `file` (started with the first user, stopped
 * when the last one's Kysely is destroyed); undefined when no built worker exists (tests from the sources
 * without a build) or for an in-memory database, which another connection cannot share.
 */
export function writerDialect(file: string): Dialect | undefined {
  if (file === ":memory:") return undefined;
  const workerFile = builtWorkerFile(import.meta.url, "sqlite-writer-worker");
  if (!workerFile) return undefined;
  let entry = threads.get(file);
  if (!entry) {
    entry = { thread: new WriterThread(workerFile, file), users: 0 };
    threads.set(file, entry);
  }
  entry.users += 1;
  const { thread } = entry;
  const release = async () => {
    const current = threads.get(file);
    if (current?.thread !== thread) return;
    current.users -= 1;
    if (current.users > 0) return;
    threads.delete(file);
    await thread.close();
  };
  return {
    createAdapter: (): DialectAdapter => new SqliteAdapter(),
    createDriver: (): Driver => new WriterDriver(thread, release),
    createQueryCompiler: (): QueryCompiler => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>): DatabaseIntrospector => new SqliteIntrospector(db),
  };
}

/**
 * Why writes to `file` through its writer thread cannot succeed any more (the thread exited or failed), or
 * undefined when there is no such thread or it is running. A stopped thread is not restarted: a transaction
 * it held may have half-run, so the replica reports itself not ready (`/readyz`) and is replaced.
 */
export function writerThreadProblem(file: string): Error | undefined {
  return threads.get(file)?.thread.problem;
}

/** Kills the writer thread of `file` as a crash would (tests of what a replica does then). */
export async function terminateWriterThread(file: string): Promise<void> {
  await threads.get(file)?.thread.terminate();
}

/** Kysely's driver over the writer thread: one connection, handed to one user at a time. */
class WriterDriver implements Driver {
  private locked = false;
  private readonly waiting: (() => void)[] = [];
  private readonly connection: DatabaseConnection;
  private released = false;

  constructor(
    thread: WriterThread,
    private readonly release: () => Promise<void>,
  ) {
    this.connection = {
      executeQuery: <R>(compiled: CompiledQuery) => thread.query<R>(compiled),
      streamQuery: () => {
        throw new Error("the SQLite writer thread does not stream query results");
      },
    };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.locked) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.locked = true;
    return this.connection;
  }

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw("begin"));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(): Promise<void> {
    const next = this.waiting.shift();
    // Handed straight to the next user, or free.
    if (next) next();
    else this.locked = false;
  }

  async destroy(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.release();
  }
}
