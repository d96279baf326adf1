/**
 * The simulator's skills: a seeded mix of Personal Connection, inbound and manual-outbound phone skills,
 * each with the general settings CXone keeps (the fields of the public clients' GeneralSettings model).
 */
import type { Random } from "../random.js";
import type { GeneralSettingsValue, SimCadenceSettings, SimGeneralSettings, SimSkill } from "./types.js";

const FAMILIES = [
  "PC-Collections-East",
  "PC-Collections-West",
  "PC-Sales-Renewals",
  "PC-Survey-NPS",
  "PC-Reminders-Payments",
] as const;

export const FIRST_SKILL_ID = 4_100_001;

/**
 * Settings as tenants answer them: `aggressiveness` is a string, several unmapped fields are null (NICE's
 * spec types every field as nullable), and the pacing ceiling differs by family (see seedSkills).
 */
function seedSettings(random: Random): SimGeneralSettings {
  const drift = random.chance(0.05);
  return {
    minimumRetryMinutes: random.pick([30, 60, 120, 240]),
    maximumAttempts: random.int(1, 5),
    defaultContactExpiration: 10,
    getPriorityContactsOnContactInsertion: false,
    loadCallbacks: true,
    loadFresh: true,
    loadNonFresh: true,
    overrideBusinessUnitAbandonRate: random.chance(0.9),
    maximumRingingDuration: 30,
    beginDampenPercentage: null,
    abandonRateCutoff: 10,
    abandonRateThreshold: drift ? 5 : random.pick([1, 2, 2.5, 3]),
    inactiveBlenderTimer: 15,
    maximumRatio: 2.5,
    aggressiveness: random.pick(["conservative", "moderate", "aggressive"]),
    endOfListNotificationsDelay: null,
    notifyAgentsWhenListIsEmpty: false,
    percentageOfAgentsBeforeOverdial: 5,
    blockMultipleCalls: true,
    consecutiveAttemptsWithoutALiveConnect: 5,
    enableDialingByProficiency: false,
    proficiencyFactor: 1,
    waitTimeFactor: 10,
    maxConcurrentCallsPerAgent: random.int(1, 3),
    maxWaitTimeSeconds: 180,
  };
}

const NO_CADENCE: SimCadenceSettings = {
  cadenceMaximumAttempts: [],
  attemptMode: 0,
  recordRequestMode: 0,
  destinationRetryRestMinutes: null,
  cadences: [],
};

/**
 * A seeded mix: every 6th skill inbound and every 7th manual outbound (the driver must list neither); of
 * the Personal Connection skills, every 11th agentless, every 13th a proactive SMS skill and every 17th
 * with null retry defaults (all three listed as not managed). Pacing by family: Reminders skills have a
 * maximum ratio of 1 (progressive), Survey skills preview (one line per agent), Collections-West skills a
 * cadence that overrides the retry defaults per phone field; the rest may pace predictively.
 */
