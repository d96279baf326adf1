/**
 * The strict schema of the rules file, hand-written over plain values so that every problem is collected
 * (not just the first) with the exact path, and so the bounds say *why* a number is refused.
 * Positions are added afterwards by the caller (rules-file.ts) from the path.
 */
import picomatch from "picomatch";
import { LICENSE_TIERS, type LicenseTier, PROFILE_IDS, PROFILES, type ProfileId } from "./profiles.js";
import {
  type AbandonmentThreshold,
  DIALING_METHODS,
  type DialingMethod,
  type PartialRules,
  type RetrySettings,
} from "./rules.js";
import {
  type CampaignEntry,
  type CapacitySpec,
  CEILING_METHODS,
  entryLabel,
  type FrequencySpec,
  type LimitsSpec,
  type Override,
  type OverrideLimit,
  type RulesFile,
  type Selector,
} from "./rules-file-types.js";

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Issue {
  path: Path;
  code: string;
  message: string;
  /** Point at the key rather than the value (unknown keys). */
  atKey?: boolean;
}

/** `campaigns[2].dialingRules.retrySettings.intervalMinutes[1]` */
export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/** Sanity bounds: beyond these a number is a typo, not a policy (e.g. 10⁹ retries). */
export const BOUNDS = {
  maxCallsPerAgent: { min: 1, max: 100 },
  maxAttempts: { min: 0, max: 100 },
  intervalCount: { max: 100 },
  intervalMinutes: { min: 0, max: 525_600 },
  maxRate: { min: 0, max: 1 },
  coolDownSec: { min: 0, max: 86_400 },
  frequencyAttempts: { min: 1, max: 1000 },
  agents: { min: 1, max: 100_000 },
  avgHandleTimeSec: { min: 1, max: 86_400 },
  campaignsCount: { max: 100_000 },
  textLength: { max: 200 },
} as const;

type Obj = Record<string, unknown>;

/** Number bounds as the checks take them, made once (not a spread object per value checked). */
const INT = {
  maxCallsPerAgent: { ...BOUNDS.maxCallsPerAgent, integer: true },
  maxAttempts: { ...BOUNDS.maxAttempts, integer: true },
  intervalMinutes: { ...BOUNDS.intervalMinutes, integer: true },
  coolDownSec: { ...BOUNDS.coolDownSec, integer: true },
} as const;

/** `path` with `key` after it, or `path` itself without a key. */
const under = (path: Path, key: PathSegment | undefined): Path => (key === undefined ? path : [...path, key]);

/**
 * Issues kept for one file; the rest are only counted. A 10 MiB mapping of unknown keys is ~880,000 issues:
 * kept, they were most of the 800 MB it took to refuse it. The first ones in check order are kept.
 */
export const MAX_PROBLEMS = 1_000;

/**
 * The checks take the path of what they check as the parent's path and, optionally, the key under it: the
 * path of a field is built only when a problem is reported there, not for every field of every entry
 * (at 100,000 entries the paths were most of what checking allocated; issue 17).
 */
class Checker {
  readonly issues: Issue[] = [];
  /** Issues past MAX_PROBLEMS: counted, not kept. */
  more = 0;

  add(path: Path, code: string, message: string, atKey?: boolean): void {
    this.keep(atKey ? { path, code, message, atKey } : { path, code, message });
  }

  keep(issue: Issue): void {
    if (this.issues.length < MAX_PROBLEMS) this.issues.push(issue);
    else this.more++;
  }

