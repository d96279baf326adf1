/**
 * The same suites run on SQLite (a file in a temp dir) and PostgreSQL (one fresh schema per test, dropped
 * after, so parallel test files never collide). `attack` runs SQL as someone with direct database access who
 * bypasses the append-only guards: SQLite drops the triggers, PostgreSQL uses a superuser session with
 * session_replication_role = replica (triggers and foreign keys off).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { type OpenStoreOptions, openStore } from "../../src/store/open-store.js";
import type { SqlStore } from "../../src/store/types.js";
import { webhookEvent } from "../../src/webhook/events.js";

export const PG_URL = process.env.DIALRULES_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const KINDS = ["sqlite", "postgres"] as const;
export type Kind = (typeof KINDS)[number];

export interface TestDatabase {
  kind: Kind;
  /** Store options without clock/secrets. */
  options: Pick<OpenStoreOptions, "databaseUrl" | "sqlitePath" | "schema">;
  /** What the CLI gets: --database value and the environment. */
  cli: { database: string; env: NodeJS.ProcessEnv };
  open(extra?: Partial<Omit<OpenStoreOptions, "databaseUrl" | "sqlitePath" | "schema">>): Promise<SqlStore>;
  /** Direct SQL with the append-only guards bypassed. */
  attack(statements: string[]): Promise<void>;
  /** Direct SQL through the normal path (guards in force). */
  plain(statement: string): Promise<void>;
  /** Every stored byte that could hold a secret (SQLite: the files; PostgreSQL: a dump of every table). */
  dump(): Promise<string>;
  cleanup(): Promise<void>;
}

export async function testDatabase(kind: Kind): Promise<TestDatabase> {
  const stores: SqlStore[] = [];
  const track = async (p: Promise<SqlStore>) => {
    const s = await p;
    stores.push(s);
    return s;
  };
  const closeAll = async () => {
    await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
  };

  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "dialrules-store-"));
    const path = join(dir, "dialrules.db");
    const options = { sqlitePath: path };
    const withRaw = (fn: (db: BetterSqlite3.Database) => void) => {
      const db = new BetterSqlite3(path, { timeout: 10_000 });
      try {
        fn(db);
      } finally {
        db.close();
      }
    };
    return {
      kind,
      options,
      cli: { database: path, env: {} },
      open: (extra = {}) => track(openStore({ outboxEvent: webhookEvent, ...options, ...extra })),
      attack: async (statements) =>
        withRaw((db) => {
          db.pragma("foreign_keys = OFF");
          db.exec("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;");
          for (const s of statements) db.exec(s);
        }),
      plain: async (statement) => withRaw((db) => db.exec(statement)),
      dump: async () => {
        const { readFileSync, existsSync } = await import("node:fs");
        return ["", "-wal", "-shm"]
          .map((suffix) => `${path}${suffix}`)
          .filter((p) => existsSync(p))
          .map((p) => readFileSync(p).toString("latin1"))
          .join("\n");
      },
      cleanup: async () => {
        await closeAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  const schema = `t_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const options = { databaseUrl: PG_URL, schema };
  const client = async () => {
    const c = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await c.connect();
    return c;
  };
  const run = async (statements: string[], prelude: string[] = []) => {
    const c = await client();
    try {
      for (const s of [...prelude, ...statements]) await c.query(s);
    } finally {
      await c.end();
    }
  };
  return {
    kind,
    options,
    cli: { database: PG_URL, env: { DIALRULES_DATABASE_SCHEMA: schema } },
    open: (extra = {}) => track(openStore({ outboxEvent: webhookEvent, ...options, poolSize: 4, ...extra })),
    attack: (statements) => run(statements, ["SET session_replication_role = replica"]),
    plain: (statement) => run([statement]),
    dump: async () => {
      const c = await client();
      try {
        const parts: string[] = [];
        for (const t of ["runs", "journal", "audit", "outbox", "webhook_endpoints"]) {
          const r = await c.query(`SELECT * FROM ${t}`);
          parts.push(JSON.stringify(r.rows));
        }
        return parts.join("\n");
      } finally {
        await c.end();
      }
    },
    cleanup: async () => {
      await closeAll();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
