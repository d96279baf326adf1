import type { DialingRules } from "../../src/domain/rules.js";
import { parseRulesValue, type RulesFile } from "../../src/domain/rules-file.js";
import { type Policy, policyFromFile } from "../../src/domain/validate.js";

/** A rules file from a plain object (schema-checked), for table tests. */
export function fileOf(value: Record<string, unknown>): RulesFile {
  return parseRulesValue({ profiles: [], campaigns: [], ...value }, "test.yaml");
}

export function policyOf(value: Record<string, unknown>): Policy {
  return policyFromFile(fileOf(value));
}

export const baseRules = (over: Partial<DialingRules> = {}): DialingRules => ({
  dialingMethod: "PROGRESSIVE",
  retrySettings: { maxAttempts: 2, intervalMinutes: [60, 1440] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
  maxCallsPerAgent: 1,
  ...over,
});

/** Retry settings whose first call plus retries are at the given minutes (first must be 0). */
export function schedule(...minutes: number[]): DialingRules["retrySettings"] {
  const intervalMinutes = minutes.slice(1);
  return { maxAttempts: intervalMinutes.length, intervalMinutes };
}