  /** A plain mapping with only `allowed` keys; reports unknown keys and missing `required` ones. */
  object(
    value: unknown,
    path: Path,
    allowed: readonly string[],
    required: readonly string[] = [],
  ): Obj | undefined {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.add(
        path,
        "RULES_TYPE",
        `expected a mapping with keys ${allowed.join(", ")}, got ${describe(value)}`,
      );
      return undefined;
    }
    const obj = value as Obj;
    // for…in over own keys: Object.keys' order without a new array per mapping
    for (const key in obj) {
      if (Object.hasOwn(obj, key) && !allowed.includes(key)) {
        this.add(
          [...path, key],
          "RULES_UNKNOWN_KEY",
          `unknown key ${JSON.stringify(key)}; allowed here: ${allowed.join(", ")}`,
          true,
        );
      }
    }
    for (const key of required) {
      if (!(key in obj) || obj[key] === undefined)
        this.add(path, "RULES_MISSING_KEY", `missing required key "${key}"`);
    }
    return obj;
  }

  number(
    value: unknown,
    path: Path,
    opts: { min: number; max: number; integer?: boolean; exclusiveMin?: boolean },
    key?: PathSegment,
  ) {
    if (typeof value !== "number") {
      this.add(under(path, key), "RULES_TYPE", `expected a number, got ${describe(value)}`);
      return undefined;
    }
    if (!Number.isFinite(value)) {
      this.add(under(path, key), "RULES_NOT_FINITE", `${value} is not a finite number`);
      return undefined;
    }
    if (opts.integer && !Number.isInteger(value)) {
      this.add(under(path, key), "RULES_NOT_INTEGER", `expected a whole number, got ${value}`);
      return undefined;
    }
    const belowMin = opts.exclusiveMin ? value <= opts.min : value < opts.min;
    if (belowMin || value > opts.max) {
      const lower = opts.exclusiveMin ? `greater than ${opts.min}` : `at least ${opts.min}`;
      this.add(
        under(path, key),
        "RULES_OUT_OF_RANGE",
        `${value} is out of range: must be ${lower} and at most ${opts.max}`,
      );
      return undefined;
    }
    return value;
  }

  string(value: unknown, path: Path, key?: PathSegment): string | undefined {
    if (typeof value !== "string") {
      this.add(under(path, key), "RULES_TYPE", `expected a string, got ${describe(value)}`);
      return undefined;
    }
    if (value.trim() === "") {
      this.add(under(path, key), "RULES_EMPTY", "must not be empty");
      return undefined;
    }
    if (value.length > BOUNDS.textLength.max) {
      this.add(under(path, key), "RULES_TOO_LONG", `longer than ${BOUNDS.textLength.max} characters`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(
    value: unknown,
    path: Path,
    options: readonly T[],
    key?: PathSegment,
  ): T | undefined {
    // the list's own string, not the parser's copy: one per entry adds up at 100,000 entries
    const i = typeof value === "string" ? (options as readonly string[]).indexOf(value) : -1;
    if (i >= 0) return options[i];
    this.add(
      under(path, key),
      "RULES_BAD_ENUM",
      `expected one of ${options.join(", ")}, got ${describe(value)}`,
    );
    return undefined;
  }

  array(value: unknown, path: Path, maxLength: number, key?: PathSegment): unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.add(under(path, key), "RULES_TYPE", `expected a list, got ${describe(value)}`);
      return undefined;
    }
    if (value.length > maxLength) {
      this.add(
        under(path, key),
        "RULES_OUT_OF_RANGE",
        `has ${value.length} items, at most ${maxLength} allowed`,
      );
      return undefined;
    }
    return value;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

const RULE_KEYS = ["dialingMethod", "retrySettings", "abandonmentRateThreshold", "maxCallsPerAgent"] as const;

/** Partial dialing rules; nested objects must be complete because a write replaces a top-level field whole. */
function checkPartialRules(c: Checker, value: unknown, path: Path): PartialRules | undefined {
  const obj = c.object(value, path, RULE_KEYS);
  if (!obj) return undefined;
  const out: PartialRules = {};
  let ok = true;
  if ("dialingMethod" in obj) {
    const m = c.oneOf<DialingMethod>(obj.dialingMethod, path, DIALING_METHODS, "dialingMethod");
    if (m) out.dialingMethod = m;
    else ok = false;
  }
  if ("maxCallsPerAgent" in obj) {
    const n = c.number(obj.maxCallsPerAgent, path, INT.maxCallsPerAgent, "maxCallsPerAgent");
    if (n !== undefined) out.maxCallsPerAgent = n;
    else ok = false;
  }
  if ("retrySettings" in obj) {
    const r = checkRetry(c, obj.retrySettings, [...path, "retrySettings"]);
    if (r) out.retrySettings = r;
    else ok = false;
  }
  if ("abandonmentRateThreshold" in obj) {
    const a = checkAbandon(c, obj.abandonmentRateThreshold, [...path, "abandonmentRateThreshold"]);
    if (a) out.abandonmentRateThreshold = a;
    else ok = false;
  }
  return ok ? out : undefined;
}

function checkRetry(c: Checker, value: unknown, path: Path): RetrySettings | undefined {
  const obj = c.object(value, path, ["maxAttempts", "intervalMinutes"], ["maxAttempts", "intervalMinutes"]);
  if (!obj || !("maxAttempts" in obj) || !("intervalMinutes" in obj)) return undefined;
  const maxAttempts = c.number(obj.maxAttempts, path, INT.maxAttempts, "maxAttempts");
  const list = c.array(obj.intervalMinutes, path, BOUNDS.intervalCount.max, "intervalMinutes");
  let intervalsOk = list !== undefined;
  const intervalMinutes: number[] = [];
  const listPath = list ? [...path, "intervalMinutes"] : path;
  for (const [i, v] of (list ?? []).entries()) {
    const n = c.number(v, listPath, INT.intervalMinutes, i);
    if (n === undefined) intervalsOk = false;
    else intervalMinutes.push(n);
  }
  return maxAttempts !== undefined && intervalsOk ? { maxAttempts, intervalMinutes } : undefined;
}

function checkAbandon(c: Checker, value: unknown, path: Path): AbandonmentThreshold | undefined {
  const obj = c.object(value, path, ["maxRate", "coolDownSec"], ["maxRate", "coolDownSec"]);
  if (!obj || !("maxRate" in obj) || !("coolDownSec" in obj)) return undefined;
  const maxRate = c.number(obj.maxRate, path, BOUNDS.maxRate, "maxRate");
  const coolDownSec = c.number(obj.coolDownSec, path, INT.coolDownSec, "coolDownSec");
  return maxRate !== undefined && coolDownSec !== undefined ? { maxRate, coolDownSec } : undefined;
}

/** A glob is refused when picomatch cannot compile it strictly (unbalanced brackets/braces) or it is empty. */
export function globProblem(pattern: string): string | undefined {
  try {
    picomatch.makeRe(pattern, { strictBrackets: true });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function checkEntries(c: Checker, value: unknown): CampaignEntry[] {
  const list = c.array(value, ["campaigns"], BOUNDS.campaignsCount.max);
  if (!list) return [];
  const entries = new EntryChecker(c);
  for (const [index, raw] of list.entries()) entries.add(index, raw);
  entries.finish();
  return entries.out;
}

/**
 * The entries of `campaigns`, checked one at a time in order: by checkEntries over a parsed list, or as the
 * parser reads them (entriesStream) so that an entry's parsed value is garbage once it is checked.
 */
class EntryChecker {
  readonly out: CampaignEntry[] = [];
  /**
   * Each entry's id and index, for the duplicate check in finish(): two flat lists instead of a Map of
   * 100,000 ids (its table alone is ~4.5 MB there, and each doubling leaves the old one as garbage).
   */
  private readonly ids: string[] = [];
  private readonly idIndexes: number[] = [];
  private readonly seenPatterns = new Map<string, number>();

  constructor(private readonly c: Checker) {}

  /** `line` > 0: the entry's position in the file is known already (streamed), and goes in its literal. */
  add(index: number, raw: unknown, line = 0, column = 0): void {
    const { c, out, seenPatterns } = this;
    const path = ["campaigns", index];
    const obj = c.object(raw, path, ["id", "match", "dialingRules"]);
    if (!obj) return;
    const hasId = "id" in obj;
    const hasMatch = "match" in obj;
    if (hasId === hasMatch) {
      c.add(
        path,
        "RULES_SELECTOR",
        hasId
          ? 'an entry has either "id" or "match", not both: split it into two entries'
          : 'an entry needs "id" (a campaign id) or "match" (a glob on campaign names)',
      );
    }
    let selector: Selector | undefined;
    if (hasId) {
      const id = c.string(obj.id, path, "id");
      if (id !== undefined) {
        this.ids.push(id);
        this.idIndexes.push(index);
        if (!hasMatch) selector = { kind: "id", id };
      }
    } else if (hasMatch) {
      const pattern = c.string(obj.match, path, "match");
      if (pattern !== undefined) {
        const problem = globProblem(pattern);
        const first = seenPatterns.get(pattern);
        if (problem)
          c.add([...path, "match"], "RULES_BAD_GLOB", `invalid glob ${JSON.stringify(pattern)}: ${problem}`);
        else if (first !== undefined) {
          c.add(
            [...path, "match"],
            "RULES_DUPLICATE_MATCH",
            `pattern ${JSON.stringify(pattern)} is already used by campaigns[${first}]; merge the two entries`,
          );
        } else {
          seenPatterns.set(pattern, index);
          selector = { kind: "match", pattern };
        }
      }
    }
    const rules =
      "dialingRules" in obj
        ? checkPartialRules(c, obj.dialingRules, ["campaigns", index, "dialingRules"])
        : {};
    if (!selector || !rules) return;
    const label = entryLabel(index, selector);
    // line and column in the literal, not added later: two more properties on each of 100,000 entries
    // cost each a separate property array
    out.push(
      line > 0
        ? { index, selector, dialingRules: rules, label, line, column }
        : { index, selector, dialingRules: rules, label },
    );
  }

  /**
   * Reports each id used again, at the entry that repeats it, naming the first entry with it. After all
   * entries, not as each is read: problems are put in document order afterwards (rules-file.ts), and an
   * entry whose id repeats only matters to the result through its problem (no file is built then).
   */
  finish(): void {
    const { ids, idIndexes } = this;
    const order = Array.from(ids.keys()).sort((a, b) => {
      const x = ids[a] as string;
      const y = ids[b] as string;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    let first = 0; // where the run of equal ids that order[k] is in starts
    for (let k = 1; k < order.length; k++) {
      const at = order[k] as number;
      const id = ids[at] as string;
      if (ids[order[k - 1] as number] !== id) {
        first = k;
        continue;
      }
      this.c.add(
        ["campaigns", idIndexes[at] as number, "id"],
        "RULES_DUPLICATE_ID",
        `id ${id} is already used by campaigns[${idIndexes[order[first] as number]}]; merge the two entries`,
      );
    }
  }
}

/**
 * `campaigns` entries checked as a parser reads them, one `add(index, value)` per entry in order; then
 * `checkRulesValue(value, fileName, { list, entries })`, where `list` is the value's `campaigns` (the list
 * the entries came from, their values dropped), gives exactly what checking the whole value would:
 * the same file, or the same issues in the same order.
 */
export class StreamedEntries {
  private readonly c = new Checker();
  private readonly entries = new EntryChecker(this.c);

  /** The entry at `index`; `line`/`column` (1-based) where it starts, when known. */
  add(index: number, raw: unknown, line?: number, column?: number): void {
    this.entries.add(index, raw, line, column);
  }

  /** The entries; their issues are appended to `c`'s, where checking the list itself would add them. */
  takeInto(c: Checker): CampaignEntry[] {
    this.entries.finish();
    for (const issue of this.c.issues) c.keep(issue);
    c.more += this.c.more;
    return this.entries.out;
  }
}

function checkProfiles(c: Checker, value: unknown): ProfileId[] {
  const list = c.array(value, ["profiles"], PROFILE_IDS.length * 2);
  if (!list) return [];
  const seen = new Set<ProfileId>();
  for (const [i, v] of list.entries()) {
    const id = c.oneOf<ProfileId>(v, ["profiles", i], PROFILE_IDS);
    if (!id) continue;
    if (seen.has(id)) c.add(["profiles", i], "RULES_DUPLICATE_PROFILE", `profile ${id} is listed twice`);
    seen.add(id);
  }
  // canonical order: the file's order never changes the result
  return PROFILE_IDS.filter((p) => seen.has(p));
}

function checkLimits(c: Checker, value: unknown): LimitsSpec {
  const keys = [
    "maxAbandonmentRate",
    "minRetryIntervalMinutes",
    "maxRetryIntervalMinutes",
    "maxRetries",
    "maxCallsPerAgent",
    "frequency",
  ] as const;
  const obj = c.object(value, ["limits"], keys);
  if (!obj) return {};
  const out: LimitsSpec = {};
  const p = (k: string): Path => ["limits", k];
  if ("maxAbandonmentRate" in obj) {
    const v = c.number(obj.maxAbandonmentRate, p("maxAbandonmentRate"), BOUNDS.maxRate);
    if (v !== undefined) out.maxAbandonmentRate = v;
  }
  for (const k of ["minRetryIntervalMinutes", "maxRetryIntervalMinutes"] as const) {
    if (k in obj) {
      const v = c.number(obj[k], p(k), { ...BOUNDS.intervalMinutes, integer: true });
      if (v !== undefined) out[k] = v;
    }
  }
  if ("maxRetries" in obj) {
    const v = c.number(obj.maxRetries, p("maxRetries"), { ...BOUNDS.maxAttempts, integer: true });
    if (v !== undefined) out.maxRetries = v;
  }
  if ("maxCallsPerAgent" in obj) {
    const v = c.number(obj.maxCallsPerAgent, p("maxCallsPerAgent"), {
      ...BOUNDS.maxCallsPerAgent,
      integer: true,
    });
    if (v !== undefined) out.maxCallsPerAgent = v;
  }
  if ("frequency" in obj) {
    const list = c.array(obj.frequency, p("frequency"), 20) ?? [];
    const freq: FrequencySpec[] = [];
    for (const [i, raw] of list.entries()) {
      const fp: Path = ["limits", "frequency", i];
      const f = c.object(raw, fp, ["maxAttempts", "windowMinutes"], ["maxAttempts", "windowMinutes"]);
      if (!f) continue;
      const maxAttempts = c.number(f.maxAttempts, [...fp, "maxAttempts"], {
        ...BOUNDS.frequencyAttempts,
        integer: true,
      });
      const windowMinutes = c.number(f.windowMinutes, [...fp, "windowMinutes"], {
        min: 1,
        max: BOUNDS.intervalMinutes.max,
        integer: true,
      });
      if (maxAttempts !== undefined && windowMinutes !== undefined) freq.push({ maxAttempts, windowMinutes });
    }
    out.frequency = freq;
  }
  return out;
}

const FREQUENCY_PROFILES = PROFILE_IDS.filter((id) => PROFILES[id].frequency !== undefined);
export const OVERRIDE_LIMITS: readonly OverrideLimit[] = [
  "maxAbandonmentRate",
  "minRetryIntervalMinutes",
  "maxRetryIntervalMinutes",
  ...CEILING_METHODS.map((m) => `maxCallsPerAgent.${m}` as const),
  ...FREQUENCY_PROFILES.map((p) => `frequency.${p}` as const),
];

function overrideBounds(limit: OverrideLimit): { min: number; max: number; integer?: boolean } {
  if (limit === "maxAbandonmentRate") return BOUNDS.maxRate;
  if (limit.startsWith("maxCallsPerAgent.")) return { ...BOUNDS.maxCallsPerAgent, integer: true };
  if (limit.startsWith("frequency.")) return { ...BOUNDS.frequencyAttempts, integer: true };
  return { ...BOUNDS.intervalMinutes, integer: true };
}

function checkOverrides(c: Checker, value: unknown): Override[] {
  const list = c.array(value, ["overrides"], 50);
  if (!list) return [];
  const out: Override[] = [];
  const seen = new Map<string, number>();
  for (const [i, raw] of list.entries()) {
    const path: Path = ["overrides", i];
    const obj = c.object(raw, path, ["limit", "value", "reason"], ["limit", "value"]);
    if (!obj) continue;
    const limit =
      "limit" in obj ? c.oneOf<OverrideLimit>(obj.limit, [...path, "limit"], OVERRIDE_LIMITS) : undefined;
    const val =
      limit && "value" in obj ? c.number(obj.value, [...path, "value"], overrideBounds(limit)) : undefined;
    let reason: string | undefined;
    if (!("reason" in obj) || (typeof obj.reason === "string" && obj.reason.trim() === "")) {
      c.add(
        "reason" in obj ? [...path, "reason"] : path,
        "RULES_OVERRIDE_REASON",
        "an override loosens a regulatory limit and must carry a non-empty reason (it is written to the audit record)",
      );
    } else {
      reason = c.string(obj.reason, [...path, "reason"]);
    }
    if (limit !== undefined) {
      const first = seen.get(limit);
      if (first !== undefined) {
        c.add(
          [...path, "limit"],
          "RULES_DUPLICATE_OVERRIDE",
          `${limit} is already overridden by overrides[${first}]`,
        );
        continue;
      }
      seen.set(limit, i);
    }
    if (limit !== undefined && val !== undefined && reason !== undefined)
      out.push({ limit, value: val, reason });
  }
  return out;
}

function checkCapacity(c: Checker, value: unknown): CapacitySpec | undefined {
  const obj = c.object(value, ["capacity"], ["agents", "avgHandleTimeSec", "connectRate"]);
  if (!obj) return undefined;
  const out: CapacitySpec = {};
  if ("agents" in obj) {
    const v = c.number(obj.agents, ["capacity", "agents"], { ...BOUNDS.agents, integer: true });
    if (v !== undefined) out.agents = v;
  }
  if ("avgHandleTimeSec" in obj) {
    const v = c.number(obj.avgHandleTimeSec, ["capacity", "avgHandleTimeSec"], BOUNDS.avgHandleTimeSec);
    if (v !== undefined) out.avgHandleTimeSec = v;
  }
  if ("connectRate" in obj) {
    const v = c.number(obj.connectRate, ["capacity", "connectRate"], { min: 0, max: 1, exclusiveMin: true });
    if (v !== undefined) out.connectRate = v;
  }
  return out;
}

const TOP_KEYS = [
  "profiles",
  "licenseTier",
  "limits",
  "overrides",
  "capacity",
  "defaults",
  "campaigns",
] as const;

/** Checks a parsed document. Returns the file only when there are no issues. */
export function checkRulesValue(
  value: unknown,
  fileName: string,
  streamed?: { list: unknown[]; entries: StreamedEntries },
): { file: RulesFile; issues: [] } | { file?: undefined; issues: Issue[]; more: number } {
  const c = new Checker();
  const top = c.object(value, [], TOP_KEYS, ["campaigns"]);
  if (!top) return { issues: c.issues, more: c.more };
  // Required, so that "no profile" is a choice someone wrote down (`profiles: []`), never an omission that
  // lets POWER at maxRate 0.5 pass as valid.
  if (!("profiles" in top))
    c.add(
      ["profiles"],
      "RULES_MISSING_PROFILES",
      'missing required key "profiles": list the regulatory profiles that apply (e.g. profiles: [US_TCPA]), or write profiles: [] to run structural checks only',
    );
  const profiles = "profiles" in top ? checkProfiles(c, top.profiles) : [];
  const licenseTier =
    "licenseTier" in top ? c.oneOf<LicenseTier>(top.licenseTier, ["licenseTier"], LICENSE_TIERS) : undefined;
  const limits = "limits" in top ? checkLimits(c, top.limits) : {};
  const overrides = "overrides" in top ? checkOverrides(c, top.overrides) : [];
  const capacity = "capacity" in top ? checkCapacity(c, top.capacity) : undefined;
  let defaults: PartialRules = {};
  if ("defaults" in top) {
    const d = c.object(top.defaults, ["defaults"], ["dialingRules"]);
    if (d && "dialingRules" in d)
      defaults = checkPartialRules(c, d.dialingRules, ["defaults", "dialingRules"]) ?? {};
  }
  let campaigns: CampaignEntry[] = [];
  if ("campaigns" in top) {
    if (streamed && top.campaigns === streamed.list) {
      // the entries were checked as they were read; the list's own checks are the same on what is left
      if (c.array(streamed.list, ["campaigns"], BOUNDS.campaignsCount.max))
        campaigns = streamed.entries.takeInto(c);
    } else campaigns = checkEntries(c, top.campaigns);
  }
  if (c.issues.length > 0) return { issues: c.issues, more: c.more };
  const file: RulesFile = { fileName, profiles, limits, overrides, defaults, campaigns };
  if (licenseTier) file.licenseTier = licenseTier;
  if (capacity) file.capacity = capacity;
  return { file, issues: [] };
}
