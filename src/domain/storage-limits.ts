/**
 * What a platform cannot store, checked offline (`dialrules validate --platform NAME`): fields it has no
 * setting for and values it would hold differently (an irregular retry schedule where it keeps one interval,
 * a cool-down it lacks, more precision than it keeps). The same checks `plan` makes per campaign, made on
 * each entry of the rules file (defaults overlaid), so they show before anything is read. Pure.
 */
import type { Finding } from "./findings.js";
import { sortFindings } from "./policy.js";
import { type PartialRules, RULE_FIELDS, type RuleField } from "./rules.js";
import type { RulesFile } from "./rules-file-types.js";
import type { FileValidation, GroupValidation } from "./validate-file.js";

export interface StorageLimits {
  platform: string;
  writableFields: readonly RuleField[];
  /** Problems with values of writable fields; `field` is a dotted path below dialingRules. */
  cannotStore(rules: PartialRules): { field: string; message: string }[];
}

export function withStorageLimits(
  file: RulesFile,
  validation: FileValidation,
  limits: StorageLimits,
): FileValidation {
  const writable = new Set(limits.writableFields);
  const check = (group: GroupValidation, own: PartialRules, prefix: string): Finding[] => {
    const at = (path: string) => {
      const top = path.split(".")[0] as RuleField;
      return `${own[top] !== undefined ? prefix : "defaults.dialingRules"}.${path}`;
    };
    const findings: Finding[] = [];
    const storable: PartialRules = {};
    for (const field of RULE_FIELDS) {
      if (group.rules[field] === undefined) continue;
      if (!writable.has(field)) {
        findings.push({
          severity: "error",
          code: "PLATFORM_FIELD_NOT_WRITABLE",
          path: at(field),
          message: `the ${limits.platform} platform has no setting for ${field}; change it in the platform's own admin tool or remove it from the rules file`,
        });
      } else Object.assign(storable, { [field]: group.rules[field] });
    }
    for (const refused of limits.cannotStore(storable)) {
      findings.push({
        severity: "error",
        code: "PLATFORM_CANNOT_STORE",
        path: at(refused.field),
        message: `${limits.platform}: ${refused.message}`,
      });
    }
    return findings;
  };
  const key = (f: Finding) => `${f.code}\u0000${f.path}\u0000${f.message}`;
  const defaults = validation.defaults && {
    ...validation.defaults,
    findings: sortFindings([
      ...validation.defaults.findings,
      ...check(validation.defaults, file.defaults, "defaults.dialingRules"),
    ]),
  };
  const seen = new Set((defaults?.findings ?? []).map(key));
  // One lookup table, not a search of the file per entry: 100,000 entries made that quadratic.
  const byIndex = new Map(file.campaigns.map((e) => [e.index, e]));
  const entries = validation.entries.map((g) => {
    const entry = g.index === undefined ? undefined : byIndex.get(g.index);
    const own = entry?.dialingRules ?? {};
    const added = check(g, own, `campaigns[${g.index}].dialingRules`).filter((f) => !seen.has(key(f)));
    return { ...g, findings: sortFindings([...g.findings, ...added]) };
  });
  const all = [
    ...validation.policy.findings,
    ...(defaults?.findings ?? []),
    ...entries.flatMap((e) => e.findings),
  ];
  const errors = all.filter((f) => f.severity === "error").length;
  return {
    ...validation,
    ...(defaults ? { defaults } : {}),
    entries,
    errors,
    warnings: all.length - errors,
    valid: errors === 0,
  };
}
