/**
 * The service's own tables (migration 0002_service) over the store's backend. The store keeps its tables
 * private behind SqlStore, so the service opens a second backend on the same database (same migrations,
 * same SQLite write mutex, its own small PostgreSQL pool) and adds its tables to Kysely's view of it.
 */
import type { Kysely } from "kysely";
import { type Backend, openBackend } from "../store/backend.js";
import type { Database } from "../store/schema.js";

export type ApiTokensTable = {
  id: string;
  name: string;
  role: string;
  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
};

export type ChangeRequestsTable = {
  id: string;
  state: string;
  requested_by: string;
  requester_token_id: string;
  reason: string;
  created_at: string;
  updated_at: string;
  risk: string;
  /** JSON array of strings. */
  risk_reasons: string;
  /** JSON of the Plan. */
  plan: string;
  rules_text: string;
  approved_by: string | null;
  rejected_by: string | null;
  rejection_reason: string | null;
  job_id: string | null;
};

export type ApplyJobsTable = {
  /** Also the apply run id in the journal and audit records. */
  id: string;
  change_id: string;
  state: string;
  started_by: string;
  worker: string | null;
  total: number;
  chunks: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  error: string | null;
};

export type ApplyResultsTable = {
  job_id: string;
  campaign_id: string;
  outcome: string;
  /** JSON of the CampaignResult. */
  result: string;
  created_at: string;
};

export type DashboardSessionsTable = {
  /** SHA-256 (hex) of the session id; the id itself lives only in the browser's cookie. */
  id_hash: string;
  token_id: string;
  /** This session's CSRF token. */
  csrf: string;
  /** Epoch ms. */
  created_at: number;
  last_seen_at: number;
  revoked_at: number | null;
};

export type ServiceTables = {
  api_tokens: ApiTokensTable;
  dashboard_sessions: DashboardSessionsTable;
  change_requests: ChangeRequestsTable;
  apply_jobs: ApplyJobsTable;
  apply_results: ApplyResultsTable;
};

export type ServiceDb = Kysely<Database & ServiceTables>;

export interface ServiceDatabase {
  readonly kind: "sqlite" | "postgres";
  readonly db: ServiceDb;
  /** A write transaction (SQLite: BEGIN IMMEDIATE under the per-file mutex). */
  write<T>(fn: (trx: ServiceDb) => Promise<T>): Promise<T>;
  /** Why writes cannot succeed any more (the SQLite writer thread stopped), or undefined while they can. */
  writeProblem(): Error | undefined;
  close(): Promise<void>;
}

export interface ServiceDatabaseOptions {
  databaseUrl?: string;
  sqlitePath?: string;
  schema?: string;
  poolSize?: number;
  /** SQLite: write transactions on a writer thread, off the event loop (src/store/sqlite-writer.ts). */
  writerThread?: boolean;
}

export function serviceDatabase(backend: Backend): ServiceDatabase {
  return {
    kind: backend.kind,
    db: backend.db.withTables<ServiceTables>(),
    write: (fn) => backend.write((trx) => fn(trx.withTables<ServiceTables>())),
    writeProblem: () => backend.writeProblem?.(),
    close: () => backend.close(),
  };
}

export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<ServiceDatabase> {
  return serviceDatabase(await openBackend({ poolSize: 4, ...options }));
}
