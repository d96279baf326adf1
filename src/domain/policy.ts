/**
 * The effective policy of a rules file: the selected profiles combined (strictest wins), the baseline,
 * `overrides:` (the only way to loosen, always with a reason) and then `limits:` (only ever tighten).
 * Every limit keeps the citation of whatever set it, so a finding can quote its source.
 */
import type { Finding } from "./findings.js";
import {
  type Advisory,
  BASELINE,
  type LicenseTier,
  PROFILE_IDS,
  PROFILES,
  type ProfileId,
} from "./profiles.js";
import type { DialingMethod } from "./rules.js";
import {
  CEILING_METHODS,
  type CeilingMethod,
  type OverrideLimit,
  type RulesFile,
} from "./rules-file-types.js";

export interface LimitValue {
  value: number;
  citation: string;
  /** What set it: a profile id (or several joined by "+"), "baseline", "limits" or "overrides[i]". */
  source: string;
}

export interface FrequencyRule {
  /** Stable id: the profiles that impose it ("US_FL+US_OK") or "limits.frequency[i]". */
  id: string;
  maxAttempts: number;
  windowMinutes: number;
  window: string;
  citation: string;
}

/** Loosening applied through `overrides:`: recorded in the plan and the audit record. */
export interface AppliedOverride {
  limit: OverrideLimit;
  from: number;
  to: number;
  reason: string;
}

export interface Policy {
  profiles: ProfileId[];
  licenseTier?: LicenseTier;
  /** Absent when no selected profile limits abandonment. */
  maxAbandonmentRate?: LimitValue;
  minRetryIntervalMinutes: LimitValue;
  maxRetryIntervalMinutes: LimitValue;
  /** Ceiling on retrySettings.maxAttempts; only set by `limits.maxRetries`. */
  maxRetries?: LimitValue;
  maxCallsPerAgent: Record<DialingMethod, LimitValue>;
  /** Sorted by window length; at most one rule per window length (the strictest). */
  frequency: FrequencyRule[];
  recallAfterAbandonMinutes?: LimitValue;
  overrides: AppliedOverride[];
  /**
   * Findings about the policy itself, reported once per file (not per campaign): advisories (warnings)
   * and errors in `limits:`/`overrides:`. A plan with an error here must not be applied.
   */
  findings: Finding[];
}

type Scalar = "maxAbandonmentRate" | "minRetryIntervalMinutes" | "maxRetryIntervalMinutes";
/** Direction of "stricter" per limit: a lower ceiling or a higher floor. */
const STRICTER_IS_LOWER: Record<Scalar, boolean> = {
  maxAbandonmentRate: true,
  minRetryIntervalMinutes: false,
  maxRetryIntervalMinutes: true,
};

const stricter = (lowerIsStricter: boolean, a: number, b: number): boolean =>
  lowerIsStricter ? a < b : a > b;

/** The lowest abandonment limit; the profiles that share it are all named, in profile order. */
function strictestAbandonment(profiles: readonly ProfileId[]): LimitValue | undefined {
  const limited = profiles.flatMap((id) => {
    const lim = PROFILES[id].maxAbandonmentRate;
    return lim ? [{ id, ...lim }] : [];
  });
  if (limited.length === 0) return undefined;
  const value = Math.min(...limited.map((l) => l.value));
  const strictest = limited.filter((l) => l.value === value);
  return {
    value,
    citation: strictest.map((l) => l.citation).join("; "),
    source: strictest.map((l) => l.id).join("+"),
  };
}

/** The limits being built, step by step; every value keeps what set it. */
interface WorkingLimits {
  /** The retry-interval limits always have a value (the baseline's at least); abandonment may have none. */
  scalars: {
    maxAbandonmentRate: LimitValue | undefined;
    minRetryIntervalMinutes: LimitValue;
    maxRetryIntervalMinutes: LimitValue;
  };
  ceilings: Record<DialingMethod, LimitValue>;
  /** Per profile with an attempts-per-window rule: its (possibly overridden) attempt count. */
  profileFrequency: Map<ProfileId, Omit<FrequencyRule, "id">>;
}

/**
 * The effective policy, in four steps: the profiles' limits (strictest wins) over the baseline, then
 * `overrides:` (may loosen, with a reason), then `limits:` (only tighten), then the frequency rules.
 */
export function policyFromFile(file: RulesFile): Policy {
  const profiles = PROFILE_IDS.filter((p) => file.profiles.includes(p));
  const findings: Finding[] = [];
  const limits = profileLimits(profiles);
  const overrides = applyOverrides(limits, file.overrides, profiles, findings);
  const maxRetries = applyTightening(limits, file.limits, findings);
  const frequency = frequencyRules(limits.profileFrequency, file.limits.frequency ?? []);
  findings.push(...profileFindings(profiles));

  const policy: Policy = {
    profiles,
    minRetryIntervalMinutes: limits.scalars.minRetryIntervalMinutes,
    maxRetryIntervalMinutes: limits.scalars.maxRetryIntervalMinutes,
    maxCallsPerAgent: limits.ceilings,
    frequency,
    overrides,
    findings: sortFindings(findings),
  };
  const recall = recallRule(profiles);
  if (file.licenseTier) policy.licenseTier = file.licenseTier;
  if (limits.scalars.maxAbandonmentRate) policy.maxAbandonmentRate = limits.scalars.maxAbandonmentRate;
  if (maxRetries) policy.maxRetries = maxRetries;
  if (recall) policy.recallAfterAbandonMinutes = recall;
  return policy;
}

