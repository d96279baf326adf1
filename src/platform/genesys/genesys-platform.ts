/**
 * The `genesys` driver: Genesys Cloud outbound campaigns (docs/platforms/genesys.md). A campaign's rules
 * come from two objects: the campaign (dialing mode, abandon rate, calls per agent) and the attempt limits
 * of its contact list (retries), which other contact lists may share. Both are versioned and replaced
 * whole by PUT, so every write starts from a fresh GET of the object and sends all of it back with only
 * our fields changed. `revision` covers both objects (mapping.ts, revisionOf): a write planned against
 * another state of either is refused with ConflictError and the engine merges.
 */
import { setMaxListeners } from "node:events";
import type { z } from "zod";
import type { Finding } from "../../domain/findings.js";
import { type Campaign, type PartialRules, RULE_FIELDS, type RuleField } from "../../domain/rules.js";
import { HttpClient, type HttpResponse } from "../../http/client.js";
import { ClientCredentialsTokenSource } from "../../http/token-source.js";
import { type DriverDeps, driverPlumbing } from "../driver-deps.js";
import {
  AuthError,
  ConflictError,
  NotFoundError,
  type PlatformFieldError,
  PlatformValidationError,
  UnexpectedResponseError,
  WriteOutcomeUnknownError,
} from "../errors.js";
import { fetchPages } from "../paged-listing.js";
import type {
  CallOptions,
  ListingNotes,
  NotManagedCampaign,
  Platform,
  PlatformCapabilities,
  UpdateResult,
} from "../platform.js";
import { describeIssues } from "../v2/schemas.js";
import type { GenesysConfig } from "./config.js";
import { genesysErrorMapping } from "./errors.js";
import {
  attemptLimitsBody,
  campaignBody,
  GENESYS_WRITABLE_WHILE_ACTIVE,
  isRunning,
  notManagedReason,
  refusalsOf,
  revisionOf,
  type Snapshot,
  statusOf,
  toDialingRules,
} from "./mapping.js";
import {
  attemptLimitsSchema,
  campaignSchema,
  contactListSchema,
  type GenesysAttemptLimits,
  type GenesysContactList,
  type GenesysOutboundSettings,
  outboundSettingsSchema,
  pageSchema,
} from "./schemas.js";

export type GenesysPlatformDeps = DriverDeps;

/** The largest pageSize the outbound listings accept (platform-sources.md). */
export const GENESYS_PAGE_SIZE = 100;
/** Hard bound on pages read from one listing, whatever `pageCount` says. */
const MAX_PAGES = 10_000;

const ROUTES = {
  campaigns: "/outbound/campaigns",
  campaign: "/outbound/campaigns/:id",
  contactLists: "/outbound/contactlists",
  contactList: "/outbound/contactlists/:id",
  attemptLimitsList: "/outbound/attemptlimits",
  attemptLimits: "/outbound/attemptlimits/:id",
  settings: "/outbound/settings",
} as const;

export function createGenesysPlatform(config: GenesysConfig, deps: GenesysPlatformDeps = {}): Platform {
  const shared = driverPlumbing(deps, {
    key: `genesys ${config.tokenUrl} ${config.clientId}`,
    perMinute: config.rateLimitPerMinute,
  });
  // Genesys SDKs send the client id and secret by HTTP Basic and ask for no scope (the role decides).
  const tokens = new ClientCredentialsTokenSource({
    ...shared,
    tokenUrl: config.tokenUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scopes: [],
    clientAuth: "basic",
  });
  const http = new HttpClient({
    ...shared,
    baseUrl: `${config.apiBaseUrl}/api/v2`,
    tokens,
    userAgent: "dialrules-genesys",
    errors: genesysErrorMapping,
  });
  return new GenesysPlatform(http);
}

class GenesysPlatform implements Platform {
  readonly name = "genesys";
  readonly capabilities: PlatformCapabilities = {
    conditionalWrite: true,
    writableFields: RULE_FIELDS,
    writableWhileActive: GENESYS_WRITABLE_WHILE_ACTIVE,
  };
  private readonly closing = new AbortController();
  /** The latest read of each campaign, for checkWrite (which attempt limits, which mode). */
  private readonly snapshots = new Map<string, Snapshot>();
  private settings: GenesysOutboundSettings | undefined;
  private notes: ListingNotes = { notManaged: [], findings: [] };

