/**
 * The Genesys simulator's objects: campaigns, contact lists, attempt limits (shared by the contact lists
 * of one family within each block of 25 campaigns, as administrators often share them) and the organisation's outbound settings. Objects are kept
 * exactly as last written, unknown fields included, so a client that drops a field loses it here too.
 */
import type { Random } from "../random.js";
import type { GenesysConcurrentEdit, SimObject } from "./types.js";

const FAMILIES = [
  { name: "Collections-East", mode: "predictive", limits: "Collections" },
  { name: "Collections-West", mode: "predictive", limits: "Collections" },
  { name: "Sales-Renewals", mode: "power", limits: "Sales-Renewals" },
  { name: "Survey-NPS", mode: "progressive", limits: "Survey-NPS" },
  { name: "Reminders-Payments", mode: "preview", limits: "Reminders-Payments" },
] as const;

/** A UUID-shaped id, the same for the same seed and index. */
function uuid(prefix: string, n: number): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

function ref(kind: string, id: string, name?: string): Record<string, unknown> {
  return { id, ...(name === undefined ? {} : { name }), selfUri: `/api/v2/${kind}/${id}` };
}

export interface SeedOptions {
  count: number;
  runningIds: readonly string[] | undefined;
  now: string;
}

export class GenesysStore {
  readonly campaigns = new Map<string, SimObject>();
  readonly contactLists = new Map<string, SimObject>();
  readonly attemptLimits = new Map<string, SimObject>();

  constructor(
    random: Random,
    options: SeedOptions,
    readonly settings: SimObject,
  ) {
    let limitsSeq = 0;
    /** One attempt limits object per family and block of 25 campaigns, created on first use. */
    const limitsFor = (key: string): SimObject => {
      const found = [...this.attemptLimits.values()].find((l) => l.name === `AL ${key}`);
      if (found) return found;
      const id = uuid("a1000000", ++limitsSeq);
      const perContact = random.int(2, 4);
      const d = random.pick([30, 60, 120]);
      const limits: SimObject = {
        id,
        name: `AL ${key}`,
        dateCreated: options.now,
        dateModified: options.now,
        version: 1,
        maxAttemptsPerContact: perContact,
        maxAttemptsPerNumber: perContact,
        timeZoneId: "America/New_York",
        resetPeriod: "NEVER",
        recallEntries: {
          busy: { nbrAttempts: perContact - 1, minutesBetweenAttempts: d },
          noAnswer: { nbrAttempts: perContact - 1, minutesBetweenAttempts: d },
        },
        selfUri: `/api/v2/outbound/attemptlimits/${id}`,
      };
      this.attemptLimits.set(id, limits);
      return limits;
    };
    for (let i = 0; i < options.count; i++) {
      const id = uuid("ca000000", i + 1);
      const listId = uuid("c1000000", i + 1);
      const family = FAMILIES[i % FAMILIES.length] ?? FAMILIES[0];
      // Every 8th campaign is agentless and every 13th external: the driver must list neither as managed.
      const agentless = i % 8 === 7;
      const external = !agentless && i % 13 === 12;
      const mode = agentless ? "agentless" : external ? "external" : family.mode;
      const name = agentless
        ? `Agentless-Notify-${i + 1}`
        : external
          ? `External-Dialer-${i + 1}`
          : `${family.name}-${String(i + 1).padStart(2, "0")}`;
      // Every 10th contact list has no attempt limits: its retries are not dialrules' to set.
      const limits = i % 10 === 9 ? undefined : limitsFor(`${family.limits} ${Math.floor(i / 25) + 1}`);
      this.contactLists.set(listId, {
        id: listId,
        name: `${name} list`,
        dateCreated: options.now,
        version: 1,
        columnNames: ["FirstName", "Cell"],
        phoneColumns: [{ columnName: "Cell", type: "cell" }],
        ...(limits === undefined
          ? {}
          : { attemptLimits: ref("outbound/attemptlimits", limits.id, String(limits.name)) }),
        division: ref("authorization/divisions", "d1000000-0000-4000-8000-000000000001", "Home"),
        selfUri: `/api/v2/outbound/contactlists/${listId}`,
      });
      const runningRoll = random.next();
      const running = options.runningIds ? options.runningIds.includes(id) : runningRoll < 0.1;
      const drift = random.chance(0.05);
      const abandonRate = drift ? 5 : random.pick([1, 2, 2.5, 3]);
      const perAgent = mode === "preview" ? 1 : random.int(1, 3);
      this.campaigns.set(id, {
        id,
        name,
        dateCreated: options.now,
        dateModified: options.now,
        version: 1,
        contactList: ref("outbound/contactlists", listId, `${name} list`),
        queue: ref("routing/queues", uuid("90000000", (i % FAMILIES.length) + 1), `${family.name} queue`),
        dialingMode: mode,
        script: ref("scripts", "5c000000-0000-4000-8000-000000000001", "Default Outbound Script"),
        campaignStatus: running ? "on" : "off",
        phoneColumns: [{ columnName: "Cell" }],
        ...(mode === "preview" || mode === "agentless" ? {} : { abandonRate }),
        dncLists: [],
        callAnalysisResponseSet: ref(
          "outbound/callanalysisresponsesets",
          "ca500000-0000-4000-8000-000000000001",
        ),
        callerName: "Acme Outbound",
        callerAddress: "+13175550100",
        outboundLineCount: 10,
        ruleSets: [],
        skipPreviewDisabled: false,
        previewTimeOutSeconds: 0,
        alwaysRunning: false,
        noAnswerTimeout: 30,
        callAnalysisLanguage: "en-US",
        priority: 5,
        contactListFilters: [],
        division: ref("authorization/divisions", "d1000000-0000-4000-8000-000000000001", "Home"),
        ...(mode === "agentless" ? {} : { maxCallsPerAgent: perAgent }),
        dynamicContactQueueingSettings: { sort: false, filter: false },
        // A field no public client knows yet: a PUT that drops it loses data (the test looks for it).
        futureSetting: { introduced: "sim", keep: true },
        selfUri: `/api/v2/outbound/campaigns/${id}`,
      });
    }
  }

