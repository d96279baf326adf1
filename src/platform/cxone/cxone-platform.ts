/**
 * The `cxone` driver: NICE CXone Personal Connection skills as campaigns (docs/platforms/cxone.md).
 * Campaign id = skill id; rules = the skill's general settings through mapping.ts. CXone has no version
 * or If-Match on skill settings, so `conditionalWrite` is false: the engine re-reads right before each
 * write and merges against the plan's base; `revision` is a hash of the mapped settings.
 */
import { setMaxListeners } from "node:events";
import type { z } from "zod";
import type { Campaign, CampaignStatus, PartialRules } from "../../domain/rules.js";
import { AccessKeyTokenSource } from "../../http/access-key-token-source.js";
import { HttpClient, type HttpResponse } from "../../http/client.js";
import { PasswordTokenSource } from "../../http/password-token-source.js";
import type { AccessTokenProvider, OAuthTokenSource } from "../../http/token-source.js";
import { type DriverDeps, driverPlumbing } from "../driver-deps.js";
import {
  NotFoundError,
  type PlatformFieldError,
  PlatformValidationError,
  UnexpectedResponseError,
  WriteOutcomeUnknownError,
} from "../errors.js";
import { ListingTooLargeError, MAX_LISTED_CAMPAIGNS } from "../listing-bounds.js";
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
import { ACCESS_KEY_TOKEN_PATH, type CxoneConfig, type CxoneEndpoint } from "./config.js";
import { type CxoneEndpoints, discoverEndpoints, once } from "./discovery.js";
import { cxoneErrorMapping } from "./errors.js";
import {
  CXONE_WRITABLE_FIELDS,
  cannotStoreOnCxone,
  readSkill,
  revisionOf,
  toGeneralSettingsPatch,
} from "./mapping.js";
import {
  generalSettingsReplySchema,
  parametersReplySchema,
  type SkillReply,
  type SkillSettings,
  skillListSchema,
  skillReplySchema,
} from "./schemas.js";

/** The limiter defaults to the process-wide one of this tenant and access key. */
export interface CxonePlatformDeps extends DriverDeps {
  /** Skills whose settings are read at once while listing; default 4. */
  listConcurrency?: number;
}

/** Page size of `GET /skills` (CXone's maximum `top`, per public clients). */
export const CXONE_PAGE_SIZE = 100;
/** Media type "Phone Call": Personal Connection skills are phone skills. */
const PHONE_MEDIA_TYPE = 4;
const PERSONAL_CONNECTION = "Personal Connection";

const ROUTES = {
  skills: "/skills",
  skill: "/skills/:id",
  generalSettings: "/skills/:id/parameters/general-settings",
  parameters: "/skills/:id/parameters",
} as const;

