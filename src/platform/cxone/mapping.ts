/**
 * Our rule model ⇄ a Personal Connection skill's general settings. The table, and why each choice was
 * made, is in docs/platforms/cxone.md#field-mapping. Reads always produce a full DialingRules; writes
 * refuse (PlatformValidationError, nothing sent) whatever CXone cannot hold exactly, instead of
 * approximating it.
 */
import { createHash } from "node:crypto";
import type { DialingRules, PartialRules, RuleField } from "../../domain/rules.js";
import { type PlatformFieldError, PlatformValidationError } from "../errors.js";
import { evenSchedule, evenSpacing } from "../even-spacing.js";
import { fractionToPercent, percentToFraction } from "../percent.js";
import type { GeneralSettings } from "./schemas.js";

export { fractionToPercent, percentToFraction };

/**
 * `dialingMethod` is absent: no Admin API field carries it (Personal Connection always paces
 * predictively, bounded by the settings below), so the plan reports a change to it as not writable.
 */
export const CXONE_WRITABLE_FIELDS: readonly RuleField[] = [
  "maxCallsPerAgent",
  "abandonmentRateThreshold",
  "retrySettings",
];

/** What a Personal Connection skill is shown as; a presentation for validation, never written. */
export const CXONE_DIALING_METHOD = "PREDICTIVE" as const;

/** The subset of general settings we write, exactly as PUT in `{"generalSettings": …}`. */
export interface GeneralSettingsPatch {
  maxConcurrentCallsPerAgent?: number;
  abandonRateThreshold?: number;
  overrideBusinessUnitAbandonRate?: boolean;
  maximumAttempts?: number;
  minimumRetryMinutes?: number;
}

export function toDialingRules(s: GeneralSettings): DialingRules {
  // maximumAttempts counts every dial of a record, the first one included; ours counts retries.
  const retries = Math.max(0, s.maximumAttempts - 1);
  return {
    dialingMethod: CXONE_DIALING_METHOD,
    // CXone spaces retries by at least minimumRetryMinutes; the densest schedule it allows is shown, so
    // frequency-cap validation sees the worst case.
    retrySettings: {
      maxAttempts: retries,
      intervalMinutes: evenSchedule(retries, s.minimumRetryMinutes),
    },
    // No cool-down exists on a skill; 0 is the only value a write can keep.
    abandonmentRateThreshold: { maxRate: percentToFraction(s.abandonRateThreshold), coolDownSec: 0 },
    maxCallsPerAgent: s.maxConcurrentCallsPerAgent,
  };
}

/**
 * The change marker the engine compares (`fresh.revision !== revision`). CXone keeps no version on skill
 * settings, so it is the first 48 bits of a SHA-256 over the mapped settings in a fixed key order: it
 * changes whenever a value we map changes (an exact A→B→A round trip gives A's number again, which
 * is harmless because the engine then sees the same values).
 */
export function revisionOf(s: GeneralSettings): number {
  const canonical = JSON.stringify([
    s.maxConcurrentCallsPerAgent,
    s.abandonRateThreshold,
    s.overrideBusinessUnitAbandonRate,
    s.maximumAttempts,
    s.minimumRetryMinutes,
  ]);
  return createHash("sha256").update(canonical).digest().readUIntBE(0, 6);
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
    patch.abandonRateThreshold = fractionToPercent(abandon.maxRate);
    // Without the override the business unit's rate applies and ours would be stored but ignored.
    patch.overrideBusinessUnitAbandonRate = true;
  }
  const retry = rules.retrySettings;
  if (retry !== undefined) {
    const spacing = evenSpacing(retry.intervalMinutes);
    if (retry.maxAttempts !== retry.intervalMinutes.length) {
      refused.push({
        field: "retrySettings.maxAttempts",
        message: `maxAttempts ${retry.maxAttempts} does not match ${retry.intervalMinutes.length} interval(s)`,
      });
    } else if (retry.maxAttempts > 0 && spacing === undefined) {
      refused.push({
        field: "retrySettings.intervalMinutes",
        message: `CXone holds one minimum retry interval per skill, so only evenly spaced retries [d, 2d, 3d, …] can be written exactly; got [${retry.intervalMinutes.join(", ")}]`,
      });
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
