import { createHash } from "node:crypto";
import picomatch from "picomatch";
import type { Clock } from "../clock/clock.js";
import { type CapacityInputs, estimateCapacity } from "../domain/capacity.js";
import { diffRules, patchFor } from "../domain/diff.js";
import { type Finding, hasErrors } from "../domain/findings.js";
import { mergeRules, resolveTargets } from "../domain/resolve.js";
import { validateWithOverrides } from "../domain/retry-overrides.js";
import type { Campaign, DialingRules, RuleField } from "../domain/rules.js";
import type { RulesFile } from "../domain/rules-file.js";
import type { CampaignEntry } from "../domain/rules-file-types.js";
import { sharedFieldConflicts } from "../domain/shared-fields.js";
import { policyFromFile } from "../domain/validate.js";
import type { NotManagedCampaign, Platform } from "../platform/platform.js";
import type { Plan, PlannedCampaign, PlanSummary } from "./plan-types.js";

export interface PlanInput {
  file: RulesFile;
  /** The rules file's text, hashed into the plan so a re-run of the same command is recognisable. */
  sourceText: string;
  platform: Platform;
  clock: Clock;
  capacity?: CapacityInputs;
  signal?: AbortSignal;
}

/**
 * What planning reads of a platform: its name, capabilities, listing notes and write check — never a call
 * over the network, so a plain-data copy (without checkWrite) can plan in a worker thread.
 */
export type PlanPlatform = Pick<Platform, "name" | "capabilities" | "listingNotes" | "checkWrite">;

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * Reads the platform once through the list endpoint (one request per 100 campaigns) and computes,
 * per targeted campaign, the diff, the validation of the merged result and the capacity estimate.
 */
export async function createPlan(input: PlanInput): Promise<Plan> {
  const campaigns = await input.platform.listCampaigns({ signal: input.signal });
  return planAgainst(input, campaigns);
}

/** The pure part of planning, given the platform's campaigns. */
export function planAgainst(
  input: Omit<PlanInput, "signal" | "platform" | "clock"> & {
    platform: PlanPlatform;
    clock: Pick<Clock, "now">;
  },
  campaigns: readonly Campaign[],
): Plan {
  const policy = policyFromFile(input.file);
  const { targets, findings: targetFindings } = resolveTargets(input.file, campaigns);
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const notes = input.platform.listingNotes?.() ?? { notManaged: [], findings: [] };
  const notManaged = new Map(notes.notManaged.map((c) => [c.id, c]));
  // Once-per-file findings of the policy itself: advisories, and limits that would loosen a profile.
  const fileFindings: Finding[] = [...policy.findings, ...notes.findings];
  const perCampaign = new Map<string, Finding[]>();
  const entries = new Map(input.file.campaigns.map((e) => [e.index, e]));
  for (const tf of targetFindings) {
    if (tf.campaignId === undefined) fileFindings.push(notManagedInstead(tf.finding, entries, notManaged));
    else {
      const list = perCampaign.get(tf.campaignId);
      if (list) list.push(tf.finding);
      else perCampaign.set(tf.campaignId, [tf.finding]);
    }
  }
  fileFindings.push(...matchedNotManaged(input.file, notes.notManaged));
  const writable = new Set<RuleField>(input.platform.capabilities.writableFields);
  const whileActive = input.platform.capabilities.writableWhileActive;

  const resolved = new Map<string, DialingRules>();
  const changed = new Map<string, Set<RuleField>>();
  for (const target of targets) {
    const campaign = byId.get(target.campaignId);
    if (!campaign) continue;
    resolved.set(campaign.id, mergeRules(campaign.dialingRules, target.desired));
    changed.set(campaign.id, new Set(diffRules(campaign.dialingRules, target.desired).map((c) => c.field)));
  }
  const sharedConflicts = sharedFieldConflicts(campaigns, resolved, changed, whileActive);

  const planned: PlannedCampaign[] = [];
  for (const target of targets) {
    const campaign = byId.get(target.campaignId);
    if (!campaign) continue;
    const current = campaign.dialingRules;
    const changes = diffRules(current, target.desired);
    const merged = resolved.get(campaign.id) ?? mergeRules(current, target.desired);
    const findings = [
      ...(perCampaign.get(campaign.id) ?? []),
      ...validateWithOverrides(merged, campaign.retryOverrides, policy),
      ...(sharedConflicts.get(campaign.id) ?? []),
    ];
    if (whileActive !== undefined && campaign.status === "ACTIVE") {
      for (const change of changes.filter((c) => !whileActive.includes(c.field))) {
        findings.push({
          severity: "error",
          code: "CAMPAIGN_RUNNING",
          path: `dialingRules.${change.field}`,
          message: `the campaign is running and the ${input.platform.name} platform only accepts changes to ${whileActive.join(", ") || "nothing"} while it runs; stop the campaign first, or leave ${change.field} out for now`,
        });
      }
    }
    for (const change of changes) {
      if (!writable.has(change.field)) {
        findings.push({
          severity: "error",
          code: "PLATFORM_FIELD_NOT_WRITABLE",
          path: `dialingRules.${change.field}`,
          message: `the ${input.platform.name} platform has no setting for ${change.field}; change it in the platform's own admin tool or remove it from the rules file`,
        });
      }
    }
    const writableChanges = changes.filter((c) => writable.has(c.field));
    for (const refused of input.platform.checkWrite?.(patchFor(writableChanges), campaign) ?? []) {
      findings.push({
        severity: "error",
        code: "PLATFORM_CANNOT_STORE",
        path: `dialingRules.${refused.field}`,
        message: `${input.platform.name}: ${refused.message}`,
      });
    }
    const capacity = input.capacity ? estimateCapacity(merged, input.capacity) : undefined;
    planned.push({
      id: campaign.id,
      name: campaign.name,
      revision: campaign.revision,
      status: hasErrors(findings) ? "invalid" : changes.length > 0 ? "change" : "unchanged",
      current,
      desired: target.desired,
      changes,
      findings,
      sources: target.sources,
      ...(capacity ? { capacity } : {}),
    });
  }
  planned.sort((a, b) => a.id.localeCompare(b.id));
  return {
    format: "dialrules-plan/1",
    createdAt: new Date(input.clock.now()).toISOString(),
    platform: input.platform.name,
    sourceHash: sha256(input.sourceText),
    rulesFile: input.file,
    campaigns: planned,
    ...(notes.notManaged.length > 0 ? { notManaged: notes.notManaged } : {}),
    findings: fileFindings,
    summary: summarise(planned, fileFindings),
  };
}

