/**
 * One better-sqlite3 connection as every part of the store opens it, on the server's thread (backend.ts) or
 * on the writer thread (sqlite-writer-worker.ts): the same busy timeout and the same per-connection pragmas,
 * so a commit is exactly as durable on either.
 */
import BetterSqlite3 from "better-sqlite3";

/** How long a connection waits for another process's write lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

export function openSqliteConnection(file: string): BetterSqlite3.Database {
  const raw = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  raw.pragma("journal_mode = WAL");
  // FULL: a commit survives power loss, which the journal promises (an apply can be re-run after a crash).
  raw.pragma("synchronous = FULL");
  raw.pragma("foreign_keys = ON");
  return raw;
}

/** Statements kept prepared per SQLite connection; more distinct query texts than this are re-prepared. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * better-sqlite3 as Kysely's driver sees it, with each statement prepared once: the driver calls prepare()
 * for every query it runs, which re-parses and re-plans the same few statements thousands of times in an
 * apply (issue 17). Least recently used texts are dropped beyond STATEMENT_CACHE_SIZE. A statement still
 * being iterated (a streamed select) is busy and cannot be run again, so a fresh one is prepared for that use.
 */
export function preparedOnce(
  raw: BetterSqlite3.Database,
  size = STATEMENT_CACHE_SIZE,
): { close(): void; prepare(text: string): BetterSqlite3.Statement } {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(text) {
      const cached = cache.get(text);
      if (cached !== undefined) {
        if (cached.busy) return raw.prepare(text);
        cache.delete(text);
        cache.set(text, cached);
        return cached;
      }
      const stmt = raw.prepare(text);
      if (cache.size >= size) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}