  constructor(private readonly http: HttpClient) {
    // Every in-flight call listens on this signal; hundreds at once are normal, not a leak.
    setMaxListeners(0, this.closing.signal);
  }

  async getCampaign(id: string, options?: CallOptions): Promise<Campaign> {
    const snapshot = await this.readSnapshot(id, this.signal(options));
    const reason = notManagedReason(snapshot.campaign);
    if (reason !== undefined)
      throw new NotFoundError(`campaign ${id} is not managed by dialrules: ${reason}`);
    return this.campaignOf(snapshot);
  }

  async listCampaigns(options?: CallOptions): Promise<Campaign[]> {
    const signal = this.signal(options);
    // Four listings, one request per 100 objects each; never one request per campaign.
    const [campaigns, contactLists, limits, settings] = await Promise.all([
      this.listAll(ROUTES.campaigns, campaignSchema, signal),
      this.listAll(ROUTES.contactLists, contactListSchema, signal),
      this.listAll(ROUTES.attemptLimitsList, attemptLimitsSchema, signal),
      this.readSettings(signal),
    ]);
    const listById = new Map<string, GenesysContactList>(contactLists.map((c) => [c.id, c]));
    const limitsById = new Map<string, GenesysAttemptLimits>(limits.map((l) => [l.id, l]));
    const managed: Campaign[] = [];
    const notManaged: NotManagedCampaign[] = [];
    for (const campaign of campaigns) {
      const reason = notManagedReason(campaign);
      if (reason !== undefined) {
        notManaged.push({ id: campaign.id, name: campaign.name, reason });
        continue;
      }
      const contactListId = campaign.contactList?.id;
      const limitsId =
        contactListId === undefined ? undefined : listById.get(contactListId)?.attemptLimits?.id;
      let attemptLimits = limitsId === undefined ? undefined : limitsById.get(limitsId);
      if (limitsId !== undefined && attemptLimits === undefined) {
        // Created after the listing was read: fetch it rather than show "no attempt limits".
        attemptLimits = await this.readAttemptLimits(limitsId, signal);
      }
      managed.push(this.campaignOf({ campaign, contactListId, attemptLimits }));
    }
    this.settings = settings.value;
    this.notes = { notManaged, findings: settings.findings };
    return managed.sort((a, b) => a.id.localeCompare(b.id));
  }

  listingNotes(): ListingNotes {
    return this.notes;
  }

  checkWrite(rules: PartialRules, campaign?: Campaign): PlatformFieldError[] {
    const snapshot = campaign === undefined ? undefined : this.snapshots.get(campaign.id);
    return refusalsOf(rules, {
      ...(snapshot === undefined ? {} : { snapshot }),
      ...this.ceiling(),
    });
  }

  async updateRules(
    id: string,
    revision: number,
    rules: PartialRules,
    options?: CallOptions,
  ): Promise<UpdateResult> {
    const fields = RULE_FIELDS.filter((f) => rules[f] !== undefined);
    if (fields.length === 0) throw new RangeError("updateRules needs at least one rule field");
    const signal = this.signal(options);
    // PUT replaces the whole object: start from what the platform holds now, not from the plan's copy.
    const snapshot = await this.readSnapshot(id, signal);
    const reason = notManagedReason(snapshot.campaign);
    if (reason !== undefined) {
      throw new PlatformValidationError(
        [{ field: "dialingMethod", message: reason }],
        undefined,
        `campaign ${id} is not managed by dialrules (${reason}); nothing was sent`,
      );
    }
    const current = revisionOf(snapshot);
    if (current !== revision) {
      throw new ConflictError(
        `campaign ${id} or its attempt limits changed since they were read (revision ${revision}, now ${current})`,
        current,
      );
    }
    const refused = refusalsOf(rules, { snapshot, ...this.ceiling() });
    if (isRunning(snapshot.campaign)) refused.push(...runningRefusals(fields));
    if (refused.length > 0) {
      throw new PlatformValidationError(
        refused,
        undefined,
        `campaign ${id}: Genesys Cloud cannot take this change, nothing was sent: ${refused.map((f) => `${f.field}: ${f.message}`).join("; ")}`,
      );
    }

    let { campaign, attemptLimits } = snapshot;
    let requestId: string | undefined;
    const body = campaignBody(campaign, rules);
    if (body !== undefined) {
      const res = await this.http.request({
        method: "PUT",
        path: `${ROUTES.campaigns}/${encodeId(id)}`,
        route: ROUTES.campaign,
        body,
        signal,
        subject: "campaign",
      });
      campaign = parseReply(campaignSchema, res, `PUT ${ROUTES.campaign}`, true);
      requestId = res.requestId;
    }
    const limitsBody =
      rules.retrySettings !== undefined && attemptLimits !== undefined
        ? attemptLimitsBody(attemptLimits, rules.retrySettings)
        : undefined;
    if (limitsBody !== undefined && attemptLimits !== undefined) {
      try {
        const res = await this.http.request({
          method: "PUT",
          path: `${ROUTES.attemptLimitsList}/${encodeId(attemptLimits.id)}`,
          route: ROUTES.attemptLimits,
          body: limitsBody,
          signal,
          subject: "attempt limits",
        });
        attemptLimits = parseReply(attemptLimitsSchema, res, `PUT ${ROUTES.attemptLimits}`, true);
        requestId ??= res.requestId;
      } catch (err) {
        // The campaign half is written: the engine must re-read (and merges what is left) rather than
        // record a failure of a change that partly happened.
        if (body === undefined || signal.aborted || err instanceof ConflictError) throw err;
        throw new WriteOutcomeUnknownError(
          `campaign ${id} was written but its attempt limits were not (${err instanceof Error ? err.message : String(err)}); re-read before deciding`,
          undefined,
          requestId,
        );
      }
    }
    const result = this.campaignOf({ campaign, contactListId: snapshot.contactListId, attemptLimits });
    return requestId === undefined ? { campaign: result } : { campaign: result, requestId };
  }

