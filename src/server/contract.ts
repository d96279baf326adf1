import type { AuditOutcome } from "../domain/audit-record.js";
import type { Finding } from "../domain/findings.js";
import type { Campaign, CampaignStatus, DialingMethod } from "../domain/rules.js";
import type { CampaignResult } from "../engine/apply.js";
import type { Plan } from "../engine/plan-types.js";
import type { NotManagedCampaign } from "../platform/platform.js";
import type { AuditQuery, AuditRecord, EndpointState, OutboxStats, VerifyResult } from "../store/types.js";

/**
 * What `dialrules serve` can do, independent of HTTP: the JSON API (src/server/api) and the dashboard
 * (src/server/dashboard) are two views over this one interface, so they cannot drift apart.
 */

export const ROLES = ["viewer", "operator", "approver"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, resolved from a bearer token (API) or the session cookie (dashboard). */
export interface Principal {
  /** The token's name (NFKC, trimmed), recorded as the actor. */
  actor: string;
  /** The person behind it (canonicalIdentity of the name): what four-eyes compares. */
  person: string;
  role: Role;
  tokenId: string;
}

export const CHANGE_STATES = [
  /** The plan has invalid campaigns or file errors: kept for the record, never approved or applied. */
  "invalid",
  "pending_approval",
  "approved",
  "rejected",
  "applying",
  "applied",
  "failed",
] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

export interface ChangeRequest {
  id: string;
  state: ChangeState;
  requestedBy: string;
  reason: string;
  createdAt: string;
  /** High risk needs an approver other than the requester (four-eyes). */
  risk: "low" | "high";
  /** Why it is high risk: "CMP-1: dialingMethod → PREDICTIVE", "overrides: maxAbandonmentRate". */
  riskReasons: string[];
  plan: Plan;
  /** The rules file as submitted (YAML or JSON text). */
  rulesText: string;
  approvedBy?: string;
  rejectedBy?: string;
  rejectionReason?: string;
  job?: ApplyJobView;
}

export interface ApplyJobView {
  id: string;
  state: "queued" | "running" | "done" | "failed";
  startedBy: string;
  /** Replica that runs (or last ran) it. */
  worker?: string;
  progress: { done: number; total: number; counts: Partial<Record<AuditOutcome, number>> };
  results: CampaignResult[];
  error?: string;
}

export interface CampaignView {
  campaign: Campaign;
  /** Findings of the campaign's current rules under the service's default policy. */
  findings: Finding[];
  compliant: boolean;
  lastAudit?: AuditRecord;
}

export const COMPLIANCE_FILTERS = ["compliant", "non-compliant"] as const;
export type ComplianceFilter = (typeof COMPLIANCE_FILTERS)[number];

/** Campaigns most pages show; a page holds at most MAX_CAMPAIGN_PAGE_SIZE. */
export const DEFAULT_CAMPAIGN_PAGE_SIZE = 100;
export const MAX_CAMPAIGN_PAGE_SIZE = 500;
/** Longest search text (an id or a name fragment). */
export const MAX_CAMPAIGN_SEARCH = 100;

/** Which campaigns, which page: search, filter and paging are done by the service, never by the views. */
export interface CampaignQuery {
  /** Case-insensitive substring of the campaign's id or name. */
  q?: string;
  /** Campaigns that may dial with this method (a set the platform cannot narrow matches each member). */
  method?: DialingMethod;
  status?: CampaignStatus;
  compliance?: ComplianceFilter;
  /** 1-based; a page past the end is empty. */
  page?: number;
  pageSize?: number;
}

/** One page of the campaign list, sorted by id, with the figures a pager and a summary need. */
export interface CampaignPage {
  items: CampaignView[];
  page: number;
  pageSize: number;
  /** Campaigns matching the query. */
  total: number;
  /** Pages of the matching campaigns (at least 1). */
  pages: number;
  /** Every campaign the platform lists (before search and filters). */
  campaigns: number;
  /** Of those, how many break the service's policy. */
  nonCompliant: number;
  /** What the platform has but dialrules leaves alone (agentless or SMS skills, …), and why. */
  notManaged: NotManagedCampaign[];
}

/** A campaign page as the API sends it: serialized once per listing and audit head, with its ETag. */
export interface SerializedCampaignPage {
  /** The page's JSON, UTF-8 encoded once (not once per request). */
  json: Buffer;
  /** A strong validator of `json` (quoted). */
  etag: string;
}

export interface WebhookStatusView {
  configured: boolean;
  stats?: OutboxStats;
  endpoint?: EndpointState;
}

export interface ServiceInfo {
  /** Shown as a banner on every page and printed at start-up when running against the embedded simulator. */
  banner?: string;
  platform: string;
  database: "sqlite" | "postgres";
  replica: string;
}

/** A signed-in dashboard user: who, and the CSRF token of this session. */
export interface DashboardSession {
  principal: Principal;
  csrf: string;
}

export interface ServerServices {
  info(): ServiceInfo;
  authenticate(token: string): Promise<Principal | undefined>;
  /** Dashboard sign-in with an API token: a new server-side session (its id goes in the cookie). */
  signIn(token: string): Promise<{ sessionId: string; session: DashboardSession } | undefined>;
  /** The live session of a cookie's id; undefined once expired, signed out or its token revoked. */
  resumeSession(sessionId: string): Promise<DashboardSession | undefined>;
  signOut(sessionId: string): Promise<void>;
  /** One page of campaigns matching the query, with findings and latest audit record. */
  listCampaigns(query?: CampaignQuery): Promise<CampaignPage>;
  /** The same page serialized, kept until the platform listing or the audit trail changes. */
  campaignPageJson(query?: CampaignQuery): Promise<SerializedCampaignPage>;
  /** Plans the rules (YAML/JSON text) against the platform; input errors throw InputError (→ 400). */
  createChange(input: { rulesText: string; reason: string }, by: Principal): Promise<ChangeRequest>;
  /**
   * Requests the undo of one apply run as a change: the values the run replaced, planned, held to the floor,
   * risk-assessed and approved like any change. Campaigns changed since the run are left out and listed in
   * the plan's findings (REVERT_CONFLICT), never overwritten.
   */
  revertRun(runId: string, input: { reason: string }, by: Principal): Promise<ChangeRequest>;
  getChange(id: string): Promise<ChangeRequest | undefined>;
  listChanges(): Promise<ChangeRequest[]>;
  approve(id: string, by: Principal): Promise<ChangeRequest>;
  reject(id: string, by: Principal, reason: string): Promise<ChangeRequest>;
  /** Queues the apply job; returns at once. Progress via getChange(id).job. */
  apply(id: string, by: Principal): Promise<ChangeRequest>;
  audit(query: AuditQuery): Promise<AuditRecord[]>;
  verifyAudit(): Promise<VerifyResult>;
  webhookStatus(): Promise<WebhookStatusView>;
  ready(): Promise<{ database: boolean; platform: boolean }>;
  metricsText(): Promise<string>;
}

/** Service errors the HTTP layer maps to RFC 9457 problem details. */
export class ServiceError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422,
    readonly code: string,
    message: string,
    /** Per-field problems (a floor break lists its findings), shown by both views. */
    readonly problems: readonly { path: string; message: string; code: string }[] = [],
  ) {
    super(message);
  }
}
