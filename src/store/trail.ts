/**
 * Questions a compliance team asks of the trail, answered from records alone (pure over what `list` returns):
 * which rules were in force for a campaign at a time, and which record proves it.
 */

import type { SignedCheckpoint } from "../domain/audit-record.js";
import type { DialingRules } from "../domain/rules.js";
import type { AuditRecord } from "./types.js";

/** Outcomes after which the platform held the record's rulesAfter. */
const TOOK_EFFECT = new Set(["applied", "overwritten", "noop"]);

export interface AsOfAnswer {
  campaignId: string;
  time: string;
  /** The rules in force at `time`, or undefined when the trail does not say. */
  rules?: DialingRules;
  revision?: number;
  /** How the answer was reached, in words. */
  basis: string;
  /** The record that establishes the answer, and the other records of the campaign up to `time`. */
  proof?: AuditRecord;
  records: AuditRecord[];
  /** The first stored checkpoint that covers the proof record (signed after it). */
  coveredBy?: SignedCheckpoint;
}

/**
 * `records` are the campaign's records, oldest first (any time); `checkpoints` the checkpoint records.
 * The answer is the rulesAfter of the newest record at or before `time` that took effect; with none, the
 * rulesBefore of the first record after it (the platform held them until that change).
 */
export function rulesAsOf(
  campaignId: string,
  time: string,
  records: readonly AuditRecord[],
  checkpoints: readonly AuditRecord[],
): AsOfAnswer {
  const at = Date.parse(time);
  const until = records.filter((r) => Date.parse(r.time) <= at);
  const proof = [...until].reverse().find((r) => TOOK_EFFECT.has(r.outcome) && r.rulesAfter !== undefined);
  const covered = (seq: number) =>
    checkpoints.map((c) => c.checkpoint).find((c): c is SignedCheckpoint => c !== undefined && c.seq >= seq);
  if (proof) {
    return {
      campaignId,
      time,
      rules: proof.rulesAfter,
      revision: proof.revisionAfter,
      basis: `set by record seq ${proof.seq} (${proof.outcome} at ${proof.time} by ${proof.actor}) and not changed by a later record before ${time}`,
      proof,
      records: until,
      coveredBy: covered(proof.seq),
    };
  }
  const next = records.find((r) => Date.parse(r.time) > at && r.rulesBefore !== undefined);
  if (next) {
    return {
      campaignId,
      time,
      rules: next.rulesBefore,
      revision: next.revisionBefore,
      basis: `held before the first recorded change, record seq ${next.seq} at ${next.time} (its "before" values)`,
      proof: next,
      records: until,
      coveredBy: covered(next.seq),
    };
  }
  return {
    campaignId,
    time,
    basis: "the trail holds no record of this campaign that says which rules it had then",
    records: until,
  };
}
