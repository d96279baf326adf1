import type { RequestLogEntry, SimClient, SimHandleBase, SimOptions } from "../types.js";

/** A CXone user's access key: the password grant's username (id) and password (secret). */
export interface SimAccessKey {
  id: string;
  secret: string;
}

export interface CxoneSimOptions extends Omit<SimOptions, "mode" | "campaigns"> {
  mode: "cxone";
  /** Seeded skills (default 40): mostly Personal Connection, some inbound and manual-outbound ones. */
  skills?: number;
  /** Registered applications (client id/secret, HTTP Basic at the token endpoint); default demo/demo-secret. */
  clients?: SimClient[];
  /** Users' access keys; default demo-key/demo-key-secret. The rate limit is per access key. */
  accessKeys?: SimAccessKey[];
  /** Tenant the API discovery answers for; default SIM_TENANT_ID. */
  tenantId?: string;
  /** Skill ids seeded as running (CXone refuses their settings changes); default: a seeded ~15 %. */
  runningSkillIds?: number[];
  /** Answer `GET /skills` without applying `mediaTypeId`/`outboundStrategy` (some tenants ignore them). */
  ignoreSkillFilters?: boolean;
  /** Answer `GET /skills/{id}/parameters` with 404, as for skill types that do not expose it (cxone-mcp). */
  hideParameters?: boolean;
}

/** The general settings of a skill as CXone stores them (the subset the simulator knows). */
export type GeneralSettingsValue = number | boolean | string | null;
export type SimGeneralSettings = Record<string, GeneralSettingsValue>;

export interface SimSkill {
  skillId: number;
  skillName: string;
  mediaTypeId: number;
  mediaTypeName: string;
  isActive: boolean;
  isOutbound: boolean;
  outboundStrategy: string | null;
  isRunning: boolean;
  campaignId: number;
  campaignName: string;
  /** Plays messages without agents (never managed by dialrules). */
  agentless: boolean;
  agentlessPorts: number | null;
  /** Set on proactive SMS skills, which share media type "Phone Call" with voice skills. */
  smsTransportCodeId: number | null;
  messageTemplateId: number | null;
  generalSettings: SimGeneralSettings;
  /** `cadenceSettings` of `GET …/parameters`: per-phone-field maximums that override the skill's defaults. */
  cadenceSettings: SimCadenceSettings;
  /** `deliveryPreferences` of `GET …/parameters`: `confirmationRequiredDisabled: false` = preview dialing. */
  deliveryPreferences: { confirmationRequiredDisabled: boolean | null };
}

export interface SimCadenceSettings {
  cadenceMaximumAttempts: { fieldName: string; attempts: number }[];
  attemptMode: number;
  recordRequestMode: number;
  destinationRetryRestMinutes: number | null;
  cadences: { fieldName: string; attempts: number }[];
}

/** The "concurrent editor" changed this skill setting just before a request was handled. */
export interface CxoneConcurrentEdit {
  skillId: number;
  field: string;
  value: GeneralSettingsValue;
}

export interface CxoneLogEntry extends RequestLogEntry<CxoneConcurrentEdit> {
  /** performance.now() at arrival: sub-millisecond, for measuring the race window. */
  at: number;
}

/** `url` is the discovery host, the token host and the API endpoint in one. */
export interface CxoneSimHandle extends SimHandleBase<CxoneLogEntry> {
  readonly tenantId: string;
  /** `${url}/auth/token` (what the openid document names). */
  readonly tokenUrl: string;
  /** The `api_endpoint` of the cxone-configuration document. */
  readonly apiEndpoint: string;
  getSkill(id: number): SimSkill | undefined;
  listSkills(): SimSkill[];
  /** Change general settings as another administrator would (validated like a PUT, running or not). */
  editGeneralSettings(id: number, settings: SimGeneralSettings): SimSkill;
  setRunning(id: number, running: boolean): void;
  /** Replace a skill's cadence or delivery preferences, as an administrator would in the UI. */
  editParameters(
    id: number,
    blocks: Partial<Pick<SimSkill, "cadenceSettings" | "deliveryPreferences">>,
  ): SimSkill;
}

export const SIM_TENANT_ID = "11e9a2b4-0000-4000-8000-00000000d1a1";
