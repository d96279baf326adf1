/**
 * Validation of dialing rules against a policy. Returns every problem at once, each with a stable code,
 * the field path, an actionable message and the rule's source. Pure and deterministic: findings are sorted,
 * so neither the order of profiles nor of anything else in the input changes the result.
 *
 * Codes (stable; docs/validate-output.md):
 *   ABANDON_RATE_OVER_LIMIT, LICENSE_PREDICTIVE_REQUIRES_ENTERPRISE, RETRY_INTERVAL_OUT_OF_RANGE,
 *   RETRY_INTERVALS_NOT_INCREASING, RETRY_GAP_TOO_SHORT, RETRY_COUNT_MISMATCH, RETRY_TOO_MANY,
 *   FREQUENCY_WINDOW_EXCEEDED, CALLS_PER_AGENT_PREVIEW, CALLS_PER_AGENT_OVER_CEILING,
 *   RECALL_WITHIN_ABANDON_WINDOW (warning)
 */

import { attemptTimes, busiestWindow } from "./call-schedule.js";
import type { Finding } from "./findings.js";
import { type Policy, sortFindings } from "./policy.js";
import { BASELINE } from "./profiles.js";
import { type DialingMethod, type DialingRules, type PartialRules, possibleMethods } from "./rules.js";

export {
  type AppliedOverride,
  type FrequencyRule,
  type LimitValue,
  type Policy,
  policyFromFile,
} from "./policy.js";

const SCHEDULE_CITATION =
  "platform contract: intervalMinutes[i] is the minute after the first call at which retry i+1 is placed; one strictly increasing entry per retry";

const pct = (fraction: number): string => `${+(fraction * 100).toFixed(4)}%`;

/** Validates complete rules (the merged result of current + desired). */
export function validateRules(rules: DialingRules, policy: Policy, pathPrefix = "dialingRules"): Finding[] {
  return validatePartialRules(rules, policy, pathPrefix);
}

/**
 * Validates whatever fields are present; a check that needs an absent field is skipped. `validate` uses this
 * offline on defaults + entry; `plan` validates the merged result with `validateRules`.
 */
export function validatePartialRules(
  rules: PartialRules,
  policy: Policy,
  pathPrefix = "dialingRules",
): Finding[] {
  const out: Finding[] = [];
  const at = (field: string) => (pathPrefix ? `${pathPrefix}.${field}` : field);
  const add = (f: Omit<Finding, "path"> & { field: string }) => {
    const { field, ...rest } = f;
    out.push({ ...rest, path: at(field) });
  };

  const abandon = rules.abandonmentRateThreshold;
  const limit = policy.maxAbandonmentRate;
  if (abandon && limit && abandon.maxRate > limit.value) {
    add({
      severity: "error",
      code: "ABANDON_RATE_OVER_LIMIT",
      field: "abandonmentRateThreshold.maxRate",
      message: `maxRate ${abandon.maxRate} (${pct(abandon.maxRate)}) exceeds the ${limit.source} limit of ${limit.value} (${pct(limit.value)}); set it to at most ${limit.value}`,
      citation: limit.citation,
    });
  }

  // A method the platform cannot tell is validated as every method it may be: the strictest rules win.
  const methods = rules.dialingMethod === undefined ? [] : possibleMethods(rules.dialingMethod);
  const unsure =
    methods.length > 1 ? ` (the platform cannot tell whether it dials ${methods.join(" or ")})` : "";
  if (methods.includes("PREDICTIVE") && policy.licenseTier !== BASELINE.predictiveLicense.tier) {
    add({
      severity: "error",
      code: "LICENSE_PREDICTIVE_REQUIRES_ENTERPRISE",
      field: "dialingMethod",
      message: `PREDICTIVE dialing${unsure} needs the ENTERPRISE licence tier, but the rules file ${
        policy.licenseTier ? `declares ${policy.licenseTier}` : "declares no licenseTier"
      }; use PROGRESSIVE, POWER or PREVIEW, or declare licenseTier: ENTERPRISE if the tenant has it`,
      citation: BASELINE.predictiveLicense.citation,
    });
  }

  const perAgent = rules.maxCallsPerAgent;
  if (perAgent !== undefined)
    for (const method of methods) checkPerAgent(method, perAgent, policy, add, unsure);

  const retry = rules.retrySettings;
  if (retry) {
    checkRetry(retry.maxAttempts, retry.intervalMinutes, policy, add);
    const abandoning = methods.find(
      (method) =>
        method === "PREDICTIVE" ||
        ((method === "POWER" || method === "PROGRESSIVE") && perAgent !== undefined && perAgent > 1),
    );
    const recall = policy.recallAfterAbandonMinutes;
    if (recall && abandoning) {
      const times = attemptTimes(retry);
      const soon = times.findIndex((t, i) => i > 0 && t - (times[i - 1] as number) < recall.value);
      if (soon > 0) {
        add({
          severity: "warning",
          code: "RECALL_WITHIN_ABANDON_WINDOW",
          field: "retrySettings.intervalMinutes",
          message: `${abandoning}${unsure} can abandon calls and a retry comes ${(times[soon] as number) - (times[soon - 1] as number)} minutes after the previous attempt; after an abandoned or AMD-detected call, do not re-call within ${recall.value / 60} h unless a live agent is guaranteed`,
          citation: recall.citation,
        });
      }
    }
  }
  return sortFindings(out);
}