export function seedSkills(count: number, random: Random, runningIds?: readonly number[]): SimSkill[] {
  const skills: SimSkill[] = [];
  for (let i = 0; i < count; i++) {
    const skillId = FIRST_SKILL_ID + i;
    // Every 6th skill is inbound and every 7th manual outbound: the driver must list neither.
    const inbound = i % 6 === 5;
    const manual = !inbound && i % 7 === 6;
    const pc = !inbound && !manual;
    const family = FAMILIES[i % FAMILIES.length] ?? "PC";
    const name = inbound
      ? `Inbound-Support-${i + 1}`
      : manual
        ? `Manual-Outbound-${i + 1}`
        : `${family}-${String(i + 1).padStart(2, "0")}`;
    const runningRoll = random.next();
    const agentless = pc && i % 11 === 10;
    const sms = pc && !agentless && i % 13 === 12;
    const generalSettings = seedSettings(random);
    const cadenceSettings = structuredClone(NO_CADENCE);
    let confirmationRequiredDisabled: boolean | null = true;
    if (family === "PC-Reminders-Payments") generalSettings.maximumRatio = 1;
    if (family === "PC-Survey-NPS") {
      confirmationRequiredDisabled = false;
      generalSettings.maxConcurrentCallsPerAgent = 1;
    }
    if (family === "PC-Collections-West") {
      const attempts = Number(generalSettings.maximumAttempts) + 2;
      cadenceSettings.cadenceMaximumAttempts = [{ fieldName: "Phone1", attempts }];
      cadenceSettings.destinationRetryRestMinutes = 30;
    }
    if (pc && i % 17 === 16) {
      generalSettings.maximumAttempts = null;
      generalSettings.minimumRetryMinutes = null;
    }
    skills.push({
      skillId,
      skillName: name,
      mediaTypeId: 4,
      mediaTypeName: "Phone Call",
      isActive: true,
      isOutbound: !inbound,
      // Inbound skills have no outbound strategy: null, as tenants send it.
      outboundStrategy: inbound ? null : manual ? "Manual" : "Personal Connection",
      isRunning: pc && (runningIds ? runningIds.includes(skillId) : runningRoll < 0.15),
      campaignId: 900 + (i % FAMILIES.length),
      campaignName: family,
      agentless,
      agentlessPorts: agentless ? 10 : null,
      smsTransportCodeId: sms ? 7 : null,
      messageTemplateId: sms ? 31 : null,
      generalSettings,
      cadenceSettings,
      deliveryPreferences: { confirmationRequiredDisabled },
    });
  }
  return skills;
}

export class SkillStore {
  private readonly byId = new Map<number, SimSkill>();

  constructor(skills: SimSkill[]) {
    for (const s of skills) this.byId.set(s.skillId, structuredClone(s));
  }

  get(id: number): SimSkill | undefined {
    const skill = this.byId.get(id);
    return skill && structuredClone(skill);
  }

  list(): SimSkill[] {
    return [...this.byId.keys()].flatMap((id) => this.get(id) ?? []);
  }

  /** Merges the given fields into the skill's settings (PUT semantics: absent fields are kept). */
  update(id: number, settings: SimGeneralSettings): SimSkill | undefined {
    const skill = this.byId.get(id);
    if (!skill) return undefined;
    skill.generalSettings = { ...skill.generalSettings, ...settings };
    return structuredClone(skill);
  }

  /** Replaces whole parameter blocks (cadence, delivery preferences). */
  updateBlocks(
    id: number,
    blocks: Partial<Pick<SimSkill, "cadenceSettings" | "deliveryPreferences">>,
  ): SimSkill | undefined {
    const skill = this.byId.get(id);
    if (!skill) return undefined;
    Object.assign(skill, structuredClone(blocks));
    return structuredClone(skill);
  }

  setRunning(id: number, running: boolean): boolean {
    const skill = this.byId.get(id);
    if (!skill) return false;
    skill.isRunning = running;
    return true;
  }

  /** The "concurrent editor" fault: another admin nudges one Personal Connection skill's pacing. */
  concurrentEdit(roll: {
    campaignRoll: number;
    fieldRoll: number;
    valueRoll: number;
  }): { skillId: number; field: string; value: GeneralSettingsValue } | undefined {
    const pcIds = [...this.byId.values()]
      .filter((s) => s.outboundStrategy === "Personal Connection")
      .map((s) => s.skillId);
    const id = pcIds[Math.floor(roll.campaignRoll * pcIds.length)];
    const skill = id === undefined ? undefined : this.byId.get(id);
    if (!skill) return undefined;
    const field = roll.fieldRoll < 0.5 ? "maxConcurrentCallsPerAgent" : "maximumRatio";
    const current = skill.generalSettings[field];
    const choices = field === "maxConcurrentCallsPerAgent" ? [1, 2, 3, 4] : [1.5, 2, 2.5, 3];
    const others = choices.filter((c) => c !== current);
    const value = others[Math.floor(roll.valueRoll * others.length)] ?? choices[0] ?? 1;
    skill.generalSettings = { ...skill.generalSettings, [field]: value };
    return { skillId: skill.skillId, field, value };
  }
}
