/**
 * The campaign list both views show, searched, filtered and paged here (never in a view): the platform's
 * listing, each campaign's findings under the service's policy and its latest audit record.
 *
 * What a request costs once nothing changed: one indexed audit query (records after the newest seen, see
 * latest-audit.ts) and a map lookup of the page it asked for, already serialized with its ETag. A page is
 * computed and serialized again only when the listing (a platform read that found something different) or
 * the audit trail moved on. The listing is re-read at once after a write of this replica, in the background
 * when the trail shows another replica wrote to a campaign, and in the background once older than the TTL
 * (for edits made outside dialrules; the platform budget is shared with apply jobs, so the TTL is long).
 */
import { createHash } from "node:crypto";
import type { Clock } from "../../clock/clock.js";
import { hasErrors } from "../../domain/findings.js";
import type { Policy } from "../../domain/policy.js";
import { type Campaign, possibleMethods } from "../../domain/rules.js";
import { validateRules } from "../../domain/validate.js";
import type { NotManagedCampaign, Platform } from "../../platform/platform.js";
import {
  type CampaignPage,
  type CampaignQuery,
  type CampaignView,
  DEFAULT_CAMPAIGN_PAGE_SIZE,
  MAX_CAMPAIGN_PAGE_SIZE,
  type SerializedCampaignPage,
} from "../contract.js";
import type { ServiceDatabase } from "../db.js";
import { createLatestAudit } from "./latest-audit.js";

export interface CampaignListingDeps {
  platform: Platform;
  sdb: ServiceDatabase;
  clock: Clock;
  policy: Policy;
  /**
   * How long a listing is served before it is re-read in the background: what dialrules writes shows at
   * once, so this only bounds how late an edit made outside dialrules appears.
   */
  ttlMs: number;
  /** A background re-read failed (the previous listing keeps being served). */
  log?: (line: string) => void;
}

export interface CampaignListing {
  /** One page of campaigns matching the query, sorted by id. */
  page(query?: CampaignQuery): Promise<CampaignPage>;
  /** The same page, serialized once per listing and audit head, with a strong ETag. */
  serialized(query?: CampaignQuery): Promise<SerializedCampaignPage>;
  /** A fresh read (a change's plan needs the current revisions); the list shows it from then on. */
  fresh(): Promise<Campaign[]>;
  /** Something was written: the next read waits for the platform. */
  invalidate(): void;
}

/** The listing with what every page needs computed once: sorted views, their search text, counts. */
interface Snapshot {
  generation: number;
  /** Of the platform's reply, to tell a re-read that found nothing new (same generation, same pages). */
  signature: string;
  views: CampaignView[];
  /** Lower-cased "id\nname" per view, for search. */
  haystacks: string[];
  nonCompliant: number;
  notManaged: NotManagedCampaign[];
}

interface CachedPage {
  page: CampaignPage;
  serialized?: SerializedCampaignPage;
}

/** Distinct queries whose pages are kept per version (older ones are dropped first). */
const MAX_CACHED_PAGES = 256;

/** The query with defaults applied and bounds enforced: equal queries give equal keys. */
export function normalizeCampaignQuery(
  query: CampaignQuery = {},
): Required<Pick<CampaignQuery, "page" | "pageSize">> & CampaignQuery {
  const q = query.q?.trim().toLowerCase();
  const whole = (n: number | undefined, fallback: number, max: number) =>
    n !== undefined && Number.isSafeInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
  return {
    ...(q ? { q } : {}),
    ...(query.method ? { method: query.method } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.compliance ? { compliance: query.compliance } : {}),
    page: whole(query.page, 1, Number.MAX_SAFE_INTEGER),
    pageSize: whole(query.pageSize, DEFAULT_CAMPAIGN_PAGE_SIZE, MAX_CAMPAIGN_PAGE_SIZE),
  };
}