/** Step 1: the selected profiles' limits over the baseline. */
function profileLimits(profiles: readonly ProfileId[]): WorkingLimits {
  const profileFrequency: WorkingLimits["profileFrequency"] = new Map();
  for (const id of profiles) {
    const f = PROFILES[id].frequency;
    if (f) profileFrequency.set(id, { ...f });
  }
  return {
    scalars: {
      maxAbandonmentRate: strictestAbandonment(profiles),
      minRetryIntervalMinutes: { ...BASELINE.minRetryIntervalMinutes, source: "baseline" },
      maxRetryIntervalMinutes: { ...BASELINE.maxRetryIntervalMinutes, source: "baseline" },
    },
    ceilings: {
      PREVIEW: { ...BASELINE.maxCallsPerAgent.PREVIEW, source: "baseline" },
      PROGRESSIVE: { ...BASELINE.maxCallsPerAgent.PROGRESSIVE, source: "baseline" },
      POWER: { ...BASELINE.maxCallsPerAgent.POWER, source: "baseline" },
      PREDICTIVE: { ...BASELINE.maxCallsPerAgent.PREDICTIVE, source: "baseline" },
    },
    profileFrequency,
  };
}

/** The current value of an overridable limit and how to replace it; undefined when nothing limits it. */
function overrideTarget(
  limits: WorkingLimits,
  limit: OverrideLimit,
): { current: { value: number }; lowerIsStricter: boolean; set: (v: LimitValue) => void } | undefined {
  if (
    limit === "maxAbandonmentRate" ||
    limit === "minRetryIntervalMinutes" ||
    limit === "maxRetryIntervalMinutes"
  ) {
    const current = limits.scalars[limit];
    if (!current) return undefined;
    return {
      current,
      lowerIsStricter: STRICTER_IS_LOWER[limit],
      set: (v) => {
        limits.scalars[limit] = v;
      },
    };
  }
  if (limit.startsWith("maxCallsPerAgent.")) {
    const method = limit.slice("maxCallsPerAgent.".length) as CeilingMethod;
    return {
      current: limits.ceilings[method],
      lowerIsStricter: true,
      set: (v) => {
        limits.ceilings[method] = v;
      },
    };
  }
  const pid = limit.slice("frequency.".length) as ProfileId;
  const f = limits.profileFrequency.get(pid);
  if (!f) return undefined;
  return {
    current: { value: f.maxAttempts },
    lowerIsStricter: true,
    set: (v) => limits.profileFrequency.set(pid, { ...f, maxAttempts: v.value, citation: v.citation }),
  };
}

/** Step 2: `overrides:` may loosen; each says why and is recorded. */
function applyOverrides(
  limits: WorkingLimits,
  overrides: RulesFile["overrides"],
  profiles: readonly ProfileId[],
  findings: Finding[],
): AppliedOverride[] {
  const applied: AppliedOverride[] = [];
  for (const [i, o] of overrides.entries()) {
    const path = `overrides[${i}]`;
    const target = overrideTarget(limits, o.limit);
    if (!target) {
      findings.push({
        severity: "warning",
        code: "OVERRIDE_UNUSED",
        path,
        message: `${o.limit} is not limited by the selected profiles (${profiles.join(", ") || "none"}); remove the override`,
      });
      continue;
    }
    const { current, lowerIsStricter, set } = target;
    if (!stricter(lowerIsStricter, current.value, o.value)) {
      findings.push({
        severity: "warning",
        code: "OVERRIDE_NOT_LOOSER",
        path,
        message: `override of ${o.limit} to ${o.value} does not loosen the current ${current.value}; use limits: to tighten`,
      });
    }
    applied.push({ limit: o.limit, from: current.value, to: o.value, reason: o.reason });
    set({ value: o.value, citation: `override (${o.reason})`, source: path });
  }
  return applied;
}

