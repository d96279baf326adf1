/** The dialing-rule model shared by every layer. Field meanings: ../../docs/architecture.md#rule-model */

export const DIALING_METHODS = ["PREDICTIVE", "PROGRESSIVE", "POWER", "PREVIEW"] as const;
export type DialingMethod = (typeof DIALING_METHODS)[number];

/**
 * The platform cannot tell which of these methods a campaign dials (e.g. a NICE CXone Personal Connection
 * skill: progressive or predictive, optionally with preview). Only ever read from a platform, never written
 * and never in a rules file; validation applies the strictest rules of every method listed.
 */
export interface UnknownDialingMethod {
  /** Two or more methods, in DIALING_METHODS order. */
  oneOf: readonly DialingMethod[];
}
export type DialingMethodReading = DialingMethod | UnknownDialingMethod;

/** The methods a reading allows: one when known, every candidate otherwise. */
export function possibleMethods(method: DialingMethodReading): readonly DialingMethod[] {
  return typeof method === "string" ? [method] : method.oneOf;
}

/** The reading for a set of candidates: the method itself when only one remains, in a stable order. */
export function methodReading(candidates: Iterable<DialingMethod>): DialingMethodReading {
  const set = new Set(candidates);
  const oneOf = DIALING_METHODS.filter((m) => set.has(m));
  if (oneOf.length === 0) throw new RangeError("a dialing-method reading needs at least one method");
  return oneOf.length === 1 ? (oneOf[0] as DialingMethod) : { oneOf };
}

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
  /** A single method, or (read from a platform that cannot tell) the set it may be. */
  dialingMethod: DialingMethodReading;
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

/**
 * Desired rules: a field that is absent is not managed by dialrules and is left as it is. (A rules file
 * always names one dialing method; only a platform's reading can be a set, and no driver writes one.)
 */
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
  /**
   * Retry settings the platform applies on top of `dialingRules.retrySettings` that the rule model cannot
   * express (per-number or per-outcome overrides): validation checks the worst case they allow.
   */
  retryOverrides?: RetryOverrides;
}

/** The worst case of a platform's retry overrides, in the model's terms. */
export interface RetryOverrides {
  /** Most retries (after the first call) any override allows. */
  maxAttempts: number;
  /** Shortest rest between two attempts any override allows, when the platform says. */
  minGapMinutes?: number;
  /** What the platform holds, for the warning, e.g. "cadence: Phone1 8 attempts; destination rest 30 min". */
  description: string;
}
