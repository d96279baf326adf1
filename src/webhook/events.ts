/**
 * The webhook wire format: event type per audit outcome and the delivered body. The store writes the outbox
 * row in the same transaction as the audit record, so composition roots give it `webhookEvent` as its
 * OutboxEventEncoder; the store persists what it returns without knowing the format.
 *
 *   applied                → campaign.rules.applied
 *   noop                   → campaign.rules.noop
 *   rejected_locally       → campaign.rules.rejected   (data.outcome says which side rejected)
 *   rejected_by_platform   → campaign.rules.rejected
 *   conflict               → campaign.rules.conflict
 *   failed                 → campaign.rules.failed
 *   overwritten            → campaign.rules.overwritten
 *   run_summary            → run.summary        (one per apply run; campaignId "")
 *   checkpoint             → audit.checkpoint   (data.checkpoint holds the signed head; campaignId "")
 *   change_pending_approval → change.pending_approval (serve: a high-risk change waits for a second person)
 *   change_approved / change_rejected → change.approved / change.rejected (the decision; data names the
 *                            change, its requester and approvers)
 */
import type { RecordOutcome } from "../domain/audit-record.js";
import type { AuditRecord, OutboxEvent } from "../store/types.js";

export const WEBHOOK_EVENT_TYPES = [
  "campaign.rules.applied",
  "campaign.rules.noop",
  "campaign.rules.rejected",
  "campaign.rules.conflict",
  "campaign.rules.failed",
  "campaign.rules.overwritten",
  "run.summary",
  "audit.checkpoint",
  "change.pending_approval",
  "change.approved",
  "change.rejected",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

const BY_OUTCOME: Record<RecordOutcome, WebhookEventType> = {
  applied: "campaign.rules.applied",
  noop: "campaign.rules.noop",
  rejected_locally: "campaign.rules.rejected",
  rejected_by_platform: "campaign.rules.rejected",
  conflict: "campaign.rules.conflict",
  failed: "campaign.rules.failed",
  overwritten: "campaign.rules.overwritten",
  run_summary: "run.summary",
  checkpoint: "audit.checkpoint",
  change_pending_approval: "change.pending_approval",
  change_approved: "change.approved",
  change_rejected: "change.rejected",
};

export function eventTypeFor(outcome: RecordOutcome): WebhookEventType {
  return BY_OUTCOME[outcome];
}

export interface WebhookBody {
  type: WebhookEventType;
  /** The audit record's time. */
  timestamp: string;
  data: AuditRecord;
}

export function webhookBody(record: AuditRecord): WebhookBody {
  return { type: eventTypeFor(record.outcome), timestamp: record.time, data: record };
}

/** The outbox event for an audit record: what the store persists and the worker delivers as is. */
export function webhookEvent(record: AuditRecord): OutboxEvent {
  return { type: eventTypeFor(record.outcome), payload: JSON.stringify(webhookBody(record)) };
}
