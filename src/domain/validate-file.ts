/**
 * Offline validation of a whole rules file (`dialrules validate`): no platform, so each entry is checked with
 * what the file itself says — defaults + the entry's own rules. Checks that need a field neither sets are
 * skipped; `plan` validates the merged result (platform's current rules + desired) with the same rules.
 * Findings point at where the value was written: `defaults.dialingRules.…` or `campaigns[i].dialingRules.…`.
 */
import { type CapacityEstimate, type CapacityInputs, estimateForReading } from "./capacity.js";
import type { Finding } from "./findings.js";
import { type Policy, policyFromFile, sortFindings } from "./policy.js";
import { type DialingMethodReading, type PartialRules, RULE_FIELDS, type RuleField } from "./rules.js";
import type { CampaignEntry, RulesFile, Selector } from "./rules-file-types.js";
import { validatePartialRules } from "./validate.js";

export interface GroupValidation {
  /** "defaults" or `campaigns[i] (id …)` / `campaigns[i] (match "…")`. */
  label: string;
  index?: number;
  selector?: Selector;
  line?: number;
  /** The rules known offline: defaults overlaid with the entry's own fields. */
  rules: PartialRules;
  findings: Finding[];
  capacity?: CapacityEstimate;
}

export interface FileValidation {
  policy: Policy;
  /** Present when `defaults` sets any field; its findings are not repeated in each entry. */
  defaults?: GroupValidation;
  entries: GroupValidation[];
  errors: number;
  warnings: number;
  valid: boolean;
}

const CAPACITY_CITATION = "dialrules capacity model (docs/capacity.md)";

export function validateFile(file: RulesFile, capacity?: CapacityInputs): FileValidation {
  const policy = policyFromFile(file);
  const hasDefaults = RULE_FIELDS.some((f) => file.defaults[f] !== undefined);
  const estimate = capacity && sharedEstimates(capacity);
  const defaults = hasDefaults ? checkGroup("defaults", {}, file, policy, estimate) : undefined;
  const seen = new Set((defaults?.findings ?? []).map(key));
  const entries = file.campaigns.map((entry) => {
    const g = checkGroup(entry.label, entry.dialingRules, file, policy, estimate, entry);
    // a problem of the defaults alone is reported once, under "defaults"
    if (g.findings.length > 0) g.findings = g.findings.filter((f) => !seen.has(key(f)));
    return g;
  });
  const all = [...policy.findings, ...(defaults?.findings ?? []), ...entries.flatMap((e) => e.findings)];
  const errors = all.filter((f) => f.severity === "error").length;
  const result: FileValidation = {
    policy,
    entries,
    errors,
    warnings: all.length - errors,
    valid: errors === 0,
  };
  if (defaults) result.defaults = defaults;
  return result;
}

const NO_FINDINGS = Object.freeze([]) as unknown as Finding[];

type Estimate = (method: DialingMethodReading, maxCallsPerAgent: number, limit: number) => CapacityEstimate;

/**
 * The capacity estimate of each (method, calls per agent, abandonment limit) computed once and shared, frozen,
 * by every group that has it: a file's entries repeat a handful of combinations, and one estimate per entry
 * was ~360 B of the validation's ~460 B per entry (issue 17: ≤ 1 KB per entry).
 */
function sharedEstimates(inputs: CapacityInputs): Estimate {
  const known = new Map<string, CapacityEstimate>();
  return (method, maxCallsPerAgent, limit) => {
    const k = `${method}\u0000${maxCallsPerAgent}\u0000${limit}`;
    let est = known.get(k);
    if (est === undefined) {
      est = deepFreeze(estimateForReading(method, maxCallsPerAgent, limit, inputs));
      known.set(k, est);
    }
    return est;
  };
}

function deepFreeze(est: CapacityEstimate): CapacityEstimate {
  Object.freeze(est.inputs);
  return Object.freeze(est);
}

const key = (f: Finding): string => `${f.severity}\u0000${f.code}\u0000${f.path}\u0000${f.message}`;

function checkGroup(
  label: string,
  own: PartialRules,
  file: RulesFile,
  policy: Policy,
  estimate: Estimate | undefined,
  entry?: CampaignEntry,
): GroupValidation {
  // per entry, nothing here is kept but `rules`: no Map of origins, no prefix string unless a finding
  // needs it — 100,000 groups' garbage is what fills the heap between collections (issue 17)
  const merged: Record<string, unknown> = {};
  for (const field of RULE_FIELDS) {
    if (own[field] !== undefined) merged[field] = own[field];
    else if (file.defaults[field] !== undefined) merged[field] = file.defaults[field];
  }
  const rules = merged as PartialRules;
  const ownPrefix = () => (entry ? `campaigns[${entry.index}].dialingRules` : "defaults.dialingRules");
  const at = (field: RuleField) =>
    own[field] === undefined && file.defaults[field] !== undefined ? "defaults.dialingRules" : ownPrefix();
  const findings = validatePartialRules(rules, policy, "").map((f) => {
    const field = RULE_FIELDS.find((r) => f.path === r || f.path.startsWith(`${r}.`)) ?? "dialingMethod";
    return { ...f, path: `${at(field)}.${f.path}` };
  });
  // every field in the literal: properties added later cost each of 100,000 groups a separate property array
  const group: GroupValidation = !entry
    ? { label, rules, findings }
    : entry.line !== undefined
      ? { label, index: entry.index, selector: entry.selector, line: entry.line, rules, findings }
      : { label, index: entry.index, selector: entry.selector, rules, findings };
  const limit = rules.abandonmentRateThreshold?.maxRate ?? policy.maxAbandonmentRate?.value;
  if (estimate && rules.dialingMethod && rules.maxCallsPerAgent !== undefined && limit !== undefined) {
    const est = estimate(rules.dialingMethod, rules.maxCallsPerAgent, limit);
    group.capacity = est;
    if (est.canExceedAbandonmentLimit) {
      findings.push({
        severity: "warning",
        code: "CAPACITY_ABANDON_RISK",
        path: `${at("maxCallsPerAgent")}.maxCallsPerAgent`,
        message: `${est.method} at up to ${est.maxCallsPerAgent} lines per agent with connect rate ${est.inputs.connectRate} can abandon up to ${+(est.worstCaseAbandonRate * 100).toFixed(2)}% of live calls, above the ${+(limit * 100).toFixed(2)}% threshold; lower maxCallsPerAgent or make sure the dialer's abandonment throttle is on`,
        citation: CAPACITY_CITATION,
      });
    }
  }
  // most groups have no finding: they share one empty list (frozen: nothing may add to it)
  group.findings = findings.length === 0 ? NO_FINDINGS : sortFindings(findings);
  return group;
}