  async close(): Promise<void> {
    this.closing.abort(new Error("platform client closed"));
  }

  private ceiling(): { maxConfigurableCallsPerAgent?: number } {
    const max = this.settings?.maxConfigurableCallsPerAgent;
    return max === undefined ? {} : { maxConfigurableCallsPerAgent: max };
  }

  private campaignOf(snapshot: Snapshot): Campaign {
    const { campaign, attemptLimits } = snapshot;
    this.snapshots.set(campaign.id, snapshot);
    return {
      id: campaign.id,
      name: campaign.name,
      status: statusOf(campaign.campaignStatus),
      revision: revisionOf(snapshot),
      dialingRules: toDialingRules(snapshot),
      ...(attemptLimits === undefined ? {} : { sharedFields: { retrySettings: sharedKey(attemptLimits) } }),
    };
  }

  private async readSnapshot(id: string, signal: AbortSignal): Promise<Snapshot> {
    const campaign = await this.readOne(ROUTES.campaigns, ROUTES.campaign, id, campaignSchema, signal);
    const contactListId = campaign.contactList?.id;
    if (contactListId === undefined) return { campaign, contactListId, attemptLimits: undefined };
    const contactList = await this.readOne(
      ROUTES.contactLists,
      ROUTES.contactList,
      contactListId,
      contactListSchema,
      signal,
    );
    const limitsId = contactList.attemptLimits?.id;
    const attemptLimits = limitsId === undefined ? undefined : await this.readAttemptLimits(limitsId, signal);
    return { campaign, contactListId, attemptLimits };
  }

  private readAttemptLimits(id: string, signal: AbortSignal): Promise<GenesysAttemptLimits> {
    return this.readOne(ROUTES.attemptLimitsList, ROUTES.attemptLimits, id, attemptLimitsSchema, signal);
  }

  /** `GET {collection}/{id}`, parsed. */
  private async readOne<T>(
    collection: string,
    route: string,
    id: string,
    schema: z.ZodType<T>,
    signal: AbortSignal,
  ): Promise<T> {
    const res = await this.http.request({
      method: "GET",
      path: `${collection}/${encodeId(id)}`,
      route,
      signal,
    });
    return parseReply(schema, res, `GET ${route}`, false);
  }