type Add = (f: Omit<Finding, "path"> & { field: string }) => void;

function checkPerAgent(
  method: DialingMethod,
  perAgent: number,
  policy: Policy,
  add: Add,
  unsure: string,
): void {
  const ceiling = policy.maxCallsPerAgent[method];
  if (method === "PREVIEW") {
    if (perAgent !== 1) {
      add({
        severity: "error",
        code: "CALLS_PER_AGENT_PREVIEW",
        field: "maxCallsPerAgent",
        message: `PREVIEW dials exactly one line per agent${unsure}, got maxCallsPerAgent ${perAgent}; set it to 1`,
        citation: ceiling.citation,
      });
    }
    return;
  }
  if (perAgent > ceiling.value) {
    add({
      severity: "error",
      code: "CALLS_PER_AGENT_OVER_CEILING",
      field: "maxCallsPerAgent",
      message: `maxCallsPerAgent ${perAgent} exceeds the ${method} ceiling of ${ceiling.value} lines per agent (${ceiling.source})${unsure}; lower it, or add an overrides: entry for maxCallsPerAgent.${method} with a reason`,
      citation: ceiling.citation,
    });
  }
}

function checkRetry(maxAttempts: number, intervals: readonly number[], policy: Policy, add: Add): void {
  const field = (i: number) => `retrySettings.intervalMinutes[${i}]`;
  if (maxAttempts !== intervals.length) {
    add({
      severity: "error",
      code: "RETRY_COUNT_MISMATCH",
      field: "retrySettings.maxAttempts",
      message: `maxAttempts is ${maxAttempts} but intervalMinutes lists ${intervals.length} retr${intervals.length === 1 ? "y" : "ies"}; give one interval per retry`,
      citation: SCHEDULE_CITATION,
    });
  }
  const maxRetries = policy.maxRetries;
  if (maxRetries && maxAttempts > maxRetries.value) {
    add({
      severity: "error",
      code: "RETRY_TOO_MANY",
      field: "retrySettings.maxAttempts",
      message: `maxAttempts ${maxAttempts} exceeds the limit of ${maxRetries.value} retries`,
      citation: maxRetries.citation,
    });
  }
  const { minRetryIntervalMinutes: min, maxRetryIntervalMinutes: max } = policy;
  for (const [i, minute] of intervals.entries()) {
    if (minute < min.value || minute > max.value) {
      add({
        severity: "error",
        code: "RETRY_INTERVAL_OUT_OF_RANGE",
        field: field(i),
        message: `retry ${i + 1} at minute ${minute} is outside the allowed range [${min.value}, ${max.value}] minutes after the first call`,
        citation: minute < min.value ? min.citation : max.citation,
      });
    }
    const prev = i === 0 ? 0 : (intervals[i - 1] as number);
    if (minute <= prev) {
      add({
        severity: "error",
        code: "RETRY_INTERVALS_NOT_INCREASING",
        field: field(i),
        message: `retry ${i + 1} at minute ${minute} is not after ${i === 0 ? "the first call at minute 0" : `retry ${i} at minute ${prev}`}: the attempts would coincide or cross; list strictly increasing minutes`,
        citation: SCHEDULE_CITATION,
      });
    } else if (i > 0 && minute - prev < min.value) {
      // index 0 is covered by the range check: its gap is its own value
      add({
        severity: "error",
        code: "RETRY_GAP_TOO_SHORT",
        field: field(i),
        message: `retry ${i + 1} at minute ${minute} is only ${minute - prev} minutes after retry ${i}; at least ${min.value} minutes are required between attempts`,
        citation: min.citation,
      });
    }
  }
  if (policy.frequency.length === 0) return;
  const times = attemptTimes({ intervalMinutes: [...intervals] });
  for (const rule of policy.frequency) {
    const busiest = busiestWindow(times, rule.windowMinutes);
    if (busiest.count > rule.maxAttempts) {
      add({
        severity: "error",
        code: "FREQUENCY_WINDOW_EXCEEDED",
        field: "retrySettings.intervalMinutes",
        message: `${busiest.count} calls (first call + retries) fall within ${rule.window} (minutes ${busiest.times[0]}–${busiest.times[busiest.times.length - 1]}), more than the ${rule.maxAttempts} allowed by ${rule.id}; spread the retries out or drop some`,
        citation: rule.citation,
      });
    }
  }
}
