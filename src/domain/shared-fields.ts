/**
 * Rule fields a platform keeps in an object several campaigns share (Campaign.sharedFields; genesys:
 * retries in attempt limits). Writing such a field for one campaign changes it for all of them, so a
 * change is only safe when every campaign using the object resolves to the same value. Pure.
 */
import { sameValue } from "./equal.js";
import type { Finding } from "./findings.js";
import type { Campaign, DialingRules, RuleField } from "./rules.js";

const LISTED = 10;

/**
 * `resolved` holds each planned campaign's rules after the plan (others keep their current rules);
 * `changed` the fields each planned campaign changes. Returns, per campaign that would write a shared
 * field, an error naming every campaign that shares it and what each would get.
 */
export function sharedFieldConflicts(
  campaigns: readonly Campaign[],
  resolved: ReadonlyMap<string, DialingRules>,
  changed: ReadonlyMap<string, ReadonlySet<RuleField>>,
  /** The platform's writableWhileActive: a shared field outside it cannot change under a running campaign. */
  writableWhileActive?: readonly RuleField[],
): Map<string, Finding[]> {
  const groups = new Map<string, { field: RuleField; key: string; members: Campaign[] }>();
  for (const c of campaigns) {
    for (const [field, key] of Object.entries(c.sharedFields ?? {}) as [RuleField, string][]) {
      const id = `${field}\u0000${key}`;
      const group = groups.get(id) ?? { field, key, members: [] };
      group.members.push(c);
      groups.set(id, group);
    }
  }
  const out = new Map<string, Finding[]>();
  for (const { field, key, members } of groups.values()) {
    const writers = members.filter((m) => changed.get(m.id)?.has(field));
    if (writers.length === 0) continue;
    const add = (finding: Finding) => {
      for (const w of writers) out.set(w.id, [...(out.get(w.id) ?? []), finding]);
    };
    const running = members.filter((m) => m.status === "ACTIVE");
    if (writableWhileActive !== undefined && !writableWhileActive.includes(field) && running.length > 0) {
      add({
        severity: "error",
        code: "SHARED_SETTING_RUNNING",
        path: `dialingRules.${field}`,
        message: `${field} is kept in ${key}, which running campaign(s) ${running
          .slice(0, LISTED)
          .map((m) => `${m.id} (${m.name})`)
          .join(
            ", ",
          )}${running.length > LISTED ? ` and ${running.length - LISTED} more` : ""} also use, and the platform does not let ${field} change while a campaign runs; stop them first`,
      });
      continue;
    }
    const resolvedOf = (m: Campaign) => (resolved.get(m.id) ?? m.dialingRules)[field];
    const first = resolvedOf(members[0] as Campaign);
    if (members.every((m) => sameValue(resolvedOf(m), first))) continue;
    const named = members
      .slice(0, LISTED)
      .map((m) => `${m.id} (${m.name}): ${JSON.stringify(resolvedOf(m))}`)
      .join("; ");
    const more = members.length > LISTED ? `; and ${members.length - LISTED} more` : "";
    add({
      severity: "error",
      code: "SHARED_SETTING_CONFLICT",
      path: `dialingRules.${field}`,
      message: `${field} is kept in ${key}, shared by ${members.length} campaigns that would not all get the same value: ${named}${more}. Give every one of them the same ${field} in the rules file (or give this campaign its own object in the platform); nothing is written until they agree`,
    });
  }
  return out;
}
