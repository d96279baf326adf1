import type { Clock } from "../clock/clock.js";
import type { Campaign, PartialRules } from "../domain/rules.js";
import type { FaultPlan } from "./fault-plan.js";
import type { ConcurrentEditRecord } from "./types.js";

const COOL_DOWN_CHOICES_SEC = [60, 120, 180, 300, 600, 900] as const;
const MAX_CALLS_CHOICES = [1, 2, 3, 4, 5, 6] as const;

const mapArray = Array.prototype.map;

/**
 * A deep copy of JSON-shaped data (plain objects, arrays, primitives): what structuredClone gives for it,
 * at about half the cost on the simulator's cold thread, where every PATCH copies the patch and the campaign.
 */
function copyData<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  // Not `value.map`: once optimised, `.map` returns holey arrays, and the next copy of a campaign holding
  // one failed the load's check for the packed arrays seen so far, so V8 threw the optimised copy away in
  // every run of 90 campaigns. The builtin called directly takes any array and returns a packed one.
  if (Array.isArray(value)) return mapArray.call(value, copyData) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyData((value as Record<string, unknown>)[key]);
  return out as T;
}

/** Picks a different value from `choices`, so a concurrent edit always really changes something. */
function otherChoice(choices: readonly number[], current: number, roll: number): number {
  const others = choices.filter((c) => c !== current);
  return others[Math.floor(roll * others.length)] ?? current;
}

/** The simulator's campaigns. Every change bumps the revision by exactly one and stamps updatedAt. */
export class CampaignStore {
  private readonly byId = new Map<string, Campaign>();
  private readonly ids: string[];

  constructor(
    campaigns: Campaign[],
    private readonly clock: Clock,
  ) {
    for (const c of campaigns) this.byId.set(c.id, copyData(c));
    this.ids = campaigns.map((c) => c.id);
  }

  get(id: string): Campaign | undefined {
    const campaign = this.byId.get(id);
    return campaign && copyData(campaign);
  }

  /** The campaign's revision without copying it (a PATCH checks only this before writing). */
  revisionOf(id: string): number | undefined {
    return this.byId.get(id)?.revision;
  }

  list(): Campaign[] {
    return this.ids.flatMap((id) => this.get(id) ?? []);
  }

  page(page: number, pageSize: number): { campaigns: Campaign[]; total: number } {
    const slice = this.ids.slice((page - 1) * pageSize, page * pageSize);
    return { campaigns: slice.flatMap((id) => this.get(id) ?? []), total: this.ids.length };
  }

  /** Replaces the present rule fields as wholes (the contract's PATCH semantics). */
  apply(id: string, rules: PartialRules): Campaign | undefined {
    const campaign = this.byId.get(id);
    if (!campaign) return undefined;
    campaign.dialingRules = { ...campaign.dialingRules, ...copyData(rules) };
    campaign.revision += 1;
    campaign.updatedAt = new Date(this.clock.now()).toISOString();
    return copyData(campaign);
  }

  /**
   * The "concurrent editor" fault: someone else changes one campaign between a client's read and write.
   * It only touches pacing fields and keeps them valid (PREVIEW stays at one call per agent).
   */
  concurrentEdit(edit: NonNullable<FaultPlan["edit"]>): ConcurrentEditRecord | undefined {
    const id = this.ids[Math.floor(edit.campaignRoll * this.ids.length)];
    const campaign = id === undefined ? undefined : this.byId.get(id);
    if (!campaign) return undefined;
    const rules = campaign.dialingRules;
    const changeMaxCalls = rules.dialingMethod !== "PREVIEW" && edit.fieldRoll < 0.5;
    const changed = changeMaxCalls
      ? this.apply(campaign.id, {
          maxCallsPerAgent: otherChoice(MAX_CALLS_CHOICES, rules.maxCallsPerAgent, edit.valueRoll),
        })
      : this.apply(campaign.id, {
          abandonmentRateThreshold: {
            ...rules.abandonmentRateThreshold,
            coolDownSec: otherChoice(
              COOL_DOWN_CHOICES_SEC,
              rules.abandonmentRateThreshold.coolDownSec,
              edit.valueRoll,
            ),
          },
        });
    if (!changed) return undefined;
    return {
      campaignId: changed.id,
      field: changeMaxCalls ? "maxCallsPerAgent" : "abandonmentRateThreshold.coolDownSec",
      value: changeMaxCalls
        ? changed.dialingRules.maxCallsPerAgent
        : changed.dialingRules.abandonmentRateThreshold.coolDownSec,
      revision: changed.revision,
    };
  }
}