export function createCxonePlatform(config: CxoneConfig, deps: CxonePlatformDeps = {}): Platform {
  const shared = driverPlumbing(deps, {
    key: `cxone ${config.discoveryUrl} ${config.tenantId ?? config.apiEndpoint} ${config.accessKeyId}`,
    perMinute: config.rateLimitPerMinute,
    burst: config.rateBurst,
  });
  const accessKey = config.auth === "access-key";
  // The access-key endpoint lives on the auth host; it replaces the openid lookup of the password grant.
  const found = accessKey
    ? { ...config, tokenUrl: config.tokenUrl ?? `${config.discoveryUrl}${ACCESS_KEY_TOKEN_PATH}` }
    : config;
  // Discovery reads only what it needs from `shared`: it runs unlimited (its own host, not the API budget).
  const endpoints = once(() => discoverEndpoints(found, shared));
  const advice =
    "Check CXONE_ACCESS_KEY_ID/CXONE_ACCESS_KEY_SECRET (the API user's access key)" +
    (accessKey ? "." : " and CXONE_CLIENT_ID/CXONE_CLIENT_SECRET (the registered application).");
  const tokens = new LazyTokens(
    endpoints,
    (at): OAuthTokenSource =>
      accessKey
        ? new AccessKeyTokenSource({
            ...shared,
            tokenUrl: at.tokenUrl,
            route: ACCESS_KEY_TOKEN_PATH,
            accessKeyId: config.accessKeyId,
            accessKeySecret: config.accessKeySecret,
            advice,
          })
        : new PasswordTokenSource({
            ...shared,
            tokenUrl: at.tokenUrl,
            ...(at.issuer === undefined ? {} : { issuer: at.issuer }),
            route: "/auth/token",
            clientId: config.clientId,
            clientSecret: config.clientSecret,
            clientAuth: "basic",
            username: config.accessKeyId,
            password: config.accessKeySecret,
            advice,
          }),
  );
  const http = new HttpClient({
    ...shared,
    tokens,
    baseUrl: async () => `${(await endpoints()).apiEndpoint}/inContactAPI/services`,
    userAgent: "dialrules-cxone",
    // CXone's `{error, errorDescription}` bodies, with the running-skill advice; retries as for v2.
    errors: cxoneErrorMapping,
  });
  return new CxonePlatform(http, config.apiVersions, Math.max(1, deps.listConcurrency ?? 4));
}

/** The token source can only be built once discovery named the token endpoint. */
class LazyTokens implements AccessTokenProvider {
  private source: OAuthTokenSource | undefined;
  constructor(
    private readonly endpoints: () => Promise<CxoneEndpoints>,
    private readonly build: (found: CxoneEndpoints) => OAuthTokenSource,
  ) {}
  async getToken(signal?: AbortSignal): Promise<string> {
    if (!this.source) {
      const found = await this.endpoints();
      this.source ??= this.build(found);
    }
    return this.source.getToken(signal);
  }
  invalidate(token: string): void {
    this.source?.invalidate(token);
  }
}

interface SkillInfo {
  name: string;
  status: CampaignStatus;
  /** Why dialrules must never write this skill (agentless, SMS), when it must not. */
  notManaged?: string;
}

class CxonePlatform implements Platform {
  readonly name = "cxone";
  readonly capabilities: PlatformCapabilities = {
    conditionalWrite: false,
    writableFields: CXONE_WRITABLE_FIELDS,
  };
  private readonly closing = new AbortController();
  /** Name and status from the latest read, so a write's result needs no extra request for them. */
  private readonly skills = new Map<string, SkillInfo>();
  /** The skills the latest listing left alone, and why. */
  private notes: ListingNotes = { notManaged: [], findings: [] };
  /** Set once `…/parameters` answered 404 where `…/general-settings` did not. */
  private parametersUnavailable = false;

  constructor(
    private readonly http: HttpClient,
    private readonly versions: Record<CxoneEndpoint, string>,
    private readonly listConcurrency: number,
  ) {
    // Every in-flight call listens on this signal; hundreds at once are normal, not a leak.
    setMaxListeners(0, this.closing.signal);
  }

  async getCampaign(id: string, options?: CallOptions): Promise<Campaign> {
    const skillId = checkSkillId(id);
    const signal = this.signal(options);
    const res = await this.http.request({
      method: "GET",
      path: this.path("skills", `/skills/${skillId}`),
      route: ROUTES.skill,
      signal,
    });
    const skill = parseReply(skillReplySchema, res, `GET ${ROUTES.skill}`);
    if (!isPersonalConnection(skill)) {
      throw new NotFoundError(`skill ${skillId} is not an outbound Personal Connection skill`, res.requestId);
    }
    const info = this.remember(skill);
    if (info.notManaged !== undefined) throw notManagedError(skillId, info.notManaged, res.requestId);
    // Settings last: the engine's pre-write read ends here, so the race window starts as late as it can.
    const read = readCampaign(skillId, info, await this.readSettings(skillId, signal));
    if ("reason" in read) throw notManagedError(skillId, read.reason, res.requestId);
    return read;
  }

