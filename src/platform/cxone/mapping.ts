/**
 * Our rule model ⇄ a Personal Connection skill's general settings. The table, and why each choice was
 * made, is in docs/platforms/cxone.md#field-mapping. Reads always produce a full DialingRules; writes
 * refuse (PlatformValidationError, nothing sent) whatever CXone cannot hold exactly, instead of
 * approximating it.
 */
import { createHash } from "node:crypto";
import {
  type DialingMethod,
  type DialingMethodReading,
  type DialingRules,
  methodReading,
  type PartialRules,
  type RetryOverrides,
  type RuleField,
} from "../../domain/rules.js";
import { type PlatformFieldError, PlatformValidationError } from "../errors.js";
import { evenSchedule, evenSpacing, unevenRetryRefusal } from "../even-spacing.js";
import { fractionToPercent, percentToFraction } from "../percent.js";
import type { SkillSettings } from "./schemas.js";

export { fractionToPercent, percentToFraction };

/**
 * `dialingMethod` is absent: no Admin API field selects it (a Personal Connection skill dials progressive or
 * predictive, optionally with preview), so the plan reports a change to it as not writable.
 */
export const CXONE_WRITABLE_FIELDS: readonly RuleField[] = [
  "maxCallsPerAgent",
  "abandonmentRateThreshold",
  "retrySettings",
];

/** The subset of general settings we write, exactly as PUT in `{"generalSettings": …}`. */
export interface GeneralSettingsPatch {
  maxConcurrentCallsPerAgent?: number;
  abandonRateThreshold?: number;
  overrideBusinessUnitAbandonRate?: boolean;
  maximumAttempts?: number;
  minimumRetryMinutes?: number;
}

/** NICE stores the abandon rate with one decimal of a percent: 0.029 (2.9 %) fits, 0.0295 (2.95 %) does not. */
export function fitsAbandonPrecision(fraction: number): boolean {
  const tenths = fraction * 1000;
  return Math.abs(Math.round(tenths) - tenths) < 1e-6;
}

/**
 * Which methods a skill may dial, from the documented signals (docs/platforms/cxone.md#dialing-method):
 * a `maximumRatio` of at most 1 call per agent cannot pace predictively (assumed), so only progressive;
 * otherwise progressive or predictive. Preview is possible unless `deliveryPreferences` says confirmation
 * is disabled (assumed meaning). Never a single guessed method.
 */
export function readDialingMethod(s: SkillSettings): DialingMethodReading {
  const ratio = s.general.maximumRatio;
  const paced: DialingMethod[] =
    typeof ratio === "number" && ratio <= 1 ? ["PROGRESSIVE"] : ["PROGRESSIVE", "PREDICTIVE"];
  const previewOff = s.delivery?.confirmationRequiredDisabled === true;
  return methodReading(previewOff ? paced : [...paced, "PREVIEW"]);
}

const REQUIRED = [
  "maxConcurrentCallsPerAgent",
  "abandonRateThreshold",
  "maximumAttempts",
  "minimumRetryMinutes",
] as const;

/** A skill as dialrules sees it: the rules, or why it is not managed, and the retry overrides. */
export interface SkillReading {
  rules: DialingRules;
  notManaged?: string;
  retryOverrides?: RetryOverrides;
}

export function readSkill(s: SkillSettings): SkillReading {
  const g = s.general;
  const missing = REQUIRED.filter((k) => typeof g[k] !== "number");
  const num = (k: (typeof REQUIRED)[number]) => g[k] ?? 0;
  const rules = toDialingRules(s, num);
  if (missing.length > 0) {
    return {
      rules,
      notManaged: `CXone returned no value for ${missing.join(", ")}; set ${missing.length === 1 ? "it" : "them"} on the skill (ACD > Skills > Parameters) so dialrules can plan against known values`,
    };
  }
  const overrides = retryOverridesOf(s);
  return overrides === undefined ? { rules } : { rules, retryOverrides: overrides };
}

function toDialingRules(s: SkillSettings, num: (k: (typeof REQUIRED)[number]) => number): DialingRules {
  // maximumAttempts counts every dial of a record, the first one included; ours counts retries.
  const retries = Math.max(0, num("maximumAttempts") - 1);
  const rest = num("minimumRetryMinutes");
  return {
    dialingMethod: readDialingMethod(s),
    // CXone spaces retries by at least minimumRetryMinutes; the densest schedule it allows is shown, so
    // frequency-cap validation sees the worst case.
    retrySettings: {
      maxAttempts: retries,
      intervalMinutes: evenSchedule(retries, rest),
    },
    // No cool-down exists on a skill; 0 is the only value a write can keep.
    abandonmentRateThreshold: { maxRate: percentToFraction(num("abandonRateThreshold")), coolDownSec: 0 },
    maxCallsPerAgent: num("maxConcurrentCallsPerAgent"),
  };
}

/**
 * The skill's maximum attempts and minimum retry minutes are defaults that the cadence's per-phone-field
 * maximums and destination rest time override (NICE help, SkillParametersGeneralSettingsPage). The worst
 * case they allow, when any exists; the rule model cannot hold them.
 */
