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
}

/** The general settings of a skill as CXone stores them (the subset the simulator knows). */
export type GeneralSettingsValue = number | boolean | string;
export type SimGeneralSettings = Record<string, GeneralSettingsValue>;

export interface SimSkill {
  skillId: number;
  skillName: string;
  mediaTypeId: number;
  mediaTypeName: string;
  isActive: boolean;
  isOutbound: boolean;
  outboundStrategy: string;
  isRunning: boolean;
  campaignId: number;
  campaignName: string;
  generalSettings: SimGeneralSettings;
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
}

export const SIM_TENANT_ID = "11e9a2b4-0000-4000-8000-00000000d1a1";