/** Step 3: `limits:` only tighten. Returns the retry ceiling, which only `limits.maxRetries` sets. */
function applyTightening(
  limits: WorkingLimits,
  lim: RulesFile["limits"],
  findings: Finding[],
): LimitValue | undefined {
  const { scalars, ceilings } = limits;
  const loosens = (key: string, value: number, current: number) =>
    findings.push({
      severity: "error",
      code: "LIMIT_LOOSENS",
      path: `limits.${key}`,
      message: `${value} is looser than the effective limit ${current}; limits: can only tighten — loosening needs an overrides: entry with a reason`,
    });
  for (const key of ["maxAbandonmentRate", "minRetryIntervalMinutes", "maxRetryIntervalMinutes"] as const) {
    const value = lim[key];
    if (value === undefined) continue;
    const current = scalars[key];
    if (current && !stricter(STRICTER_IS_LOWER[key], value, current.value) && value !== current.value) {
      loosens(key, value, current.value);
    } else if (!current || value !== current.value) {
      scalars[key] = { value, citation: `rules file limits.${key}`, source: "limits" };
    }
  }
  if (lim.maxCallsPerAgent !== undefined) {
    const value = lim.maxCallsPerAgent;
    // One value for every method: it lowers the ceilings above it and is looser only above the highest.
    const highest = Math.max(...CEILING_METHODS.map((m) => ceilings[m].value));
    if (value > highest) loosens("maxCallsPerAgent", value, highest);
    for (const m of CEILING_METHODS) {
      if (value < ceilings[m].value)
        ceilings[m] = { value, citation: "rules file limits.maxCallsPerAgent", source: "limits" };
    }
  }
  const minI = scalars.minRetryIntervalMinutes;
  const maxI = scalars.maxRetryIntervalMinutes;
  if (minI.value > maxI.value) {
    findings.push({
      severity: "error",
      code: "POLICY_EMPTY_RANGE",
      path: "limits",
      message: `minRetryIntervalMinutes ${minI.value} is above maxRetryIntervalMinutes ${maxI.value}: no retry schedule can pass`,
    });
  }
  if (lim.maxRetries === undefined) return undefined;
  return { value: lim.maxRetries, citation: "rules file limits.maxRetries", source: "limits" };
}

/** Step 4: attempts-per-window rules, the strictest per window length; extra windows from `limits:`. */
function frequencyRules(
  profileFrequency: WorkingLimits["profileFrequency"],
  fromLimits: NonNullable<RulesFile["limits"]["frequency"]>,
): FrequencyRule[] {
  const candidates: FrequencyRule[] = [];
  for (const [pid, f] of profileFrequency) candidates.push({ id: pid, ...f });
  for (const [i, f] of fromLimits.entries()) {
    candidates.push({
      id: `limits.frequency[${i}]`,
      maxAttempts: f.maxAttempts,
      windowMinutes: f.windowMinutes,
      window: `${f.windowMinutes} minutes`,
      citation: `rules file limits.frequency[${i}]`,
    });
  }
  const byWindow = new Map<number, FrequencyRule>();
  for (const c of candidates) {
    const prev = byWindow.get(c.windowMinutes);
    if (!prev || c.maxAttempts < prev.maxAttempts) byWindow.set(c.windowMinutes, c);
    else if (c.maxAttempts === prev.maxAttempts) {
      byWindow.set(c.windowMinutes, {
        ...prev,
        id: `${prev.id}+${c.id}`,
        citation: `${prev.citation}; ${c.citation}`,
      });
    }
  }
  return [...byWindow.values()].sort((a, b) => a.windowMinutes - b.windowMinutes);
}

/** The longest recall-after-abandon wait any selected profile asks for. */
function recallRule(profiles: readonly ProfileId[]): LimitValue | undefined {
  let recall: LimitValue | undefined;
  for (const id of profiles) {
    const r = PROFILES[id].recallAfterAbandonMinutes;
    if (r && (!recall || r.value > recall.value))
      recall = { value: r.value, citation: r.citation, source: id };
  }
  return recall;
}

/** Advisories of the selected profiles, and a warning when none is selected. */
function profileFindings(profiles: readonly ProfileId[]): Finding[] {
  const findings = advisoryFindings(profiles);
  if (profiles.length === 0) {
    findings.push({
      severity: "warning",
      code: "POLICY_NO_PROFILE",
      path: "profiles",
      message:
        "no regulatory profile selected: only structural checks run; list the profiles that apply (e.g. US_TCPA)",
    });
  }
  return findings;
}

/** One warning per distinct advisory; the same advice from two profiles is shown once with both sources. */
function advisoryFindings(profiles: readonly ProfileId[]): Finding[] {
  const merged = new Map<string, Advisory & { from: string[] }>();
  for (const id of profiles) {
    for (const a of PROFILES[id].advisories) {
      const key = `${a.code}\u0000${a.message}`;
      const prev = merged.get(key);
      if (!prev) merged.set(key, { ...a, from: [id] });
      else {
        prev.from.push(id);
        if (!prev.citation.includes(a.citation)) prev.citation = `${prev.citation}; ${a.citation}`;
      }
    }
  }
  return [...merged.values()].map((a) => ({
    severity: "warning" as const,
    code: a.code,
    path: "profiles",
    message: `${a.from.join(", ")}: ${a.message}`,
    citation: a.citation,
  }));
}

const collator = new Intl.Collator("en", { numeric: true });

/** Findings in a stable order: path (numeric-aware, so [2] before [10]), code, message. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      collator.compare(a.path, b.path) ||
      collator.compare(a.code, b.code) ||
      collator.compare(a.message, b.message),
  );
}