/**
 * An `id` entry naming a campaign the platform has but dialrules leaves alone is not a typo: say so
 * (a warning) instead of "no campaign with id".
 */
/**
 * Campaigns the platform leaves alone that a `match` entry would have selected: listed with the reason, so a
 * skipped agentless or SMS skill is visible rather than silently absent.
 */
function matchedNotManaged(file: RulesFile, notManaged: readonly NotManagedCampaign[]): Finding[] {
  const matches = file.campaigns.flatMap((entry) =>
    entry.selector.kind === "match"
      ? [{ index: entry.index, re: picomatch.makeRe(entry.selector.pattern) }]
      : [],
  );
  return notManaged.flatMap((c) => {
    const entry = matches.find((m) => m.re.test(c.name));
    if (!entry) return [];
    return [
      {
        severity: "warning" as const,
        code: "CAMPAIGN_NOT_MANAGED",
        path: `campaigns[${entry.index}]`,
        message: `campaign ${c.id} (${c.name}) matches but is not managed by dialrules: ${c.reason}; nothing is planned for it`,
      },
    ];
  });
}

/** `entries`: the file's campaign entries by index (a lookup per finding; a file may have thousands). */
function notManagedInstead(
  finding: Finding,
  entries: ReadonlyMap<number, CampaignEntry>,
  notManaged: ReadonlyMap<string, NotManagedCampaign>,
): Finding {
  if (finding.code !== "TARGET_ID_NOT_FOUND" || notManaged.size === 0) return finding;
  const index = /^campaigns\[(\d+)\]/.exec(finding.path)?.[1];
  const entry = index === undefined ? undefined : entries.get(Number(index));
  const id = entry?.selector.kind === "id" ? entry.selector.id : undefined;
  const skipped = id === undefined ? undefined : notManaged.get(id);
  if (!skipped) return finding;
  return {
    severity: "warning",
    code: "CAMPAIGN_NOT_MANAGED",
    path: finding.path,
    message: `campaign ${skipped.id} (${skipped.name}) is not managed by dialrules: ${skipped.reason}; nothing is planned for it`,
  };
}

function summarise(campaigns: readonly PlannedCampaign[], fileFindings: readonly Finding[]): PlanSummary {
  const count = (s: PlannedCampaign["status"]) => campaigns.filter((c) => c.status === s).length;
  return {
    toChange: count("change"),
    unchanged: count("unchanged"),
    invalid: count("invalid"),
    fileErrors: fileFindings.filter((f) => f.severity === "error").length,
  };
}
