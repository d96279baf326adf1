/**
 * PostgreSQL role separation (issue 14): the owner role runs the migrations and owns the tables (only an
 * owner or a superuser can disable triggers); the application role gets INSERT and SELECT on the audit table
 * and nothing else there, so it can neither UPDATE, DELETE, TRUNCATE nor ALTER it. The other tables hold
 * working state (journal, outbox, jobs…) that the application must update.
 */
import { sql } from "kysely";
import { InputError } from "../domain/errors.js";
import type { Backend } from "./backend.js";

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const APPEND_ONLY_TABLES = new Set(["audit"]);
/** Kysely's own bookkeeping: read at every open to see that no migration is pending. */
const READ_ONLY_TABLES = new Set(["kysely_migration", "kysely_migration_lock"]);

/** The statements `dialrules db grant --role NAME` runs, for the tables that exist in `schema`. */
export function grantStatements(role: string, schema: string, tables: readonly string[]): string[] {
  if (!ROLE_NAME.test(role)) {
    throw new InputError(
      "DB_ROLE_NAME",
      `role name "${role}" must be lower-case letters, digits and underscores, starting with a letter`,
      "role",
    );
  }
  const q = (name: string) => `"${name}"`;
  const statements = [`GRANT USAGE ON SCHEMA ${q(schema)} TO ${q(role)}`];
  for (const t of [...tables].sort()) {
    const table = `${q(schema)}.${q(t)}`;
    statements.push(`REVOKE ALL ON ${table} FROM ${q(role)}`);
    if (APPEND_ONLY_TABLES.has(t)) statements.push(`GRANT SELECT, INSERT ON ${table} TO ${q(role)}`);
    else if (READ_ONLY_TABLES.has(t)) statements.push(`GRANT SELECT ON ${table} TO ${q(role)}`);
    else statements.push(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${q(role)}`);
  }
  statements.push(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${q(schema)} TO ${q(role)}`);
  return statements;
}

export async function tablesOf(backend: Backend, schema: string): Promise<string[]> {
  const r = await sql<{
    tablename: string;
  }>`SELECT tablename FROM pg_tables WHERE schemaname = ${schema}`.execute(backend.db);
  return r.rows.map((x) => x.tablename);
}

/** Runs the grants in one transaction, as the owner role (the one that ran the migrations). */
export async function grantApplicationRole(
  backend: Backend,
  role: string,
  schema: string,
): Promise<string[]> {
  if (backend.kind !== "postgres") {
    throw new InputError(
      "DB_GRANT_SQLITE",
      "roles exist only on PostgreSQL; a SQLite file is protected by file permissions and signed checkpoints (docs/audit.md)",
    );
  }
  const statements = grantStatements(role, schema, await tablesOf(backend, schema));
  await backend.db.transaction().execute(async (trx) => {
    for (const s of statements) await sql.raw(s).execute(trx);
  });
  return statements;
}
