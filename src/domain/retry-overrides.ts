/**
 * Retry settings a platform applies on top of a campaign's own (NICE CXone: per-phone-number cadence
 * maximums and a destination rest time override the skill's defaults). The rule model holds one schedule,
 * so such overrides are validated as the worst case they allow and reported as a warning; they are never
 * written. Pure.
 */
import type { Finding } from "./findings.js";
import type { Policy } from "./policy.js";
import type { DialingRules, RetryOverrides } from "./rules.js";
import { validateRules } from "./validate.js";

/**
 * The densest schedule the campaign may really follow: as many retries as the rules or any override allow,
 * spaced by the shortest gap either allows (1 minute when nothing says, the baseline minimum).
 */
export function withRetryOverrides(rules: DialingRules, overrides: RetryOverrides | undefined): DialingRules {
  if (overrides === undefined) return rules;
  const own = rules.retrySettings.intervalMinutes;
  const gaps = own.map((minute, i) => minute - (i === 0 ? 0 : (own[i - 1] as number)));
  if (overrides.minGapMinutes !== undefined) gaps.push(overrides.minGapMinutes);
  const gap = Math.max(1, Math.min(...gaps.filter((g) => g > 0), Number.POSITIVE_INFINITY));
  const step = Number.isFinite(gap) ? gap : 1;
  const count = Math.max(rules.retrySettings.maxAttempts, overrides.maxAttempts);
  return {
    ...rules,
    retrySettings: {
      maxAttempts: count,
      intervalMinutes: Array.from({ length: count }, (_, i) => (i + 1) * step),
    },
  };
}

/** Validation of rules as the platform applies them: the overrides' worst case, plus a warning naming them. */
export function validateWithOverrides(
  rules: DialingRules,
  overrides: RetryOverrides | undefined,
  policy: Policy,
): Finding[] {
  const findings = validateRules(withRetryOverrides(rules, overrides), policy);
  if (overrides === undefined) return findings;
  return [
    ...findings,
    {
      severity: "warning",
      code: "RETRY_OVERRIDES_NOT_MODELLED",
      path: "dialingRules.retrySettings",
      message: `the platform overrides this campaign's retry settings where the rules file cannot (${overrides.description}); retry checks assume the worst case they allow (${overrides.maxAttempts} retr${overrides.maxAttempts === 1 ? "y" : "ies"}${overrides.minGapMinutes === undefined ? "" : `, ${overrides.minGapMinutes} min apart`}). Change or remove them in the platform's own admin tool`,
    },
  ];
}