  /** Organisation settings, or a finding saying why the ceiling is not checked. */
  private async readSettings(
    signal: AbortSignal,
  ): Promise<{ value: GenesysOutboundSettings | undefined; findings: Finding[] }> {
    let value: GenesysOutboundSettings;
    try {
      const res = await this.http.request({
        method: "GET",
        path: ROUTES.settings,
        route: ROUTES.settings,
        signal,
      });
      value = parseReply(outboundSettingsSchema, res, `GET ${ROUTES.settings}`, false);
    } catch (err) {
      if (!(err instanceof AuthError || err instanceof NotFoundError)) throw err;
      return {
        value: undefined,
        findings: [
          {
            severity: "warning",
            code: "GENESYS_SETTINGS_UNREADABLE",
            path: "platform.outboundSettings",
            message: `the organisation's outbound settings could not be read (${err.message}); the calls-per-agent ceiling is not checked before writing`,
          },
        ],
      };
    }
    const findings: Finding[] = [];
    if (value.complianceAbandonRateDenominator === "ALL_CALLS") {
      findings.push({
        severity: "warning",
        code: "GENESYS_ABANDON_DENOMINATOR",
        path: "platform.outboundSettings.complianceAbandonRateDenominator",
        message:
          "the organisation computes the compliance abandon rate over ALL_CALLS; the TSR (16 CFR 310.4(b)(4)) counts abandoned calls against calls answered by a live person, so a 3 % threshold here allows more abandoned calls than the rule does. Set it to CALLS_THAT_REACHED_QUEUE in Outbound settings, or lower the threshold",
      });
    }
    return { value, findings };
  }

  private async listAll<T extends z.ZodType>(
    route: string,
    entity: T,
    signal: AbortSignal,
  ): Promise<z.infer<T>[]> {
    const schema = pageSchema(entity);
    const byId = new Map<string, z.infer<T>>();
    let pageCount: number | undefined;
    const readPage = async (pageNumber: number, s: AbortSignal): Promise<z.infer<T>[]> => {
      const res = await this.http.request({
        method: "GET",
        path: route,
        route,
        query: { pageSize: GENESYS_PAGE_SIZE, pageNumber },
        signal: s,
      });
      const page = parseReply(schema, res, `GET ${route}`, false);
      if (pageNumber === 1) {
        pageCount =
          page.pageCount ??
          (page.total === undefined ? undefined : Math.ceil(page.total / Math.max(1, page.pageSize ?? 1)));
      }
      return (page.entities ?? []) as z.infer<T>[];
    };
    // An object that moves between pages while we read is seen twice; the later copy wins.
    const merge = (entities: readonly z.infer<T>[]): boolean => {
      for (const e of entities) byId.set((e as { id: string }).id, e);
      return entities.length > 0;
    };
    if (!merge(await readPage(1, signal))) return [...byId.values()];
    if (pageCount !== undefined) {
      // Bounded by the first page's pageCount (and MAX_PAGES): the rest are read concurrently.
      const lastPage = Math.min(MAX_PAGES, Math.max(1, pageCount));
      for (const entities of await fetchPages(2, lastPage, readPage, { signal })) {
        if (!merge(entities)) break;
      }
    } else {
      // No count to plan by: one page after another until an empty one, never past MAX_PAGES.
      for (let pageNumber = 2; pageNumber <= MAX_PAGES; pageNumber++) {
        if (!merge(await readPage(pageNumber, signal))) break;
      }
    }
    return [...byId.values()];
  }

  private signal(options: CallOptions | undefined): AbortSignal {
    return options?.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
  }
}

/** Running campaigns accept only some changes (Genesys help, "Edit an existing campaign"). */
function runningRefusals(fields: readonly RuleField[]): PlatformFieldError[] {
  return fields
    .filter((f) => !GENESYS_WRITABLE_WHILE_ACTIVE.includes(f))
    .map((field) => ({
      field,
      message: `the campaign is running (campaignStatus on); Genesys Cloud only lets the abandon rate change while it runs. Turn the campaign off, or wait until it stops, then apply again`,
    }));
}

function encodeId(id: string): string {
  if (id === "") throw new NotFoundError("campaign id must not be empty");
  return encodeURIComponent(id);
}

function parseReply<T>(schema: z.ZodType<T>, res: HttpResponse, what: string, isWrite: boolean): T {
  const result = schema.safeParse(res.body);
  if (result.success) return result.data;
  const message = `${what} answered ${res.status} with a body dialrules cannot map: ${describeIssues(result.error)}`;
  // A write that succeeded with an unreadable reply may have been applied: the engine reads back.
  if (isWrite) throw new WriteOutcomeUnknownError(message, res.status, res.requestId);
  throw new UnexpectedResponseError(message, res.status, res.requestId);
}

/** Names the shared object for the plan's conflict message; the same for every campaign that uses it. */
function sharedKey(limits: GenesysAttemptLimits): string {
  return `attempt limits ${limits.name === undefined ? limits.id : `"${limits.name}" (${limits.id})`}`;
}
