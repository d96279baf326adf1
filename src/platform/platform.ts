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
   * Absent: every value of a writable field can be stored.
   */
  checkWrite?(rules: PartialRules): PlatformFieldError[];
  close(): Promise<void>;
}
