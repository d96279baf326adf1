/**
 * Undo of one apply run: for every campaign the run changed, the values it replaced — unless the campaign
 * was changed since, which is a conflict to report, never something to overwrite. The result is a rules file
 * value, so the undo goes through the same validate → plan → apply path as any other change.
 */
import type { AuditInput } from "../domain/audit-record.js";
import { sameValue } from "../domain/equal.js";
import type { Campaign, PartialRules, RuleField } from "../domain/rules.js";

export interface RevertConflict {
  campaignId: string;
  field: string;
  /** What the run wrote, and what the platform holds now. */
  runWrote: unknown;
  now: unknown;
}

export interface RevertTargets {
  /** campaign id → the fields to restore with the values the run replaced. */
  restore: Map<string, PartialRules>;
  conflicts: RevertConflict[];
  /** Campaigns the run changed that the platform no longer lists. */
  missing: string[];
}

const WROTE = new Set(["applied", "overwritten"]);

export function revertTargets(
  runRecords: readonly AuditInput[],
  current: ReadonlyMap<string, Campaign>,
): RevertTargets {
  const byCampaign = new Map<string, AuditInput[]>();
  for (const r of runRecords) {
    if (!WROTE.has(r.outcome) || !r.rulesBefore || !r.rulesAfter) continue;
    byCampaign.set(r.campaignId, [...(byCampaign.get(r.campaignId) ?? []), r]);
  }
  const restore = new Map<string, PartialRules>();
  const conflicts: RevertConflict[] = [];
  const missing: string[] = [];
  for (const [id, records] of byCampaign) {
    const first = records[0] as AuditInput;
    const last = records[records.length - 1] as AuditInput;
    const fields = new Set(records.flatMap((r) => r.diff.map((d) => d.field as RuleField)));
    const now = current.get(id);
    if (!now) {
      missing.push(id);
      continue;
    }
    const changedSince = [...fields].filter((f) => !sameValue(now.dialingRules[f], last.rulesAfter?.[f]));
    if (changedSince.length > 0) {
      for (const f of changedSince) {
        conflicts.push({
          campaignId: id,
          field: f,
          runWrote: last.rulesAfter?.[f],
          now: now.dialingRules[f],
        });
      }
      continue;
    }
    const patch: Record<string, unknown> = {};
    for (const f of fields) patch[f] = first.rulesBefore?.[f];
    restore.set(id, patch as PartialRules);
  }
  return { restore, conflicts, missing };
}
