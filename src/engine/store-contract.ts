/**
 * What apply needs from storage, declared on the engine's side (the application owns the interfaces its
 * adapters implement): the journal of write intents and the audit append. src/store implements them
 * (store/types.ts: Store, StoreJournal, AuditStore) and adds what only other callers need (listing,
 * verification, checkpoints, the outbox).
 */
import type { AuditInput, AuditOutcome } from "../domain/audit-record.js";
import type { PartialRules } from "../domain/rules.js";

/** An apply run: what was asked, by whom. */
export interface RunInput {
  runId: string;
  actor: string;
  reason: string;
  platform: string;
  /** Hash of the rules file or saved plan, so a re-run of the same command can be recognised. */
  sourceHash: string;
}

/** A write about to be attempted (journal "intent"), recorded durably before the request is sent. */
export interface IntentInput {
  runId: string;
  campaignId: string;
  baseRevision: number;
  /** Exactly the fields that will be sent. */
  patch: PartialRules;
}

export interface JournalEntry extends IntentInput {
  id: string;
  createdAt: string;
  /** null while in doubt (no outcome recorded). */
  outcome: AuditOutcome | null;
}

export interface AuditAppender {
  /**
   * Appends one record (and its webhook outbox row) in one transaction. Resolves to the stored record, which
   * apply does not need.
   */
  append(input: AuditInput): Promise<unknown>;
}

export interface Journal {
  startRun(run: RunInput): Promise<void>;
  finishRun(runId: string, summary: Record<string, number>, interrupted: boolean): Promise<void>;
  /** Durable before the write is sent. */
  recordIntent(intent: IntentInput): Promise<JournalEntry>;
  /** Closes an intent: the journal outcome, its audit record and outbox row are written in one transaction. */
  complete(entryId: string, audit: AuditInput): Promise<unknown>;
  /** Intents of any earlier run that never got an outcome (crash, kill -9): to reconcile by reading. */
  inDoubt(options?: { excludeRunId?: string }): Promise<JournalEntry[]>;
}

/** The storage apply writes to. */
export interface ApplyStore {
  readonly audit: AuditAppender;
  readonly journal: Journal;
}
