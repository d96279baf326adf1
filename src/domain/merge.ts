import { sameValue } from "./equal.js";
import { type DialingRules, type PartialRules, RULE_FIELDS, type RuleField } from "./rules.js";

/** A field both sides changed to different values since the base. */
export interface FieldConflict {
  field: RuleField;
  base: unknown;
  ours: unknown;
  theirs: unknown;
}

export interface ThreeWayMerge {
  /** Fields still to write so that the platform holds ours (never a field only they changed). */
  patch: PartialRules;
  /** Fields where ours and theirs disagree and both moved away from the base. */
  conflicts: FieldConflict[];
  /** Fields the other writer changed since the base (kept as theirs unless in conflict). */
  theirChanges: RuleField[];
}

/**
 * Three-way merge per top-level rule field.
 * - base: what the plan read; theirs: what the platform holds now; ours: the fields we want to set.
 * - Only ours changed → write ours. Only theirs changed → keep theirs (not written).
 * - Both changed to the same value → nothing to write. Both changed differently → conflict.
 * A nested object (retry settings, abandonment threshold) is one value: the platform replaces it whole,
 * so merging inside it could write a combination neither side chose.
 */
export function threeWayMerge(base: DialingRules, theirs: DialingRules, ours: PartialRules): ThreeWayMerge {
  const patch: Record<string, unknown> = {};
  const conflicts: FieldConflict[] = [];
  const theirChanges = RULE_FIELDS.filter((f) => !sameValue(base[f], theirs[f]));
  for (const field of RULE_FIELDS) {
    const want = ours[field];
    if (want === undefined || sameValue(theirs[field], want)) continue;
    if (sameValue(base[field], theirs[field])) patch[field] = want;
    else conflicts.push({ field, base: base[field], ours: want, theirs: theirs[field] });
  }
  return { patch: patch as PartialRules, conflicts, theirChanges };
}

/** Last-writer-wins: every field of ours that differs from theirs, conflicts included. */
export function overwritePatch(theirs: DialingRules, ours: PartialRules): PartialRules {
  const patch: Record<string, unknown> = {};
  for (const field of RULE_FIELDS) {
    const want = ours[field];
    if (want !== undefined && !sameValue(theirs[field], want)) patch[field] = want;
  }
  return patch as PartialRules;
}
