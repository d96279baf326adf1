/**
 * The tables as Kysely sees them. One schema for SQLite and PostgreSQL: JSON is stored as text and times as
 * ISO strings (audit, journal) or epoch milliseconds (outbox scheduling), so both databases hold the same bytes
 * and the audit hash can be recomputed from either.
 */
import type { Generated } from "kysely";

export interface RunsTable {
  run_id: string;
  actor: string;
  reason: string;
  platform: string;
  source_hash: string;
  started_at: string;
  finished_at: string | null;
  /** JSON object of counts, set by finishRun. */
  summary: string | null;
  /** 0/1: portable boolean. */
  interrupted: number | null;
}

export interface JournalTable {
  id: string;
  run_id: string;
  campaign_id: string;
  base_revision: number;
  /** JSON of exactly the fields sent. */
  patch: string;
  created_at: string;
  /** null while in doubt. */
  outcome: string | null;
  audit_id: string | null;
  completed_at: string | null;
}

export interface AuditTable {
  seq: number;
  id: string;
  time: string;
  prev_hash: string;
  hash: string;
  run_id: string;
  actor: string;
  reason: string;
  platform: string;
  campaign_id: string;
  campaign_name: string | null;
  outcome: string;
  write_mode: string | null;
  revision_before: number | null;
  revision_after: number | null;
  /** JSON text columns below. */
  rules_before: string | null;
  rules_after: string | null;
  diff: string;
  findings: string;
  platform_error: string | null;
  conflicts: string | null;
  overrides: string | null;
  latency_ms: number | null;
  request_id: string | null;
  /** JSON; migration 0003 (run-summary and checkpoint records). */
  run_summary: string | null;
  checkpoint: string | null;
  /** Migration 0004 (serve's change attribution); approvers is a JSON array. */
  change_id: string | null;
  requester: string | null;
  approvers: string | null;
}

export interface OutboxTable {
  audit_id: string;
  /** The audit seq: delivery order within a campaign. */
  seq: number;
  campaign_id: string;
  event_type: string;
  /** The exact request body, fixed at enqueue so every retry sends the same bytes. */
  payload: string;
  attempts: Generated<number>;
  /** Epoch ms. */
  next_attempt_at: number;
  status: string;
  last_error: string | null;
  last_status: number | null;
  claimed_by: string | null;
  /** Epoch ms; a claim past this time is abandoned and may be taken by another worker. */
  claimed_until: number | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookEndpointsTable {
  /** sha256 of the URL: the URL itself may carry credentials, so it is never stored. */
  url_key: string;
  /** The URL without credentials or query, for display. */
  display_url: string;
  state: string;
  reason: string | null;
  changed_at: string;
}

export interface Database {
  runs: RunsTable;
  journal: JournalTable;
  audit: AuditTable;
  outbox: OutboxTable;
  webhook_endpoints: WebhookEndpointsTable;
}
