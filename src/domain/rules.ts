/** The dialing-rule model shared by every layer. Field meanings: ../../docs/architecture.md#rule-model */

export const DIALING_METHODS = ["PREDICTIVE", "PROGRESSIVE", "POWER", "PREVIEW"] as const;
export type DialingMethod = (typeof DIALING_METHODS)[number];

export const CAMPAIGN_STATUSES = ["ACTIVE", "PAUSED", "STOPPED"] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface RetrySettings {
  /** Retries after the first call. */
  maxAttempts: number;
  /** Minutes after the first call at which retry i+1 is placed; strictly increasing. */
  intervalMinutes: number[];
}

export interface AbandonmentThreshold {
  /** Fraction, 0.03 = 3 %. */
  maxRate: number;
  coolDownSec: number;
}

export interface DialingRules {
  dialingMethod: DialingMethod;
  retrySettings: RetrySettings;
  abandonmentRateThreshold: AbandonmentThreshold;
  /** Simultaneous outbound lines per available agent. */
  maxCallsPerAgent: number;
}

/** The four top-level fields; each is replaced as a whole by a write (the platform's PATCH semantics). */
export const RULE_FIELDS = [
  "dialingMethod",
  "retrySettings",
  "abandonmentRateThreshold",
  "maxCallsPerAgent",
] as const;
export type RuleField = (typeof RULE_FIELDS)[number];

/** Desired rules: a field that is absent is not managed by dialrules and is left as it is. */
export type PartialRules = Partial<DialingRules>;

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  revision: number;
  dialingRules: DialingRules;
  updatedAt?: string;
  /**
   * Rule fields the platform keeps in an object other campaigns may use too (genesys: retries live in
   * attempt limits shared by contact lists): field → that object's key. `plan` writes a change to such a
   * field only when every campaign with the same key resolves to the same value.
   */
  sharedFields?: Partial<Record<RuleField, string>>;
}
