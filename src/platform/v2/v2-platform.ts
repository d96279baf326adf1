/**
 * The `v2` driver: the campaigns API of contract/v2-contract.openapi.yaml over the shared HTTP plumbing.
 * Writes are conditional (X-If-Match equal to the body's revision, 409 otherwise) and carry only the
 * rule fields being changed.
 */
import { setMaxListeners } from "node:events";
import type { z } from "zod";
import { type Campaign, type PartialRules, RULE_FIELDS } from "../../domain/rules.js";
import { HttpClient, type HttpResponse } from "../../http/client.js";
import { ClientCredentialsTokenSource } from "../../http/token-source.js";
import type { PlatformConfig } from "../config.js";
import { type DriverDeps, driverPlumbing } from "../driver-deps.js";
import { UnexpectedResponseError, WriteOutcomeUnknownError } from "../errors.js";
import { lastPageFor } from "../listing-bounds.js";
import { fetchPages } from "../paged-listing.js";
import type { CallOptions, Platform, PlatformCapabilities, UpdateResult } from "../platform.js";
import { campaignPageSchema, campaignSchema, describeIssues } from "./schemas.js";

export const V2_PAGE_SIZE = 100;

/** The limiter defaults to the process-wide one of this token URL and client id. */
export type V2PlatformDeps = DriverDeps;

const CAMPAIGNS_ROUTE = "/outbound/campaigns";
const CAMPAIGN_ROUTE = "/outbound/campaigns/:id";

export function createV2Platform(config: PlatformConfig, deps: V2PlatformDeps = {}): Platform {
  const shared = driverPlumbing(deps, {
    key: `${config.tokenUrl} ${config.clientId}`,
    perMinute: config.rateLimitPerMinute,
    burst: config.rateBurst,
  });
  const tokens = new ClientCredentialsTokenSource({
    ...shared,
    tokenUrl: config.tokenUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scopes: config.scopes,
    clientAuth: config.clientAuth,
  });
  const http = new HttpClient({ ...shared, baseUrl: config.apiBaseUrl, tokens, userAgent: "dialrules-v2" });
  return new V2Platform(http, () => shared.limiter.room?.());
}

class V2Platform implements Platform {
  readonly name = "v2";
  readonly capabilities: PlatformCapabilities = { conditionalWrite: true, writableFields: RULE_FIELDS };
  private readonly closing = new AbortController();

  constructor(
    private readonly http: HttpClient,
    readonly requestRoom: () => number | undefined,
  ) {
    // Every in-flight call listens on this signal; hundreds at once are normal, not a leak.
    setMaxListeners(0, this.closing.signal);
  }

  async getCampaign(id: string, options?: CallOptions): Promise<Campaign> {
    const res = await this.http.request({
      method: "GET",
      path: campaignPath(id),
      route: CAMPAIGN_ROUTE,
      signal: this.signal(options),
    });
    return parseReply(campaignSchema, res, `GET ${CAMPAIGN_ROUTE}`, false);
  }

  async listCampaigns(options?: CallOptions): Promise<Campaign[]> {
    const signal = this.signal(options);
    const byId = new Map<string, Campaign>();
    // A campaign that moves between pages while we read is seen twice; the later copy wins.
    const merge = (campaigns: readonly Campaign[]) => {
      for (const campaign of campaigns) byId.set(campaign.id, campaign);
    };
    const first = await this.listPage(1, signal);
    merge(first.campaigns);
    if (first.campaigns.length === 0) return [...byId.values()];
    // Bounded by the first page's total (itself capped): a server that keeps saying "more" cannot loop us.
    const lastPage = lastPageFor(first.total, first.pageSize);
    const rest = await fetchPages(2, lastPage, (page, s) => this.listPage(page, s), { signal });
    for (const page of rest) {
      if (page.campaigns.length === 0) break;
      merge(page.campaigns);
    }
    return [...byId.values()];
  }

  private async listPage(page: number, signal: AbortSignal) {
    const res = await this.http.request({
      method: "GET",
      path: CAMPAIGNS_ROUTE,
      route: CAMPAIGNS_ROUTE,
      query: { page, pageSize: V2_PAGE_SIZE },
      signal,
    });
    return parseReply(campaignPageSchema, res, `GET ${CAMPAIGNS_ROUTE}`, false);
  }

  async updateRules(
    id: string,
    revision: number,
    rules: PartialRules,
    options?: CallOptions,
  ): Promise<UpdateResult> {
    if (!Number.isInteger(revision) || revision < 0) {
      throw new RangeError(`revision must be a non-negative integer, got ${revision}`);
    }
    const dialingRules = onlyRuleFields(rules);
    if (Object.keys(dialingRules).length === 0)
      throw new RangeError("updateRules needs at least one rule field");
    const res = await this.http.request({
      method: "PATCH",
      path: campaignPath(id),
      route: CAMPAIGN_ROUTE,
      headers: { "x-if-match": String(revision) },
      body: { revision, dialingRules },
      signal: this.signal(options),
    });
    const campaign = parseReply(campaignSchema, res, `PATCH ${CAMPAIGN_ROUTE}`, true);
    return res.requestId === undefined ? { campaign } : { campaign, requestId: res.requestId };
  }

  async close(): Promise<void> {
    this.closing.abort(new Error("platform client closed"));
  }

  private signal(options: CallOptions | undefined): AbortSignal {
    return options?.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
  }
}

function campaignPath(id: string): string {
  if (id === "") throw new RangeError("campaign id must not be empty");
  return `${CAMPAIGNS_ROUTE}/${encodeURIComponent(id)}`;
}

/** Copies only the four rule fields that are present, so nothing else can slip into the PATCH body. */
function onlyRuleFields(rules: PartialRules): PartialRules {
  const out: Record<string, unknown> = {};
  for (const field of RULE_FIELDS) if (rules[field] !== undefined) out[field] = rules[field];
  return out as PartialRules;
}

function parseReply<T>(schema: z.ZodType<T>, res: HttpResponse, what: string, isWrite: boolean): T {
  const result = schema.safeParse(res.body);
  if (result.success) return result.data;
  const message = `${what} answered ${res.status} with a body that does not match the v2 contract: ${describeIssues(result.error)}`;
  // A write that succeeded with an unreadable reply may have been applied: the engine reads back.
  if (isWrite) throw new WriteOutcomeUnknownError(message, res.status, res.requestId);
  throw new UnexpectedResponseError(message, res.status, res.requestId);
}