export function createCampaignListing(deps: CampaignListingDeps): CampaignListing {
  const { platform, sdb, clock, policy, ttlMs } = deps;
  const audit = createLatestAudit(sdb);
  type Listed = { at: number; campaigns: Campaign[]; notManaged: NotManagedCampaign[] };
  let listed: Listed | undefined;
  /** Bumped by every write of ours: a read that started before it cannot stand for the platform after it. */
  let epoch = 0;
  let inflight: { epoch: number; read: Promise<Listed> } | undefined;
  let snapshot: { source: Listed; snap: Snapshot } | undefined;
  let pages = { version: "", byKey: new Map<string, CachedPage>() };

  const read = (): Promise<Listed> => {
    if (inflight?.epoch === epoch) return inflight.read;
    const started = epoch;
    const promise = platform
      .listCampaigns()
      .then((campaigns) => {
        const result = { at: clock.now(), campaigns, notManaged: platform.listingNotes?.().notManaged ?? [] };
        if (started === epoch) listed = result;
        return result;
      })
      .finally(() => {
        if (inflight?.read === promise) inflight = undefined;
      });
    inflight = { epoch: started, read: promise };
    return promise;
  };

  /** The listing to show: a missing or invalidated one is waited for; a stale one is served while re-read. */
  /** Campaign records of the trail when the listing was last asked for. */
  let writtenSeen: number | undefined;

  async function current(written: number): Promise<Listed> {
    const foreign = writtenSeen !== undefined && written > writtenSeen;
    writtenSeen = written;
    if (!listed) return read();
    if ((foreign || clock.now() - listed.at >= ttlMs) && !inflight) {
      read().catch((err: unknown) =>
        deps.log?.(`campaign listing: re-read failed, still showing the previous one: ${String(err)}`),
      );
    }
    return listed;
  }

  function snapshotOf(source: Listed): Snapshot {
    if (snapshot?.source === source) return snapshot.snap;
    const signature = createHash("sha256")
      .update(JSON.stringify([source.campaigns, source.notManaged]))
      .digest("base64url");
    if (snapshot?.snap.signature === signature) return snapshot.snap;
    const views = [...source.campaigns]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((campaign): CampaignView => {
        const findings = validateRules(campaign.dialingRules, policy);
        return { campaign, findings, compliant: !hasErrors(findings) };
      });
    return {
      generation: (snapshot?.snap.generation ?? 0) + 1,
      signature,
      views,
      haystacks: views.map((v) => `${v.campaign.id}\n${v.campaign.name}`.toLowerCase()),
      nonCompliant: views.filter((v) => !v.compliant).length,
      notManaged: source.notManaged,
    };
  }

  async function cachedPage(query: CampaignQuery | undefined): Promise<CachedPage> {
    const trail = await audit.current();
    const source = await current(trail.written);
    // Kept by the listing's identity: a re-read is hashed once, not once per request.
    const s = snapshotOf(source);
    snapshot = { source, snap: s };
    const version = `${s.generation}:${trail.head}`;
    if (pages.version !== version) pages = { version, byKey: new Map() };
    const q = normalizeCampaignQuery(query);
    const key = JSON.stringify(q);
    const hit = pages.byKey.get(key);
    if (hit) return hit;

    const matching: number[] = [];
    for (let i = 0; i < s.views.length; i++) {
      const v = s.views[i] as CampaignView;
      if (q.q && !(s.haystacks[i] as string).includes(q.q)) continue;
      if (q.status && v.campaign.status !== q.status) continue;
      if (q.method && !possibleMethods(v.campaign.dialingRules.dialingMethod).includes(q.method)) continue;
      if (q.compliance && v.compliant !== (q.compliance === "compliant")) continue;
      matching.push(i);
    }
    const start = (q.page - 1) * q.pageSize;
    const items = matching.slice(start, start + q.pageSize).map((i) => {
      const v = s.views[i] as CampaignView;
      const lastAudit = trail.latest.get(v.campaign.id);
      return lastAudit ? { ...v, lastAudit } : v;
    });
    const entry: CachedPage = {
      page: {
        items,
        page: q.page,
        pageSize: q.pageSize,
        total: matching.length,
        pages: Math.max(1, Math.ceil(matching.length / q.pageSize)),
        campaigns: s.views.length,
        nonCompliant: s.nonCompliant,
        notManaged: s.notManaged,
      },
    };
    if (pages.byKey.size >= MAX_CACHED_PAGES) {
      const oldest = pages.byKey.keys().next().value;
      if (oldest !== undefined) pages.byKey.delete(oldest);
    }
    pages.byKey.set(key, entry);
    return entry;
  }

  return {
    page: async (query) => (await cachedPage(query)).page,
    async serialized(query) {
      const entry = await cachedPage(query);
      if (!entry.serialized) {
        const json = Buffer.from(JSON.stringify(entry.page), "utf8");
        const etag = `"${createHash("sha256").update(json).digest("base64url").slice(0, 27)}"`;
        entry.serialized = { json, etag };
      }
      return entry.serialized;
    },
    async fresh() {
      epoch++;
      listed = undefined;
      return (await read()).campaigns;
    },
    invalidate: () => {
      epoch++;
      listed = undefined;
    },
  };
}