  /** The attempt limits a campaign's contact list references, if any. */
  limitsOf(campaignId: string): SimObject | undefined {
    const listRef = this.campaigns.get(campaignId)?.contactList as { id?: unknown } | undefined;
    const list = typeof listRef?.id === "string" ? this.contactLists.get(listRef.id) : undefined;
    const limitsRef = list?.attemptLimits as { id?: unknown } | undefined;
    return typeof limitsRef?.id === "string" ? this.attemptLimits.get(limitsRef.id) : undefined;
  }

  /** Replaces an object whole (PUT semantics) with the next version. */
  replace(map: Map<string, SimObject>, id: string, body: Record<string, unknown>, now: string): SimObject {
    const stored = map.get(id);
    if (!stored) throw new Error(`no object ${id}`);
    const next: SimObject = {
      ...body,
      id,
      version: stored.version + 1,
      dateCreated: stored.dateCreated,
      dateModified: now,
      selfUri: stored.selfUri,
    };
    map.set(id, next);
    return structuredClone(next);
  }

  /** Another administrator's edit: merges `fields` and bumps the version. */
  edit(map: Map<string, SimObject>, id: string, fields: Record<string, unknown>, now: string): SimObject {
    const stored = map.get(id);
    if (!stored) throw new Error(`no object ${id}`);
    return this.replace(map, id, { ...stored, ...fields }, now);
  }

  /** The "concurrent editor" fault: another admin changes the caller name or the calls per agent. */
  concurrentEdit(
    roll: { campaignRoll: number; fieldRoll: number; valueRoll: number },
    now: string,
  ): GenesysConcurrentEdit | undefined {
    const ids = [...this.campaigns.values()]
      .filter((c) => c.dialingMode !== "agentless" && c.dialingMode !== "external")
      .map((c) => c.id);
    const id = ids[Math.floor(roll.campaignRoll * ids.length)];
    const campaign = id === undefined ? undefined : this.campaigns.get(id);
    if (!campaign) return undefined;
    const unrelated = roll.fieldRoll < 0.5;
    const field = unrelated ? "callerName" : "maxCallsPerAgent";
    const choices: unknown[] = unrelated ? ["Acme Billing", "Acme Support", "Acme Sales"] : [1, 2, 3, 4];
    const others = choices.filter((c) => c !== campaign[field]);
    const value = others[Math.floor(roll.valueRoll * others.length)] ?? choices[0];
    const next = this.edit(this.campaigns, campaign.id, { [field]: value }, now);
    return { campaignId: campaign.id, field, value, version: next.version };
  }
}
