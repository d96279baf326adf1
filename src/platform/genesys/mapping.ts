/**
 * Our rule model ⇄ a Genesys Cloud outbound campaign and the attempt limits of its contact list. The
 * table, with the source of every fact and every assumption, is in docs/platforms/genesys.md#field-mapping.
 * Reads always give a full DialingRules; writes refuse (nothing sent) what Genesys cannot hold exactly.
 * Bodies are built from the object as read, so every field dialrules does not manage goes back unchanged.
 */
import { createHash } from "node:crypto";
import type {
  CampaignStatus,
  DialingMethod,
  DialingRules,
  PartialRules,
  RetrySettings,
  RuleField,
} from "../../domain/rules.js";
import type { PlatformFieldError } from "../errors.js";
import { evenSchedule, evenSpacing, unevenRetryRefusal } from "../even-spacing.js";
import { fractionToPercent, percentToFraction } from "../percent.js";
import type { GenesysAttemptLimits, GenesysCampaign } from "./schemas.js";

/**
 * While a campaign runs, Genesys lets only rule sets, DNC lists, callable time sets, abandon rate, script,
 * division and caller id change (Genesys help, "Edit an existing campaign"); of our rule fields that is the
 * abandonment threshold (abandonRate).
 */
export const GENESYS_WRITABLE_WHILE_ACTIVE: readonly RuleField[] = ["abandonmentRateThreshold"];

/** Genesys refuses fewer minutes between recall attempts (terraform outbound_attempt_limit.md). */
export const MIN_MINUTES_BETWEEN_ATTEMPTS = 5;

/** The call outcomes a recall entry can name (recall_entries in terraform outbound_attempt_limit.md). */
export const RECALL_OUTCOMES = ["busy", "noAnswer", "answeringMachine", "fax"] as const;

const METHOD_OF_MODE: Readonly<Record<string, DialingMethod>> = {
  preview: "PREVIEW",
  power: "POWER",
  predictive: "PREDICTIVE",
  progressive: "PROGRESSIVE",
};
const MODE_OF_METHOD: Readonly<Record<DialingMethod, string>> = {
  PREVIEW: "preview",
  POWER: "power",
  PREDICTIVE: "predictive",
  PROGRESSIVE: "progressive",
};
/** Modes whose campaigns Genesys requires an abandonRate for (campaign.go, AbandonRate). */
const NEEDS_ABANDON_RATE = new Set(["power", "predictive", "progressive"]);

/** What one campaign's rules are read from: the campaign and, through its contact list, attempt limits. */
export interface Snapshot {
  campaign: GenesysCampaign;
  /** The contact list's id, when the campaign has one. */
  contactListId: string | undefined;
  /** Undefined when the contact list references none (then retries are not ours to set). */
  attemptLimits: GenesysAttemptLimits | undefined;
}

/** Why dialrules leaves a campaign alone, or undefined when it manages it. */
export function notManagedReason(campaign: GenesysCampaign): string | undefined {
  const mode = campaign.dialingMode;
  if (mode === "agentless")
    return "agentless campaign: no agents, so no calls per agent or abandonment to govern";
  if (mode === "external") return "external campaign: dialing is done by another system";
  if (METHOD_OF_MODE[mode] === undefined) return `dialing mode "${mode}" is not one dialrules knows`;
  return undefined;
}

/** on, stopping and forced_stopping still dial (ACTIVE); off, complete, invalid, forced_off do not. */
export function statusOf(campaignStatus: string): CampaignStatus {
  return ["on", "stopping", "forced_stopping"].includes(campaignStatus) ? "ACTIVE" : "STOPPED";
}

export function isRunning(campaign: GenesysCampaign): boolean {
  return statusOf(campaign.campaignStatus) === "ACTIVE";
}

/** Retries after the first call and their schedule, from attempt limits. */
export function retryOf(limits: GenesysAttemptLimits | undefined): RetrySettings {
  if (!limits) return { maxAttempts: 0, intervalMinutes: [] };
  // maxAttemptsPerContact counts the first call; ours counts retries. (Per-number limits are a fallback.)
  const perContact = limits.maxAttemptsPerContact ?? limits.maxAttemptsPerNumber ?? 1;
  const retries = Math.max(0, perContact - 1);
  const spacings = Object.values(limits.recallEntries ?? {})
    .filter((e) => e.nbrAttempts !== 0)
    .map((e) => e.minutesBetweenAttempts)
    .filter((m): m is number => m !== undefined && m > 0);
  // The densest schedule Genesys may use is shown, so frequency-cap validation sees the worst case.
  const d = spacings.length > 0 ? Math.min(...spacings) : MIN_MINUTES_BETWEEN_ATTEMPTS;
  return { maxAttempts: retries, intervalMinutes: evenSchedule(retries, d) };
}

export function toDialingRules(s: Snapshot): DialingRules {
  const c = s.campaign;
  const perAgent = c.maxCallsPerAgent ?? Math.ceil(c.maxCallsPerAgentDecimal ?? 1);
  return {
    dialingMethod: METHOD_OF_MODE[c.dialingMode] ?? "PREVIEW",
    retrySettings: retryOf(s.attemptLimits),
    // No cool-down exists on a campaign; 0 is the only value a write can keep. No abandonRate (preview) = 0.
    abandonmentRateThreshold: { maxRate: percentToFraction(c.abandonRate ?? 0), coolDownSec: 0 },
    maxCallsPerAgent: perAgent,
  };
}