export function retryOverridesOf(s: SkillSettings): RetryOverrides | undefined {
  const cadence = s.cadence;
  if (!cadence) return undefined;
  const perField = [...(cadence.cadenceMaximumAttempts ?? []), ...(cadence.cadences ?? [])]
    .map((e) => ({ field: e.fieldName ?? "?", attempts: e.attempts ?? e.maximumAttempts }))
    .filter(
      (e): e is { field: string; attempts: number } => typeof e.attempts === "number" && e.attempts > 0,
    );
  const defaultRest = s.general.minimumRetryMinutes ?? undefined;
  const rest = cadence.destinationRetryRestMinutes;
  const shorterRest =
    typeof rest === "number" && rest > 0 && (defaultRest === undefined || rest < defaultRest)
      ? rest
      : undefined;
  if (perField.length === 0 && shorterRest === undefined) return undefined;
  const dials = Math.max(s.general.maximumAttempts ?? 1, ...perField.map((e) => e.attempts));
  const parts = [
    ...(perField.length > 0
      ? [`cadence maximum attempts ${perField.map((e) => `${e.field} ${e.attempts}`).join(", ")}`]
      : []),
    ...(shorterRest === undefined ? [] : [`destination retry rest ${shorterRest} min`]),
  ];
  const gap = Math.min(shorterRest ?? Number.POSITIVE_INFINITY, defaultRest ?? Number.POSITIVE_INFINITY);
  return {
    maxAttempts: Math.max(0, dials - 1),
    ...(Number.isFinite(gap) && gap > 0 ? { minGapMinutes: gap } : {}),
    description: `CXone skill parameters: ${parts.join("; ")}`,
  };
}

/**
 * The change marker the engine compares (`fresh.revision !== revision`). CXone keeps no version on skill
 * settings, so it is the first 48 bits of a SHA-256 over the mapped settings in a fixed key order: it
 * changes whenever a value we map changes (an exact A→B→A round trip gives A's number again, which
 * is harmless because the engine then sees the same values).
 */
export function revisionOf(s: SkillSettings): number {
  const g = s.general;
  const overrides = retryOverridesOf(s);
  const canonical = JSON.stringify([
    g.maxConcurrentCallsPerAgent ?? null,
    g.abandonRateThreshold ?? null,
    g.overrideBusinessUnitAbandonRate ?? null,
    g.maximumAttempts ?? null,
    g.minimumRetryMinutes ?? null,
    readDialingMethod(s),
    overrides ?? null,
  ]);
  return createHash("sha256").update(canonical).digest().readUIntBE(0, 6);
}

/** What CXone could not hold exactly in `rules`, each with the field (as `plan` and `validate` report it). */
export function cannotStoreOnCxone(rules: PartialRules): PlatformFieldError[] {
  try {
    toGeneralSettingsPatch("0", rules);
    return [];
  } catch (err) {
    if (err instanceof PlatformValidationError) return err.fields;
    throw err;
  }
}

/** The PUT body for `rules`, or a PlatformValidationError naming each part CXone cannot hold exactly. */
export function toGeneralSettingsPatch(skillId: string, rules: PartialRules): GeneralSettingsPatch {
  const patch: GeneralSettingsPatch = {};
  const refused: PlatformFieldError[] = [];
  if (rules.dialingMethod !== undefined) {
    refused.push({
      field: "dialingMethod",
      message: "CXone has no setting for the dialing method of a Personal Connection skill",
    });
  }
  if (rules.maxCallsPerAgent !== undefined) patch.maxConcurrentCallsPerAgent = rules.maxCallsPerAgent;
  const abandon = rules.abandonmentRateThreshold;
  if (abandon !== undefined) {
    if (abandon.coolDownSec !== 0) {
      refused.push({
        field: "abandonmentRateThreshold.coolDownSec",
        message: `CXone skills have no abandonment cool-down; set coolDownSec to 0 for cxone campaigns (got ${abandon.coolDownSec})`,
      });
    }
    if (!fitsAbandonPrecision(abandon.maxRate)) {
      const percent = fractionToPercent(abandon.maxRate);
      const down = Math.floor(percent * 10) / 10;
      refused.push({
        field: "abandonmentRateThreshold.maxRate",
        message: `CXone stores the abandon rate with one decimal of a percent, so ${abandon.maxRate} (${percent}%) would be stored rounded and drift from the rules file; use ${percentToFraction(down)} (${down}%) or ${percentToFraction(down + 0.1)} (${+(down + 0.1).toFixed(1)}%)`,
      });
    }
    patch.abandonRateThreshold = fractionToPercent(abandon.maxRate);
    // Without the override the business unit's rate applies and ours would be stored but ignored.
    patch.overrideBusinessUnitAbandonRate = true;
  }
  const retry = rules.retrySettings;
  if (retry !== undefined) {
    const spacing = evenSpacing(retry.intervalMinutes);
    const refusal = unevenRetryRefusal(retry, "CXone holds one minimum retry interval per skill");
    if (refusal !== undefined) {
      refused.push(refusal);
    } else {
      patch.maximumAttempts = retry.maxAttempts + 1;
      if (spacing !== undefined) patch.minimumRetryMinutes = spacing;
    }
  }
  if (refused.length > 0) {
    throw new PlatformValidationError(
      refused,
      undefined,
      `skill ${skillId}: CXone cannot hold this change exactly, nothing was sent: ${refused.map((f) => `${f.field}: ${f.message}`).join("; ")}`,
    );
  }
  return patch;
}