  async listCampaigns(options?: CallOptions): Promise<Campaign[]> {
    const signal = this.signal(options);
    const skills = await this.listSkills(signal);
    const campaigns: Campaign[] = [];
    const notManaged: NotManagedCampaign[] = [];
    const queue = [...skills];
    const worker = async () => {
      for (let skill = queue.shift(); skill !== undefined; skill = queue.shift()) {
        const skillId = String(skill.skillId);
        const info = this.remember(skill);
        // Agentless and SMS skills are never written, so their settings are not even read.
        const read =
          info.notManaged !== undefined
            ? { id: skillId, name: info.name, reason: info.notManaged }
            : readCampaign(skillId, info, await this.readSettings(skillId, signal));
        if ("reason" in read) notManaged.push(read);
        else campaigns.push(read);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.listConcurrency, Math.max(1, queue.length)) }, worker),
    );
    const byId = (a: { id: string }, b: { id: string }) => Number(a.id) - Number(b.id);
    this.notes = { notManaged: notManaged.sort(byId), findings: [] };
    return campaigns.sort(byId);
  }

  listingNotes(): ListingNotes {
    return this.notes;
  }

  checkWrite(rules: PartialRules): PlatformFieldError[] {
    return cannotStoreOnCxone(rules);
  }

  async updateRules(
    id: string,
    _revision: number,
    rules: PartialRules,
    options?: CallOptions,
  ): Promise<UpdateResult> {
    const skillId = checkSkillId(id);
    // Throws before anything is sent when CXone cannot hold the change exactly.
    const patch = toGeneralSettingsPatch(skillId, rules);
    if (Object.keys(patch).length === 0) throw new RangeError("updateRules needs at least one rule field");
    const signal = this.signal(options);
    const known = this.skills.get(skillId) ?? (await this.readSkillInfo(skillId, signal));
    if (known.notManaged !== undefined) {
      throw new PlatformValidationError(
        [{ field: "skill", message: known.notManaged }],
        undefined,
        `skill ${skillId} is not managed by dialrules (${known.notManaged}); nothing was sent`,
      );
    }
    // No revision goes out: CXone has none. The engine re-read this skill just before (conditionalWrite=false).
    const res = await this.http.request({
      method: "PUT",
      path: this.path("generalSettings", `/skills/${skillId}/parameters/general-settings`),
      route: ROUTES.generalSettings,
      body: { generalSettings: patch },
      signal,
      subject: skillId,
    });
    // The PUT's reply body is not documented; the settings are read back for the result instead.
    let campaign: Campaign;
    try {
      const settings = await this.readSettings(skillId, signal);
      const info = this.skills.get(skillId) ?? (await this.readSkillInfo(skillId, signal));
      const read = readCampaign(skillId, info, settings);
      if ("reason" in read) throw notManagedError(skillId, read.reason, res.requestId);
      campaign = read;
    } catch (err) {
      if (signal.aborted) throw err;
      // The write was accepted; saying "failed" would be false. The engine re-reads on this error.
      throw new WriteOutcomeUnknownError(
        `PUT ${ROUTES.generalSettings} succeeded for skill ${skillId} but reading it back failed (${err instanceof Error ? err.message : String(err)}); re-read before deciding`,
        undefined,
        res.requestId,
      );
    }
    return res.requestId === undefined ? { campaign } : { campaign, requestId: res.requestId };
  }

  async close(): Promise<void> {
    this.closing.abort(new Error("platform client closed"));
  }

  private async listSkills(signal: AbortSignal): Promise<SkillReply[]> {
    const byId = new Map<string, SkillReply>();
    // The server-side filter is trusted only as far as it goes: non-PC skills are dropped here too.
    const merge = (skills: readonly SkillReply[]) => {
      for (const skill of skills) if (isPersonalConnection(skill)) byId.set(String(skill.skillId), skill);
    };
    const first = await this.skillPage(0, signal);
    if (first === undefined || first.skills.length === 0) return [];
    merge(first.skills);
    let skip = first.skills.length;
    const total = first.totalRecords;
    if (total !== undefined) {
      if (total > MAX_LISTED_CAMPAIGNS) throw new ListingTooLargeError(`says it has ${total} skills`);
      // The rest at once, at the first page's stride. A page shorter than the stride (the server pages
      // smaller than asked, or the set shrank meanwhile) ends the covered range; one after another from there.
      const stride = first.skills.length;
      const pages = await fetchPages(
        1,
        Math.ceil(total / stride) - 1,
        (i, s) => this.skillPage(i * stride, s),
        {
          signal,
        },
      );
      for (const page of pages) {
        if (page === undefined || page.skills.length === 0) return [...byId.values()];
        merge(page.skills);
        skip += page.skills.length;
        if (page.skills.length < stride) break;
      }
    }
    // Bounded by the first page's total so a server that keeps saying "more" cannot loop us forever;
    // every page moves `skip` forward, so `skip < total` ends the loop; `total` itself is capped.
    while (skip < (total ?? Number.POSITIVE_INFINITY)) {
      if (skip >= MAX_LISTED_CAMPAIGNS)
        throw new ListingTooLargeError(`kept sending pages after ${skip} skills`);
      const page = await this.skillPage(skip, signal);
      if (page === undefined || page.skills.length === 0) break;
      merge(page.skills);
      skip += page.skills.length;
    }
    return [...byId.values()];
  }

  /** One page of the Personal Connection phone skills; undefined when CXone answers 204 (no body). */
  private async skillPage(skip: number, signal: AbortSignal) {
    const res = await this.http.request({
      method: "GET",
      path: this.path("skills", "/skills"),
      route: ROUTES.skills,
      query: {
        mediaTypeId: PHONE_MEDIA_TYPE,
        outboundStrategy: PERSONAL_CONNECTION,
        skip,
        top: CXONE_PAGE_SIZE,
      },
      signal,
    });
    if (res.status === 204 || res.body === undefined) return undefined;
    return parseReply(skillListSchema, res, `GET ${ROUTES.skills}`);
  }

  private async readSkillInfo(skillId: string, signal: AbortSignal): Promise<SkillInfo> {
    const res = await this.http.request({
      method: "GET",
      path: this.path("skills", `/skills/${skillId}`),
      route: ROUTES.skill,
      signal,
    });
    return this.remember(parseReply(skillReplySchema, res, `GET ${ROUTES.skill}`));
  }

  /**
   * All of a skill's parameter blocks in one request (general settings, cadence, delivery preferences);
   * tenants that do not expose `…/parameters` for a skill (cxone-mcp: "not all outbound types expose it")
   * fall back to `…/parameters/general-settings`, where cadence and preview are unknown.
   */
  private async readSettings(skillId: string, signal: AbortSignal): Promise<SkillSettings> {
    if (!this.parametersUnavailable) {
      try {
        const res = await this.http.request({
          method: "GET",
          path: this.path("generalSettings", `/skills/${skillId}/parameters`),
          route: ROUTES.parameters,
          signal,
        });
        return parseReply(parametersReplySchema, res, `GET ${ROUTES.parameters} (skill ${skillId})`);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    const res = await this.http.request({
      method: "GET",
      path: this.path("generalSettings", `/skills/${skillId}/parameters/general-settings`),
      route: ROUTES.generalSettings,
      signal,
    });
    const settings = parseReply(
      generalSettingsReplySchema,
      res,
      `GET ${ROUTES.generalSettings} (skill ${skillId})`,
    );
    this.parametersUnavailable = true;
    return settings;
  }

  private remember(skill: SkillReply): SkillInfo {
    const reason = notManagedSkill(skill);
    const info: SkillInfo = {
      name: skill.skillName ?? `skill ${skill.skillId}`,
      status: statusOf(skill),
      ...(reason === undefined ? {} : { notManaged: reason }),
    };
    this.skills.set(String(skill.skillId), info);
    return info;
  }

  private path(endpoint: CxoneEndpoint, rest: string): string {
    return `/${this.versions[endpoint]}${rest}`;
  }

  private signal(options: CallOptions | undefined): AbortSignal {
    return options?.signal ? AbortSignal.any([options.signal, this.closing.signal]) : this.closing.signal;
  }
}

function checkSkillId(id: string): string {
  // Skill ids are numbers; anything else cannot name one (and must not reach a URL path unencoded).
  if (!/^\d{1,18}$/.test(id))
    throw new NotFoundError(`"${id}" is not a CXone skill id (skill ids are numbers)`);
  return id;
}

/**
 * Outbound Personal Connection phone skills only. Absent or null fields never qualify a skill: a list that
 * ignores the server-side filter must not turn an inbound skill (outboundStrategy null) into a campaign.
 */
function isPersonalConnection(skill: SkillReply): boolean {
  const media = skill.mediaTypeId;
  return (
    skill.isOutbound === true &&
    typeof skill.outboundStrategy === "string" &&
    /^\s*personal\s*connection\s*$/i.test(skill.outboundStrategy) &&
    (media === undefined || media === null || String(media) === String(PHONE_MEDIA_TYPE))
  );
}

/**
 * Skills dialrules lists but never writes. Agentless skills (`agentless`, `agentlessPorts`) play messages
 * without agents; proactive SMS skills are Personal Connection skills with media type "Phone Call" too, told
 * apart by their SMS transport code or message template (assumed signals, docs/platforms/cxone.md).
 */
function notManagedSkill(skill: SkillReply): string | undefined {
  if (skill.agentless === true) {
    const ports = typeof skill.agentlessPorts === "number" ? ` with ${skill.agentlessPorts} ports` : "";
    return `agentless skill${ports}: it dials without agents, and dialrules manages agent dialing rules only`;
  }
  const sms =
    (typeof skill.smsTransportCodeId === "number" && skill.smsTransportCodeId > 0) ||
    (typeof skill.smsTransportCode === "string" && skill.smsTransportCode.trim() !== "") ||
    (typeof skill.messageTemplateId === "number" && skill.messageTemplateId > 0);
  if (sms)
    return "proactive SMS skill (it has an SMS transport code or message template): it sends texts, not calls";
  return undefined;
}

/** Running = dialing now; an active skill that is stopped is PAUSED; an inactive one STOPPED. */
function statusOf(skill: SkillReply): CampaignStatus {
  if (skill.isRunning === true) return "ACTIVE";
  return skill.isActive === false ? "STOPPED" : "PAUSED";
}

/** The campaign a Personal Connection skill is, or why dialrules leaves it alone. */
function readCampaign(
  skillId: string,
  info: SkillInfo,
  settings: SkillSettings,
): Campaign | NotManagedCampaign {
  const reading = readSkill(settings);
  if (reading.notManaged !== undefined) return { id: skillId, name: info.name, reason: reading.notManaged };
  return {
    id: skillId,
    name: info.name,
    status: info.status,
    revision: revisionOf(settings),
    dialingRules: reading.rules,
    ...(reading.retryOverrides === undefined ? {} : { retryOverrides: reading.retryOverrides }),
  };
}

function notManagedError(skillId: string, reason: string, requestId: string | undefined): NotFoundError {
  return new NotFoundError(`skill ${skillId} is not managed by dialrules: ${reason}`, requestId);
}

function parseReply<T>(schema: z.ZodType<T>, res: HttpResponse, what: string): T {
  const result = schema.safeParse(res.body);
  if (result.success) return result.data;
  throw new UnexpectedResponseError(
    `${what} answered ${res.status} with a body dialrules cannot map: ${describeIssues(result.error)}`,
    res.status,
    res.requestId,
  );
}