/**
 * The change marker the engine compares: the campaign's version and which attempt limits, at which
 * version, its contact list uses. A change to either object gives a different number (first 48 bits of
 * a SHA-256), so a write planned against one state is refused in any other.
 */
export function revisionOf(s: Snapshot): number {
  const canonical = JSON.stringify([
    s.campaign.version,
    s.contactListId ?? null,
    s.attemptLimits?.id ?? null,
    s.attemptLimits?.version ?? null,
  ]);
  return createHash("sha256").update(canonical).digest().readUIntBE(0, 6);
}

export interface WriteContext {
  snapshot?: Snapshot;
  /** The organisation's maxConfigurableCallsPerAgent, when known. */
  maxConfigurableCallsPerAgent?: number;
}

/** Every part of `rules` Genesys cannot hold exactly for this campaign; empty when all can be written. */
export function refusalsOf(rules: PartialRules, ctx: WriteContext): PlatformFieldError[] {
  const refused: PlatformFieldError[] = [];
  const abandon = rules.abandonmentRateThreshold;
  if (abandon !== undefined && abandon.coolDownSec !== 0) {
    refused.push({
      field: "abandonmentRateThreshold.coolDownSec",
      message: `Genesys Cloud campaigns have no abandonment cool-down; set coolDownSec to 0 for genesys campaigns (got ${abandon.coolDownSec})`,
    });
  }
  const ceiling = ctx.maxConfigurableCallsPerAgent;
  if (rules.maxCallsPerAgent !== undefined && ceiling !== undefined && rules.maxCallsPerAgent > ceiling) {
    refused.push({
      field: "maxCallsPerAgent",
      message: `the organisation allows at most ${ceiling} calls per agent (outbound settings, maxConfigurableCallsPerAgent); got ${rules.maxCallsPerAgent}`,
    });
  }
  const campaign = ctx.snapshot?.campaign;
  // A rules file names one method; a set (a reading some platforms give) is never written.
  if (typeof rules.dialingMethod === "string" && campaign !== undefined) {
    const mode = MODE_OF_METHOD[rules.dialingMethod];
    if (NEEDS_ABANDON_RATE.has(mode) && campaign.abandonRate === undefined && abandon === undefined) {
      refused.push({
        field: "abandonmentRateThreshold",
        message: `Genesys Cloud needs an abandon rate for ${mode} campaigns and this campaign has none; set abandonmentRateThreshold too`,
      });
    }
  }
  const retry = rules.retrySettings;
  if (retry !== undefined) {
    const spacing = evenSpacing(retry.intervalMinutes);
    const uneven = unevenRetryRefusal(
      retry,
      "Genesys Cloud attempt limits hold one interval between attempts (minutesBetweenAttempts)",
    );
    if (ctx.snapshot !== undefined && ctx.snapshot.attemptLimits === undefined) {
      refused.push({
        field: "retrySettings",
        message:
          "the campaign's contact list has no attempt limits, where Genesys Cloud keeps retries; assign attempt limits to the contact list in Genesys first",
      });
    } else if (uneven !== undefined) {
      refused.push(uneven);
    } else if (spacing !== undefined && spacing < MIN_MINUTES_BETWEEN_ATTEMPTS) {
      refused.push({
        field: "retrySettings.intervalMinutes",
        message: `Genesys Cloud needs at least ${MIN_MINUTES_BETWEEN_ATTEMPTS} minutes between attempts; got ${spacing}`,
      });
    }
  }
  return refused;
}

/** The campaign's PUT body: the object as read with only the managed fields replaced. */
export function campaignBody(campaign: GenesysCampaign, rules: PartialRules): GenesysCampaign | undefined {
  const body: GenesysCampaign = { ...campaign };
  if (typeof rules.dialingMethod === "string") body.dialingMode = MODE_OF_METHOD[rules.dialingMethod];
  if (rules.abandonmentRateThreshold !== undefined)
    body.abandonRate = fractionToPercent(rules.abandonmentRateThreshold.maxRate);
  if (rules.maxCallsPerAgent !== undefined) {
    body.maxCallsPerAgent = rules.maxCallsPerAgent;
    // Both forms exist; a stale decimal would contradict the integer just written.
    if (body.maxCallsPerAgentDecimal !== undefined) body.maxCallsPerAgentDecimal = rules.maxCallsPerAgent;
  }
  return sameJson(body, campaign) ? undefined : body;
}

/** The attempt limits' PUT body for `retry`, or undefined when they already hold it. */
export function attemptLimitsBody(
  limits: GenesysAttemptLimits,
  retry: RetrySettings,
): GenesysAttemptLimits | undefined {
  const d = evenSpacing(retry.intervalMinutes);
  const body: GenesysAttemptLimits = { ...limits, maxAttemptsPerContact: retry.maxAttempts + 1 };
  const entries = { ...(limits.recallEntries ?? {}) };
  if (retry.maxAttempts > 0 && d !== undefined) {
    // Every outcome recalls up to the limit, d minutes apart: the schedule is [d, 2d, …] whatever the outcome.
    for (const outcome of RECALL_OUTCOMES)
      entries[outcome] = { ...entries[outcome], nbrAttempts: retry.maxAttempts, minutesBetweenAttempts: d };
  } else {
    for (const outcome of RECALL_OUTCOMES) {
      const entry = entries[outcome];
      if (entry !== undefined) entries[outcome] = { ...entry, nbrAttempts: 0 };
    }
  }
  if (Object.keys(entries).length > 0 || limits.recallEntries !== undefined) body.recallEntries = entries;
  return sameJson(body, limits) ? undefined : body;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
