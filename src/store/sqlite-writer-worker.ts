/**
 * The SQLite writer thread (see sqlite-writer.ts): its own connection to the database file, opened exactly as
 * the server's (sqlite-connection.ts: WAL, synchronous = FULL, foreign keys, busy timeout), runs the
 * statements of write transactions one message at a time. A commit's fsync, and the copy of a large row into
 * the WAL, then block this thread and not the server's event loop.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteConnection, preparedOnce } from "./sqlite-connection.js";
import type { WriterReply, WriterRequest } from "./sqlite-writer.js";

const port = parentPort;
if (!port) throw new Error("sqlite-writer-worker runs as a worker thread");
const { file } = workerData as { file: string };
const raw = openSqliteConnection(file);
const statements = preparedOnce(raw);

/** Structured clone turns a Buffer into a plain Uint8Array; better-sqlite3 binds BLOBs from Buffers. */
const bindable = (v: unknown): unknown =>
  v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;

function run(request: WriterRequest): WriterReply {
  const { id, sql, parameters } = request;
  try {
    const stmt = statements.prepare(sql);
    const params = parameters.map(bindable);
    if (stmt.reader) return { id, rows: stmt.all(params) as Record<string, unknown>[] };
    const { changes, lastInsertRowid } = stmt.run(params);
    return { id, changes, lastInsertRowid: BigInt(lastInsertRowid) };
  } catch (err) {
    const e = err as { name?: unknown; message?: unknown; code?: unknown };
    return {
      id,
      error: {
        name: typeof e.name === "string" ? e.name : "Error",
        message: typeof e.message === "string" ? e.message : String(err),
        ...(typeof e.code === "string" ? { code: e.code } : {}),
      },
    };
  }
}

port.on("message", (request: WriterRequest | { close: true }) => {
  if ("close" in request) {
    // A transaction left open by a caller that went away is rolled back by close().
    statements.close();
    port.close();
    return;
  }
  port.postMessage(run(request));
});
