import type { Campaign, CampaignStatus, DialingMethod, DialingRules } from "../domain/rules.js";
import type { Random } from "./random.js";

const NAME_FAMILIES = [
  "Collections-East",
  "Collections-West",
  "Sales-Renewals",
  "Sales-Upgrades",
  "Survey-NPS",
  "Survey-PostCall",
  "Reminders-Appointments",
  "Reminders-Payments",
] as const;

const STATUS_WEIGHTS: readonly [CampaignStatus, number][] = [
  ["ACTIVE", 0.6],
  ["PAUSED", 0.25],
  ["STOPPED", 0.15],
];

const METHOD_WEIGHTS: readonly [DialingMethod, number][] = [
  ["PREDICTIVE", 0.4],
  ["PROGRESSIVE", 0.25],
  ["POWER", 0.2],
  ["PREVIEW", 0.15],
];

/** Retry ladders in minutes; seeded retries take an increasing subset. */
const INTERVAL_LADDER = [15, 30, 60, 120, 240, 480, 720, 1440, 2880] as const;
const COMPLIANT_MAX_RATES = [0.01, 0.02, 0.025, 0.03] as const;
const COOL_DOWNS_SEC = [60, 120, 300, 600, 900] as const;

/** Share of campaigns seeded with realistic drift (rate above 3 % or overlapping retries) for audits to find. */
const DRIFT_PROBABILITY = 0.05;

export const FIRST_CAMPAIGN_NUMBER = 10001;

export function campaignId(index: number): string {
  return `CMP-${FIRST_CAMPAIGN_NUMBER + index}`;
}

function weighted<T>(random: Random, weights: readonly [T, number][]): T {
  let roll = random.next();
  for (const [value, weight] of weights) {
    if (roll < weight) return value;
    roll -= weight;
  }
  const last = weights[weights.length - 1];
  if (!last) throw new Error("empty weights");
  return last[0];
}

function maxCallsFor(method: DialingMethod, random: Random): number {
  switch (method) {
    case "PREDICTIVE":
      return random.int(2, 5);
    case "POWER":
      return random.int(2, 4);
    case "PROGRESSIVE":
      return random.int(1, 2);
    case "PREVIEW":
      return 1;
  }
}

function increasingIntervals(count: number, random: Random): number[] {
  const ladder = [...INTERVAL_LADDER];
  const picked: number[] = [];
  while (picked.length < count) {
    const index = random.int(0, ladder.length - 1);
    picked.push(...ladder.splice(index, 1));
  }
  return picked.sort((a, b) => a - b);
}

function seedRules(random: Random): DialingRules {
  const dialingMethod = weighted(random, METHOD_WEIGHTS);
  const maxAttempts = random.int(0, 5);
  const intervalMinutes = increasingIntervals(maxAttempts, random);
  let maxRate: number = random.pick(COMPLIANT_MAX_RATES);
  if (random.chance(DRIFT_PROBABILITY)) {
    // Drift stays within the platform's own rules (schema and length == maxAttempts).
    if (intervalMinutes.length >= 2) intervalMinutes.reverse();
    else maxRate = 0.05;
  }
  return {
    dialingMethod,
    retrySettings: { maxAttempts, intervalMinutes },
    abandonmentRateThreshold: { maxRate, coolDownSec: random.pick(COOL_DOWNS_SEC) },
    maxCallsPerAgent: maxCallsFor(dialingMethod, random),
  };
}

/** The simulator's starting data: deterministic for a seed, valid per the contract, mostly US-compliant. */
export function seedCampaigns(count: number, random: Random, now: number): Campaign[] {
  const campaigns: Campaign[] = [];
  for (let index = 0; index < count; index++) {
    const family = random.pick(NAME_FAMILIES);
    const hoursAgo = random.int(1, 24 * 90);
    campaigns.push({
      id: campaignId(index),
      name: `${family}-${String(index + 1).padStart(3, "0")}`,
      status: weighted(random, STATUS_WEIGHTS),
      revision: random.int(1, 60),
      dialingRules: seedRules(random),
      updatedAt: new Date(now - hoursAgo * 3_600_000).toISOString(),
    });
  }
  return campaigns;
}
