/**
 * A server's policy as a floor under every change: the change is checked against the floor's profiles and
 * limits together with its own (strictest wins), under the floor's licence tier whatever the change says.
 * A change can only loosen a floor limit through `overrides:` (each with a reason).
 */
import type { LimitsSpec, RulesFile } from "./rules-file-types.js";

type ScalarLimit = Exclude<keyof LimitsSpec, "frequency">;
/** For each limit, whether a lower value is the stricter one. */
const LOWER_IS_STRICTER: Record<ScalarLimit, boolean> = {
  maxAbandonmentRate: true,
  minRetryIntervalMinutes: false,
  maxRetryIntervalMinutes: true,
  maxRetries: true,
  maxCallsPerAgent: true,
};

function strictestLimits(a: LimitsSpec, b: LimitsSpec): LimitsSpec {
  const out: LimitsSpec = {};
  for (const key of Object.keys(LOWER_IS_STRICTER) as ScalarLimit[]) {
    const x = a[key];
    const y = b[key];
    if (x === undefined && y === undefined) continue;
    if (x === undefined || y === undefined) out[key] = (x ?? y) as number;
    else out[key] = LOWER_IS_STRICTER[key] ? Math.min(x, y) : Math.max(x, y);
  }
  const frequency = [...(a.frequency ?? []), ...(b.frequency ?? [])];
  if (frequency.length > 0) out.frequency = frequency;
  return out;
}

/** The change as the server judges it: floor ∪ change profiles, strictest limits, the floor's tier. */
export function underFloor(change: RulesFile, floor: RulesFile): RulesFile {
  const profiles = [...new Set([...floor.profiles, ...change.profiles])];
  const { licenseTier: _requested, ...rest } = change;
  return {
    ...rest,
    profiles,
    ...(floor.licenseTier ? { licenseTier: floor.licenseTier } : {}),
    limits: strictestLimits(floor.limits, change.limits),
    overrides: [...floor.overrides, ...change.overrides],
  };
}

/** The floor alone applied to the change's campaigns (with the change's overrides): what may never break. */
export function floorOnly(change: RulesFile, floor: RulesFile): RulesFile {
  const { licenseTier: _requested, ...rest } = change;
  return {
    ...rest,
    profiles: [...floor.profiles],
    ...(floor.licenseTier ? { licenseTier: floor.licenseTier } : {}),
    limits: floor.limits,
    overrides: [...floor.overrides, ...change.overrides],
  };
}
