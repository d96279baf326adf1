/** The parsed, checked rules file. Shape and precedence: ../../docs/rules-file.md */
import type { LicenseTier, ProfileId } from "./profiles.js";
import type { PartialRules } from "./rules.js";

/** How an entry picks campaigns: an exact platform id, or a glob on the campaign name. */
export type Selector = { kind: "id"; id: string } | { kind: "match"; pattern: string };

export interface CampaignEntry {
  /** Position in `campaigns:`; entries are referred to as `campaigns[index]`. */
  index: number;
  selector: Selector;
  dialingRules: PartialRules;
  /** e.g. `campaigns[2] (match "Collections-*")`, `campaigns[0] (id CMP-1)`. */
  label: string;
  /** 1-based position of the entry in the file, when known. */
  line?: number;
  column?: number;
}

/** Methods whose lines-per-agent ceiling can be tightened or overridden (PREVIEW is fixed at 1). */
export const CEILING_METHODS = ["PROGRESSIVE", "POWER", "PREDICTIVE"] as const;
export type CeilingMethod = (typeof CEILING_METHODS)[number];

export interface FrequencySpec {
  maxAttempts: number;
  windowMinutes: number;
}

/** `limits:` only tighten what the profiles and the baseline allow. */
export interface LimitsSpec {
  maxAbandonmentRate?: number;
  minRetryIntervalMinutes?: number;
  maxRetryIntervalMinutes?: number;
  /** Ceiling on `retrySettings.maxAttempts` (retries after the first call). */
  maxRetries?: number;
  /** Ceiling on lines per agent for every method. */
  maxCallsPerAgent?: number;
  /** Extra sliding-window frequency limits (always a tightening). */
  frequency?: FrequencySpec[];
}

/**
 * Limits an override may loosen: the scalar limits, a method's lines-per-agent ceiling, or the attempt
 * count of a profile's frequency rule (`frequency.US_REG_F`).
 */
export type OverrideLimit =
  | "maxAbandonmentRate"
  | "minRetryIntervalMinutes"
  | "maxRetryIntervalMinutes"
  | `maxCallsPerAgent.${CeilingMethod}`
  | `frequency.${ProfileId}`;

export interface Override {
  limit: OverrideLimit;
  value: number;
  /** Why loosening is justified; written to the audit record. Never empty. */
  reason: string;
  line?: number;
}

export interface CapacitySpec {
  agents?: number;
  avgHandleTimeSec?: number;
  /** Fraction of dials answered by a live person, in (0, 1]. */
  connectRate?: number;
}

export interface RulesFile {
  fileName: string;
  /** In canonical order (PROFILE_IDS), no duplicates: the order in the file never matters. */
  profiles: ProfileId[];
  /** Absent: predictive dialing is refused (the tier cannot be shown to be ENTERPRISE). */
  licenseTier?: LicenseTier;
  limits: LimitsSpec;
  overrides: Override[];
  capacity?: CapacitySpec;
  /** `defaults.dialingRules`: the lowest-precedence layer for every targeted campaign. */
  defaults: PartialRules;
  campaigns: CampaignEntry[];
}

export const entryLabel = (index: number, selector: Selector): string =>
  // join, not a template: a template's result is a chain of V8 cons strings (about 200 bytes an entry,
  // kept for as long as the file is), join's one flat string — it matters at 100,000 entries (issue 17)
  (selector.kind === "id"
    ? ["campaigns[", index, "] (id ", selector.id, ")"]
    : ["campaigns[", index, "] (match ", JSON.stringify(selector.pattern), ")"]
  ).join("");
