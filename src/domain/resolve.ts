/**
 * Desired state: which campaigns a rules file targets and, per campaign, which rule fields it sets.
 *
 * Precedence, per top-level rule field (dialingMethod, retrySettings, abandonmentRateThreshold,
 * maxCallsPerAgent): defaults < match < id. A field is a whole value — nested objects are replaced whole,
 * never merged key by key, matching the platform's PATCH semantics. Only campaigns named by an `id` entry or
 * matched by a `match` entry are targets; `defaults` alone targets nothing.
 * Two `match` entries that both match a campaign and set the same field to different values are an error
 * naming both, unless an `id` entry for that campaign sets the field (the explicit entry decides). A campaign
 * with such a conflict stays a target (its conflicted field left out of `desired`), so that the plan lists it
 * as invalid: no campaign an entry selects is ever silently dropped.
 */
import picomatch from "picomatch";
import { sameValue } from "./equal.js";
import type { Finding } from "./findings.js";
import { type Campaign, type DialingRules, type PartialRules, RULE_FIELDS, type RuleField } from "./rules.js";
import type { CampaignEntry, RulesFile } from "./rules-file-types.js";

export interface Target {
  campaignId: string;
  campaignName: string;
  desired: PartialRules;
  /** What targets the campaign, lowest precedence first: "defaults" (when it set a field), matches, the id entry. */
  sources: string[];
}

/** A finding about targeting; `campaignId` is set when it concerns one existing campaign. */
export interface TargetFinding {
  campaignId?: string;
  finding: Finding;
}

/** Copies a rule field's value so targets never alias the parsed file (structuredClone is 10× slower). */
function cloneField<K extends RuleField>(value: DialingRules[K]): DialingRules[K] {
  if (typeof value !== "object" || value === null) return value;
  if ("intervalMinutes" in value)
    return { maxAttempts: value.maxAttempts, intervalMinutes: [...value.intervalMinutes] } as DialingRules[K];
  return { ...value };
}

export function resolveTargets(
  file: RulesFile,
  campaigns: readonly Campaign[],
): { targets: Target[]; findings: TargetFinding[] } {
  const findings: TargetFinding[] = [];
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const idEntry = new Map<string, CampaignEntry>();
  const matchesOf = new Map<string, CampaignEntry[]>();

  for (const entry of file.campaigns) {
    const path = `campaigns[${entry.index}]`;
    if (entry.selector.kind === "id") {
      const id = entry.selector.id;
      if (!byId.has(id)) {
        findings.push({
          finding: {
            severity: "error",
            code: "TARGET_ID_NOT_FOUND",
            path: `${path}.id`,
            message: `${entry.label}: the platform has no campaign with id ${id}; check the id or remove the entry`,
          },
        });
      } else {
        idEntry.set(id, entry);
      }
      continue;
    }
    // the compiled RegExp: picomatch's matcher function does extra work per call that names do not need
    const re = picomatch.makeRe(entry.selector.pattern);
    let hits = 0;
    for (const c of campaigns) {
      if (!re.test(c.name)) continue;
      hits++;
      const list = matchesOf.get(c.id);
      if (list) list.push(entry);
      else matchesOf.set(c.id, [entry]);
    }
    if (hits === 0) {
      findings.push({
        finding: {
          severity: "warning",
          code: "TARGET_MATCH_EMPTY",
          path: `${path}.match`,
          message: `${entry.label} matches no campaign name on the platform; check the pattern (it is case-sensitive)`,
        },
      });
    }
  }

  const targets: Target[] = [];
  for (const c of campaigns) {
    const byIdEntry = idEntry.get(c.id);
    const matches = (matchesOf.get(c.id) ?? []).slice().sort((a, b) => a.index - b.index);
    if (!byIdEntry && matches.length === 0) continue;
    const desired: PartialRules = {};
    const used = new Set<"defaults">();
    for (const field of RULE_FIELDS) {
      if (byIdEntry && byIdEntry.dialingRules[field] !== undefined) {
        setField(desired, field, byIdEntry.dialingRules[field]);
        continue;
      }
      const setters = matches.filter((m) => m.dialingRules[field] !== undefined);
      const first = setters[0];
      if (first) {
        const other = setters.find((m) => !sameValue(m.dialingRules[field], first.dialingRules[field]));
        if (other) {
          findings.push({
            campaignId: c.id,
            finding: {
              severity: "error",
              code: "TARGET_MATCH_CONFLICT",
              path: `campaigns[${other.index}].dialingRules.${field}`,
              message: `${first.label} and ${other.label} both match campaign ${c.id} (${JSON.stringify(c.name)}) and set ${field} to different values (${JSON.stringify(first.dialingRules[field])} vs ${JSON.stringify(other.dialingRules[field])}); narrow one pattern or add an id entry for ${c.id}`,
            },
          });
          continue;
        }
        setField(desired, field, first.dialingRules[field]);
        continue;
      }
      if (file.defaults[field] !== undefined) {
        setField(desired, field, file.defaults[field]);
        used.add("defaults");
      }
    }
    // lowest precedence first, entries in file order within a layer; every entry that targets the campaign
    const sources = [
      ...(used.has("defaults") ? ["defaults"] : []),
      ...matches.map((m) => m.label),
      ...(byIdEntry ? [byIdEntry.label] : []),
    ];
    targets.push({ campaignId: c.id, campaignName: c.name, desired, sources });
  }
  targets.sort((a, b) => (a.campaignId < b.campaignId ? -1 : a.campaignId > b.campaignId ? 1 : 0));
  return { targets, findings };
}

function setField<K extends RuleField>(desired: PartialRules, field: K, value: PartialRules[K]): void {
  if (value !== undefined) desired[field] = cloneField<K>(value as DialingRules[K]);
}

/**
 * The rules a campaign has after writing `desired`: each field present in `desired` replaces the current one
 * whole (PATCH semantics); absent fields stay. Returns a fresh object; mergeRules(current, {}) equals current.
 */
export function mergeRules(current: DialingRules, desired: PartialRules): DialingRules {
  const out: PartialRules = {};
  for (const field of RULE_FIELDS) {
    const value = desired[field] !== undefined ? desired[field] : current[field];
    if (value !== undefined) setField(out, field, value);
  }
  // extra keys a platform may return beyond the four fields are kept as they are
  return { ...current, ...(out as DialingRules) };
}
