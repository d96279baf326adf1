import type { RequestLogEntry, SimHandleBase, SimOptions } from "../types.js";

/** A Genesys Cloud object as stored: every field kept as sent, known or not. */
export type SimObject = Record<string, unknown> & { id: string; version: number };

export interface GenesysSimOptions extends Omit<SimOptions, "mode"> {
  mode: "genesys";
  /** Campaign ids seeded as running (campaignStatus on); default: a seeded ~10 %. */
  runningCampaignIds?: string[];
  /** The organisation's complianceAbandonRateDenominator; default ALL_CALLS (plan warns about it). */
  abandonRateDenominator?: "ALL_CALLS" | "CALLS_THAT_REACHED_QUEUE";
  /** The organisation's maxConfigurableCallsPerAgent; default 6. */
  maxConfigurableCallsPerAgent?: number;
}

/** The "concurrent editor" changed this campaign field just before a request was handled. */
export interface GenesysConcurrentEdit {
  campaignId: string;
  field: string;
  value: unknown;
  version: number;
}

export type GenesysLogEntry = RequestLogEntry<GenesysConcurrentEdit>;

export interface GenesysSimHandle extends SimHandleBase<GenesysLogEntry> {
  /** `${url}/oauth/token` (on Genesys Cloud: https://login.{region}/oauth/token). */
  readonly tokenUrl: string;
  /** The API host (on Genesys Cloud: https://api.{region}); paths start with /api/v2. */
  readonly apiBaseUrl: string;
  /** Copies of the stored objects. */
  getCampaign(id: string): SimObject | undefined;
  listCampaigns(): SimObject[];
  getContactList(id: string): SimObject | undefined;
  getAttemptLimits(id: string): SimObject | undefined;
  /** The attempt limits a campaign's contact list uses, if any. */
  attemptLimitsOf(campaignId: string): SimObject | undefined;
  /** Change fields as another administrator would (no checks; bumps the version). Returns the new state. */
  editCampaign(id: string, fields: Record<string, unknown>): SimObject;
  editAttemptLimits(id: string, fields: Record<string, unknown>): SimObject;
}
