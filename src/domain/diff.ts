import { sameValue } from "./equal.js";
import { type DialingRules, type PartialRules, RULE_FIELDS, type RuleField } from "./rules.js";

/** One field that changes: `from` is the platform's value, `to` the desired one. */
export interface FieldChange {
  field: RuleField;
  from: unknown;
  to: unknown;
}

/** The fields of `desired` whose value differs from `current`, in the canonical field order. */
export function diffRules(current: DialingRules, desired: PartialRules): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of RULE_FIELDS) {
    const to = desired[field];
    if (to === undefined) continue;
    if (!sameValue(current[field], to)) changes.push({ field, from: current[field], to });
  }
  return changes;
}

/** The partial rules that, written over `current`, produce `desired`: only the changed fields. */
export function patchFor(changes: readonly FieldChange[]): PartialRules {
  const patch: Record<string, unknown> = {};
  for (const c of changes) patch[c.field] = c.to;
  return patch as PartialRules;
}

/** True when `rules` already holds every value of `patch`. */
export function holdsAll(rules: DialingRules, patch: PartialRules): boolean {
  return RULE_FIELDS.every((f) => patch[f] === undefined || sameValue(rules[f], patch[f]));
}
