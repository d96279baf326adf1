import type { Finding } from "../domain/findings.js";
import type { Campaign, PartialRules, RuleField } from "../domain/rules.js";
import type { PlatformFieldError } from "./errors.js";

export interface PlatformCapabilities {
  /**
   * True when the platform refuses a write made against a stale revision (v2: X-If-Match → 409).
   * False (cxone) makes the engine re-read and merge immediately before each write.
   */
  conditionalWrite: boolean;
  /** Rule fields this platform can write; a desired change to any other field is reported, never guessed. */
  writableFields: readonly RuleField[];
  /**
   * Fields a running campaign (status ACTIVE) accepts changes to; `plan` flags a change to any other one
   * before anything is written. Absent: every writable field (genesys: only the abandonment threshold).
   */
  writableWhileActive?: readonly RuleField[];
}

/** A campaign the platform has but dialrules never writes (genesys: agentless and external ones). */
export interface NotManagedCampaign {
  id: string;
  name: string;
  /** Why, for a person reading the plan. */
  reason: string;
}

/** What a listing saw besides the managed campaigns. */
export interface ListingNotes {
  notManaged: NotManagedCampaign[];
  /** Platform-wide facts a plan shows once (e.g. an organisation setting looser than a profile assumes). */
  findings: Finding[];
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface UpdateResult {
  campaign: Campaign;
  /** The platform's request id when it sends one (x-request-id), for the audit record. */
  requestId?: string;
}

/**
 * What the engine needs from a platform. Drivers throw the typed errors of errors.ts (part of this contract):
 * ConflictError, PlatformValidationError, WriteOutcomeUnknownError, RateLimitedError, AuthError, NotFoundError,
 * TransientError, UnexpectedResponseError.
 */
export interface Platform {
  /** Driver name for records and messages, e.g. "v2", "cxone". */
  readonly name: string;
  readonly capabilities: PlatformCapabilities;
  getCampaign(id: string, options?: CallOptions): Promise<Campaign>;
  /** Every campaign, all pages. */
  listCampaigns(options?: CallOptions): Promise<Campaign[]>;
  /** Writes only the given fields, conditional on `revision` where the platform supports it. */
  updateRules(
    id: string,
    revision: number,
    rules: PartialRules,
    options?: CallOptions,
  ): Promise<UpdateResult>;
  /**
   * Values this platform cannot store exactly (e.g. an irregular retry schedule where it keeps one interval).
   * Called by `plan` on each change so the problem shows per campaign before anything is written.
   * Absent: every value of a writable field can be stored. `campaign` is the one being changed, as listed.
   */
  checkWrite?(rules: PartialRules, campaign?: Campaign): PlatformFieldError[];
  /** The notes of the latest listCampaigns (campaigns left alone, organisation settings); absent: none. */
  listingNotes?(): ListingNotes;
  /**
   * Requests this client may send right now without waiting for its budget (the platform's stated budget
   * less what is queued); undefined when not known. `apply` runs more campaigns at once while it lasts.
   */
  requestRoom?(): number | undefined;
  close(): Promise<void>;
}
