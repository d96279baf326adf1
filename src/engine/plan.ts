import { createHash } from "node:crypto";
import type { Clock } from "../clock/clock.js";
import { type CapacityInputs, estimateCapacity } from "../domain/capacity.js";
import { diffRules, patchFor } from "../domain/diff.js";
import { type Finding, hasErrors } from "../domain/findings.js";
import { mergeRules, resolveTargets } from "../domain/resolve.js";
import { validateWithOverrides } from "../domain/retry-overrides.js";
import type { Campaign, RuleField } from "../domain/rules.js";
import type { RulesFile } from "../domain/rules-file.js";
import { policyFromFile } from "../domain/validate.js";
import type { Platform } from "../platform/platform.js";
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
export function planAgainst(input: Omit<PlanInput, "signal">, campaigns: readonly Campaign[]): Plan {
  const policy = policyFromFile(input.file);
  const { targets, findings: targetFindings } = resolveTargets(input.file, campaigns);
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const notManaged = new Map<string, Finding>();
  // Once-per-file findings of the policy itself: advisories, and limits that would loosen a profile.
  const fileFindings: Finding[] = [...policy.findings];
  const perCampaign = new Map<string, Finding[]>();
  for (const tf of targetFindings) {
    if (tf.campaignId === undefined) fileFindings.push(tf.finding);
    else perCampaign.set(tf.campaignId, [...(perCampaign.get(tf.campaignId) ?? []), tf.finding]);
  }
  const writable = new Set<RuleField>(input.platform.capabilities.writableFields);

  const planned: PlannedCampaign[] = [];
  for (const target of targets) {
    const campaign = byId.get(target.campaignId);
    if (!campaign) continue;
    if (campaign.notManaged !== undefined) {
      // Listed, never planned: nothing is ever written to it.
      notManaged.set(campaign.id, {
        severity: "warning",
        code: "CAMPAIGN_NOT_MANAGED",
        path: `campaigns[${campaign.id}]`,
        message: `${input.platform.name} campaign ${campaign.id} (${campaign.name}) is not managed by dialrules: ${campaign.notManaged}; nothing is planned for it`,
      });
      continue;
    }
    const current = campaign.dialingRules;
    const changes = diffRules(current, target.desired);
    const merged = mergeRules(current, target.desired);
    const findings = [
      ...(perCampaign.get(campaign.id) ?? []),
      ...validateWithOverrides(merged, campaign.retryOverrides, policy),
    ];
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
    for (const refused of input.platform.checkWrite?.(patchFor(writableChanges)) ?? []) {
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
  fileFindings.push(...[...notManaged.keys()].sort().map((id) => notManaged.get(id) as Finding));
  return {
    format: "dialrules-plan/1",
    createdAt: new Date(input.clock.now()).toISOString(),
    platform: input.platform.name,
    sourceHash: sha256(input.sourceText),
    rulesFile: input.file,
    campaigns: planned,
    findings: fileFindings,
    summary: summarise(planned, fileFindings),
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
