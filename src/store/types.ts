import type { KeyObject } from "node:crypto";
import type { AuditInput, RecordOutcome, SignedCheckpoint } from "../domain/audit-record.js";
import type { ApplyStore, AuditAppender, Journal, JournalEntry } from "../engine/store-contract.js";

/** A stored, chained audit record. `hash` = SHA-256 over the canonical form of every other field + prevHash. */
export interface AuditRecord extends AuditInput {
  id: string;
  seq: number;
  time: string;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  campaignId?: string;
  outcome?: RecordOutcome;
  /** ISO time, inclusive. */
  until?: string;
  /** ISO time, inclusive. */
  since?: string;
  runId?: string;
  limit?: number;
  /** Only records with seq greater than this: keyset paging for exports. */
  afterSeq?: number;
}

/** What verification found about signed checkpoints (stored ones, and the one given with --checkpoint). */
export interface CheckpointReport {
  /** Stored checkpoint records whose signature and head hash were checked. */
  stored: number;
  /** The newest stored checkpoint's covered seq. */
  newestSeq?: number;
  keyIds: string[];
  /** Whether signatures were checked against a trusted key, or only the key each checkpoint carries. */
  trustedKey: boolean;
  /** The --checkpoint file, when one was given and it verified. */
  external?: { seq: number; keyId: string; time: string };
}

/** Which kind of tampering a failure shows. */
export type BreakKind = "rewritten" | "truncated" | "forged" | "reordered" | "deleted";

export type VerifyResult =
  | { ok: true; count: number; checkpoints?: CheckpointReport }
  | {
      ok: false;
      count: number;
      firstBroken: { seq: number; id: string; problem: string; kind?: BreakKind };
      checkpoints?: CheckpointReport;
    };

export interface VerifyOptions {
  /** The trusted Ed25519 public key (a KeyObject from src/store/checkpoint.ts loadPublicKey). */
  trustedKey?: KeyObject;
  /** A checkpoint held outside the database: the chain must reach it and match its head hash. */
  checkpoint?: SignedCheckpoint;
}

/** Signs checkpoints: the private key stays inside. */
export interface CheckpointSigner {
  keyId: string;
  sign(body: Omit<SignedCheckpoint, "signature" | "publicKey">): SignedCheckpoint;
}

export interface AuditStore extends AuditAppender {
  /** Appends one record (and its webhook outbox row) in one transaction; returns the stored record. */
  append(input: AuditInput): Promise<AuditRecord>;
  list(query?: AuditQuery): Promise<AuditRecord[]>;
  /**
   * Walks the chain from the first record; reports the first record whose hash or link is wrong, or a stored
   * checkpoint whose signature or head hash does not match; with options.checkpoint, also that the chain
   * reaches that checkpoint and holds the head it signed.
   */
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  /** Signs the current head and appends the checkpoint as a record (and its `audit.checkpoint` webhook). */
  checkpoint(
    signer: CheckpointSigner,
    by: { runId: string; actor: string; platform?: string },
  ): Promise<SignedCheckpoint | null>;
}

/** The engine's Journal as the store implements it: `complete` resolves to the stored audit record. */
export interface StoreJournal extends Journal {
  complete(entryId: string, audit: AuditInput): Promise<AuditRecord>;
}

export interface Store extends ApplyStore {
  readonly kind: "sqlite" | "postgres";
  /** Where the data lives, for messages ("./dialrules.db", or the PostgreSQL URL without password). */
  readonly location: string;
  readonly audit: AuditStore;
  readonly journal: StoreJournal;
  close(): Promise<void>;
}

// ---- Added by the storage work (issue 5); everything above is the original contract. ----

export const OUTBOX_STATUSES = ["pending", "delivered", "dead"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** One webhook delivery to make: the audit record's event, fixed at the time the record was written. */
export interface OutboxRow {
  auditId: string;
  seq: number;
  campaignId: string;
  eventType: string;
  /** The exact body sent on every attempt. */
  payload: string;
  attempts: number;
  /** Epoch ms. */
  nextAttemptAt: number;
  status: OutboxStatus;
  lastError: string | null;
  lastStatus: number | null;
  claimedBy: string | null;
  claimedUntil: number | null;
  createdAt: number;
  deliveredAt: number | null;
}

export interface OutboxStats {
  pending: number;
  /** Pending, unclaimed and due now. */
  due: number;
  /** Pending after at least one failed attempt. */
  retrying: number;
  /** Pending and under a live claim (a worker is delivering it). */
  inFlight: number;
  delivered: number;
  dead: number;
  oldestPendingAt: number | null;
  lastFailure: { auditId: string; error: string; status: number | null; attempts: number } | null;
}

export interface EndpointState {
  displayUrl: string;
  state: "active" | "disabled";
  reason: string | null;
  changedAt: string | null;
}

/** What the outbox row of an audit record carries; the webhook module decides both (src/webhook/events.ts). */
export interface OutboxEvent {
  type: string;
  /** The exact body to deliver. */
  payload: string;
}

export type OutboxEventEncoder = (record: AuditRecord) => OutboxEvent;

export interface OutboxStore {
  /**
   * Leases up to `limit` due rows to `workerId` until now+leaseMs. Only the oldest pending row of each campaign
   * is eligible, so a campaign's events are delivered in order. PostgreSQL: FOR UPDATE SKIP LOCKED.
   */
  claim(options: { workerId: string; now: number; leaseMs: number; limit: number }): Promise<OutboxRow[]>;
  markDelivered(auditId: string, now: number): Promise<void>;
  /** Many successes in one transaction (one commit for a whole round instead of one per row). */
  markDeliveredMany(auditIds: readonly string[], now: number): Promise<void>;
  /** Records a failed attempt; false when the claim was lost to another worker (nothing changed). */
  markFailed(
    auditId: string,
    workerId: string,
    failure: { error: string; status?: number; nextAttemptAt: number; dead: boolean },
  ): Promise<boolean>;
  /** Gives a claimed row back without counting an attempt (endpoint disabled, worker stopping). */
  release(auditId: string, workerId: string): Promise<void>;
  /** Re-queues a dead or pending row for delivery now, attempts reset; null when the id is unknown. */
  retry(auditId: string, now: number): Promise<OutboxRow | null>;
  get(auditId: string): Promise<OutboxRow | null>;
  list(query?: { status?: OutboxStatus; limit?: number }): Promise<OutboxRow[]>;
  stats(now: number): Promise<OutboxStats>;
  /** Earliest next_attempt_at (or lease end) among pending rows, to know how long a worker may sleep. */
  nextDueAt(): Promise<number | null>;
  endpoint(url: string): Promise<EndpointState>;
  setEndpointState(url: string, state: "active" | "disabled", reason: string | null): Promise<void>;
}

/** What openStore returns: the Store contract plus the outbox and a few conveniences. */
export interface SqlStore extends Store {
  readonly outbox: OutboxStore;
  /** Every journal entry (of one run), oldest first: for inspection and tests. */
  journalEntries(runId?: string): Promise<JournalEntry[]>;
  /** Called after each audit record commits (in this process): lets a delivery worker wake at once. */
  onAppend(listener: (record: AuditRecord) => void): () => void;
}
