/**
 * The audit record's vocabulary: outcomes, what one record says (AuditInput), the run summary and the signed
 * checkpoint it may carry. Pure data shared by the engine (which writes records), the store (which chains and
 * keeps them) and the adapters that show or deliver them; the chaining fields (id, seq, hashes) are the
 * store's (AuditRecord in src/store/types.ts).
 */
import type { FieldChange } from "./diff.js";
import type { Finding } from "./findings.js";
import type { DialingRules } from "./rules.js";

export const AUDIT_OUTCOMES = [
  "applied",
  "noop",
  "rejected_locally",
  "rejected_by_platform",
  "conflict",
  "failed",
  "overwritten",
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * Records about the trail itself rather than one campaign (their campaignId is ""): the summary every apply
 * run ends with (instead of one "noop" record per unchanged campaign), and a signed checkpoint of the head.
 */
export const TRAIL_OUTCOMES = [
  "run_summary",
  "checkpoint",
  // `serve`'s four-eyes decisions, so the chain itself says who asked and who approved (issue 13)
  "change_pending_approval",
  "change_approved",
  "change_rejected",
] as const;
export type TrailOutcome = (typeof TRAIL_OUTCOMES)[number];
export type RecordOutcome = AuditOutcome | TrailOutcome;

export const isCampaignOutcome = (outcome: RecordOutcome): outcome is AuditOutcome =>
  (AUDIT_OUTCOMES as readonly string[]).includes(outcome);

/** What one apply run did, written once at its end. */
export interface RunSummary {
  /** Campaigns the run was given (its plan, or its chunk in `serve`). */
  campaigns: number;
  counts: Partial<Record<AuditOutcome, number>>;
  /** Campaigns that already held the desired rules (no per-campaign record is written for them). */
  unchanged: { id: string; revision: number }[];
  refused: boolean;
  interrupted: boolean;
  /** Hash of the rules file or saved plan the run came from. */
  sourceHash: string;
}

/**
 * An Ed25519 signature over the chain head (src/store/checkpoint.ts). `signature` covers the canonical JSON
 * of every other field but `publicKey`, which is carried for convenience: `keyId` (a SHA-256 fingerprint of the
 * public key) binds it, and a verifier that holds the trusted key checks the id and the signature with it.
 */
export interface SignedCheckpoint {
  format: "dialrules-checkpoint/1";
  /** The newest record the checkpoint covers, and its hash. */
  seq: number;
  headHash: string;
  /** When it was signed (ISO). */
  time: string;
  keyId: string;
  algorithm: "Ed25519";
  /** base64 */
  signature: string;
  /** base64 DER (SPKI) of the signer's public key. */
  publicKey: string;
}

/** How a write was made: with X-If-Match, after a fresh read on a platform without it, or last-writer-wins. */
export type WriteMode = "conditional" | "unconditional" | "overwrite";

/** What the engine hands the store for one attempt on one campaign. */
export interface AuditInput {
  runId: string;
  actor: string;
  reason: string;
  platform: string;
  campaignId: string;
  campaignName?: string;
  outcome: RecordOutcome;
  writeMode?: WriteMode;
  revisionBefore?: number;
  revisionAfter?: number;
  rulesBefore?: DialingRules;
  rulesAfter?: DialingRules;
  diff: FieldChange[];
  findings: Finding[];
  /** Secret-free description of the platform's error: code, status, message, field errors. */
  platformError?: {
    code: string;
    status?: number;
    message: string;
    fields?: { field: string; message: string }[];
  };
  /** Conflicting fields when outcome is "conflict": ours vs theirs. */
  conflicts?: { field: string; base: unknown; ours: unknown; theirs: unknown }[];
  /** Overrides (loosened limits) in force, with their reasons. */
  overrides?: { limit: string; value: unknown; reason: string }[];
  latencyMs?: number;
  requestId?: string;
  /** The `serve` change request this record belongs to (apply records and change_* records). */
  changeId?: string;
  /** Who requested that change (canonical identity). */
  requester?: string;
  /** Who approved it (canonical identities; empty for a low-risk change, which needs no approver). */
  approvers?: string[];
  /** outcome "run_summary" only. */
  runSummary?: RunSummary;
  /** outcome "checkpoint" only. */
  checkpoint?: SignedCheckpoint;
}
