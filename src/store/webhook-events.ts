/**
 * Webhook event types per audit outcome. Lives in the store because the outbox row (and so the event type and
 * the exact body) is written in the same transaction as the audit record; src/webhook re-exports it.
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
 */
import type { AuditRecord, RecordOutcome } from "./types.js";

export const WEBHOOK_EVENT_TYPES = [
  "campaign.rules.applied",
  "campaign.rules.noop",
  "campaign.rules.rejected",
  "campaign.rules.conflict",
  "campaign.rules.failed",
  "campaign.rules.overwritten",
  "run.summary",
  "audit.checkpoint",
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
