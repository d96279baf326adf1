import type { CapacityEstimate } from "../domain/capacity.js";
import type { FieldChange } from "../domain/diff.js";
import type { Finding } from "../domain/findings.js";
import type { DialingRules, PartialRules } from "../domain/rules.js";
import type { RulesFile } from "../domain/rules-file.js";
import type { NotManagedCampaign } from "../platform/platform.js";

export type PlannedStatus = "change" | "unchanged" | "invalid";

export interface PlannedCampaign {
  id: string;
  name: string;
  /** The revision read at plan time; writes are conditional on it. */
  revision: number;
  status: PlannedStatus;
  /** The platform's rules at plan time: the base of the three-way merge. */
  current: DialingRules;
  /** Every field the rules file manages for this campaign (changed or not). */
  desired: PartialRules;
  changes: FieldChange[];
  findings: Finding[];
  /** Which entries of the rules file set this campaign's fields. */
  sources: string[];
  capacity?: CapacityEstimate;
}

/** A plan as saved by `plan --out`: enough to apply later and to re-validate after a merge. */
export interface Plan {
  format: "dialrules-plan/1";
  createdAt: string;
  platform: string;
  /** SHA-256 of the rules file text. */
  sourceHash: string;
  rulesFile: RulesFile;
  campaigns: PlannedCampaign[];
  /** Campaigns the platform has but dialrules never writes (e.g. agentless), with the reason. */
  notManaged?: NotManagedCampaign[];
  /** Problems not tied to one campaign (an id the platform does not know, a match that matches nothing). */
  findings: Finding[];
  summary: PlanSummary;
}

export interface PlanSummary {
  toChange: number;
  unchanged: number;
  invalid: number;
  /** Errors not tied to a campaign. */
  fileErrors: number;
}
