/**
 * Strict checking of `PUT …/parameters/general-settings` bodies: `{"generalSettings": {…}}` with known
 * fields of the right types only. Ranges of the fields dialrules writes are the simulator's assumptions
 * (docs/platforms/cxone.md lists them); unknown fields are refused so a driver typo cannot pass unseen.
 */
import type { SimGeneralSettings } from "./types.js";

const INTEGER_RANGES: Record<string, [number, number]> = {
  minimumRetryMinutes: [1, 43_200],
  maximumAttempts: [1, 300],
  maxConcurrentCallsPerAgent: [1, 10],
  defaultContactExpiration: [0, 365],
  maximumRingingDuration: [1, 120],
  beginDampenPercentage: [0, 100],
  inactiveBlenderTimer: [0, 3600],
  endOfListNotificationsDelay: [0, 3600],
  percentageOfAgentsBeforeOverdial: [0, 100],
  consecutiveAttemptsWithoutALiveConnect: [0, 100],
  proficiencyFactor: [0, 100],
  waitTimeFactor: [0, 100],
  maxWaitTimeSeconds: [0, 3600],
};
/** `aggressiveness` is a string in NICE's spec ("conservative"), not a number. */
const STRINGS: Record<string, readonly string[]> = {
  aggressiveness: ["conservative", "moderate", "aggressive"],
};
/** Percentages NICE keeps with one decimal: a value with more is stored rounded (2.95 → 3). */
const ONE_DECIMAL = new Set(["abandonRateThreshold", "abandonRateCutoff"]);
/** Percentages (0–100) and the ratio (at most two decimals). */
const DECIMAL_RANGES: Record<string, [number, number]> = {
  abandonRateThreshold: [0, 100],
  abandonRateCutoff: [0, 100],
  maximumRatio: [1, 10],
};
const BOOLEANS = new Set([
  "getPriorityContactsOnContactInsertion",
  "loadCallbacks",
  "loadFresh",
  "loadNonFresh",
  "overrideBusinessUnitAbandonRate",
  "notifyAgentsWhenListIsEmpty",
  "blockMultipleCalls",
  "enableDialingByProficiency",
  "deliverCallbacksOnDNCHolidays",
  "deliverPrioritiesOnDNCHolidays",
]);

export type SettingsCheck = { ok: true; settings: SimGeneralSettings } | { ok: false; problems: string[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function checkSettingsBody(body: unknown): SettingsCheck {
  if (!isObject(body)) return { ok: false, problems: ["body: must be a JSON object"] };
  const extra = Object.keys(body).filter((k) => k !== "generalSettings");
  if (extra.length > 0) return { ok: false, problems: extra.map((k) => `${k}: unknown field`) };
  return checkSettings(body.generalSettings, "generalSettings");
}

export function checkSettings(value: unknown, prefix: string): SettingsCheck {
  if (!isObject(value)) return { ok: false, problems: [`${prefix}: must be an object`] };
  const problems: string[] = [];
  const settings: SimGeneralSettings = {};
  for (const [key, v] of Object.entries(value)) {
    const path = `${prefix}.${key}`;
    const int = INTEGER_RANGES[key];
    const dec = DECIMAL_RANGES[key];
    const choices = STRINGS[key];
    if (v === null) {
      // NICE's spec types every setting as nullable.
      settings[key] = null;
    } else if (choices) {
      if (typeof v !== "string" || !choices.includes(v)) {
        problems.push(`${path}: must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}`);
      } else settings[key] = v;
    } else if (int) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < int[0] || v > int[1]) {
        problems.push(`${path}: must be an integer from ${int[0]} to ${int[1]}, got ${JSON.stringify(v)}`);
      } else settings[key] = v;
    } else if (dec) {
      const oneDecimal = ONE_DECIMAL.has(key);
      const twoDecimals = typeof v === "number" && Math.abs(Math.round(v * 100) - v * 100) < 1e-9;
      if (
        typeof v !== "number" ||
        !Number.isFinite(v) ||
        v < dec[0] ||
        v > dec[1] ||
        (!oneDecimal && !twoDecimals)
      ) {
        problems.push(
          `${path}: must be a number from ${dec[0]} to ${dec[1]}${oneDecimal ? "" : " with at most two decimals"}, got ${JSON.stringify(v)}`,
        );
      } else settings[key] = oneDecimal ? Math.round(v * 10) / 10 : v;
    } else if (BOOLEANS.has(key)) {
      if (typeof v !== "boolean") problems.push(`${path}: must be true or false, got ${JSON.stringify(v)}`);
      else settings[key] = v;
    } else {
      problems.push(`${path}: unknown field`);
    }
  }
  if (Object.keys(value).length === 0) problems.push(`${prefix}: no settings given`);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings };
}

/** Rules across fields, checked on the merged result. */
export function crossFieldProblems(merged: SimGeneralSettings): string[] {
  const threshold = merged.abandonRateThreshold;
  const cutoff = merged.abandonRateCutoff;
  if (typeof threshold === "number" && typeof cutoff === "number" && cutoff > 0 && threshold > cutoff) {
    return [`generalSettings.abandonRateThreshold: ${threshold} must not exceed abandonRateCutoff ${cutoff}`];
  }
  return [];
}
