/**
 * The campaign list both views show: the platform's listing (reused for a few seconds, one read in flight
 * however many requests ask), each campaign's findings under the service's policy (computed once per
 * listing) and its latest audit record.
 */
import type { Clock } from "../../clock/clock.js";
import { hasErrors } from "../../domain/findings.js";
import type { Policy } from "../../domain/policy.js";
import type { Campaign } from "../../domain/rules.js";
import { validateRules } from "../../domain/validate.js";
import type { Platform } from "../../platform/platform.js";
import { rowToRecord } from "../../store/records.js";
import type { AuditRecord } from "../../store/types.js";
import type { CampaignView } from "../contract.js";
import type { ServiceDatabase } from "../db.js";

export interface CampaignListingDeps {
  platform: Platform;
  sdb: ServiceDatabase;
  clock: Clock;
  policy: Policy;
  /** How long a listing is reused (the platform budget is shared with apply jobs). */
  ttlMs: number;
}

export interface CampaignListing {
  /** Every campaign, sorted by id, with findings and latest audit record. */
  views(): Promise<CampaignView[]>;
  /** A fresh read (a change's plan needs the current revisions). */
  fresh(): Promise<Campaign[]>;
  /** Something was written: the next read goes to the platform. */
  invalidate(): void;
}

export function createCampaignListing(deps: CampaignListingDeps): CampaignListing {
  const { platform, sdb, clock, policy, ttlMs } = deps;
  let cached: { at: number; campaigns: Campaign[] } | undefined;
  let inflight: Promise<Campaign[]> | undefined;
  let validated: { source: Campaign[]; views: CampaignView[] } | undefined;

  const read = (fresh: boolean): Promise<Campaign[]> => {
    if (!fresh && cached && clock.now() - cached.at < ttlMs) return Promise.resolve(cached.campaigns);
    if (inflight) return inflight;
    inflight = platform
      .listCampaigns()
      .then((campaigns) => {
        cached = { at: clock.now(), campaigns };
        return campaigns;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  async function lastAuditByCampaign(): Promise<Map<string, AuditRecord>> {
    const latest = sdb.db
      .selectFrom("audit")
      .select(["campaign_id", sdb.db.fn.max("seq").as("max_seq")])
      .groupBy("campaign_id")
      .as("latest");
    const rows = await sdb.db
      .selectFrom("audit")
      .innerJoin(latest, "latest.max_seq", "audit.seq")
      .selectAll("audit")
      .execute();
    return new Map(rows.map((r) => [r.campaign_id, rowToRecord(r)]));
  }

  return {
    async views() {
      const [campaigns, last] = await Promise.all([read(false), lastAuditByCampaign()]);
      // Validation depends only on the listing: computed once per listing, not per request.
      if (validated?.source !== campaigns) {
        validated = {
          source: campaigns,
          views: [...campaigns]
            .sort((a, b) => a.id.localeCompare(b.id))
            .map((campaign) => {
              const findings = validateRules(campaign.dialingRules, policy);
              return { campaign, findings, compliant: !hasErrors(findings) };
            }),
        };
      }
      return validated.views.map((v) => {
        const lastAudit = last.get(v.campaign.id);
        return lastAudit ? { ...v, lastAudit } : v;
      });
    },
    fresh: () => read(true),
    invalidate: () => {
      cached = undefined;
    },
  };
}
