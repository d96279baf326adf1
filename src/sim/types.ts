import type { Clock } from "../clock/clock.js";
import type { Campaign, PartialRules } from "../domain/rules.js";

export interface SimClient {
  id: string;
  secret: string;
  /** Scopes this client may obtain; default all three v2 scopes. */
  scopes?: string[];
}

/** Fault injection. Rates are probabilities per request in [0,1], drawn from the seeded generator. */
export interface FaultSpec {
  /** Added latency per request in ms (fixed part). */
  latencyMs?: number;
  /** Added random latency, uniform in [0, latencyJitterMs]. */
  latencyJitterMs?: number;
  /** Probability of answering a 5xx instead of handling the request (request not processed). */
  serverErrorRate?: number;
  /** The 5xx status to answer with; default: drawn from 500, 502, 503, 504. */
  serverErrorStatus?: number;
  /** Probability of destroying the socket without an answer (request not processed). */
  dropRate?: number;
  /** Probability, per API request, that a "concurrent editor" changes a random campaign first. */
  concurrentEditRate?: number;
  /** Probability that a successful PATCH is applied but its reply is dropped (socket destroyed). */
  lostResponseRate?: number;
  /** Deterministic variant: every Nth successful PATCH is applied and its reply dropped. */
  lostResponseEvery?: number;
}

export interface SimOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Seeded campaigns (default 200). */
  campaigns?: number;
  /** Seed for campaigns and faults (default 1). */
  seed?: number;
  /** Per-client budget (default 100/min; burst = the whole minute's budget; Infinity turns limiting off). */
  rateLimitPerMinute?: number;
  /** Token lifetime in seconds (default 3600). */
  tokenTtlSec?: number;
  /** Accepted clients; default one client `demo` / `demo-secret`. */
  clients?: SimClient[];
  faults?: FaultSpec;
  /** Time for token expiry, rate buckets and latency; default system clock. */
  clock?: Clock;
  /** Which API the simulator speaks. */
  mode?: "v2" | "cxone" | "genesys";
  /** Log each request to stderr (the `dialrules sim` command sets this). */
  verbose?: boolean;
}

/** `Edit` is what the mode's concurrent editor records (cxone edits skills, not campaigns). */
export interface RequestLogEntry<Edit = ConcurrentEditRecord> {
  seq: number;
  /** Simulator clock time (ms). */
  time: number;
  method: string;
  /** Path without query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names; `authorization` is replaced by `<redacted>`. */
  headers: Record<string, string>;
  /** Parsed JSON or form body as received, or undefined. */
  body: unknown;
  /**
   * Status sent, or "dropped" / "lost" when no reply reached the client; "pending" while the request is
   * still being handled (e.g. sleeping its injected latency).
   */
  status: number | "dropped" | "lost" | "pending";
  clientId?: string;
  /** The fault that shaped this reply, if any. */
  fault?: "latency" | "server-error" | "drop" | "lost-response" | "rate-limited";
  /** The x-request-id header of the reply (unique per simulator instance). */
  requestId?: string;
  /** A "concurrent editor" change applied just before this request was handled. */
  concurrentEdit?: Edit;
}

export interface ConcurrentEditRecord {
  campaignId: string;
  field: "maxCallsPerAgent" | "abandonmentRateThreshold.coolDownSec";
  /** The value the editor wrote. */
  value: number;
  /** The campaign's revision after the edit. */
  revision: number;
}

/** What the handle of every simulator mode offers; `E` is the mode's request log entry. */
export interface SimHandleBase<E> {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly tokenUrl: string;
  /** Every request in arrival order. */
  readonly log: E[];
  /** Most requests the simulator was handling at once so far (arrived, not yet answered). */
  peakInFlight(): number;
  /** Replace the fault spec at run time (e.g. drop the next write's reply). */
  setFaults(faults: FaultSpec): void;
  /** Number of tokens issued so far (per client id; in cxone mode per access key id). */
  tokensIssued(clientId?: string): number;
  /** Make every token issued so far invalid (as if expired server-side). */
  revokeTokens(): void;
  stop(): Promise<void>;
}

export interface SimHandle extends SimHandleBase<RequestLogEntry> {
  /** `${url}/oauth/token` */
  readonly tokenUrl: string;
  /** `${url}/api/v2` */
  readonly apiBase: string;
  /** A snapshot copy of the stored campaign. */
  getCampaign(id: string): Campaign | undefined;
  listCampaigns(): Campaign[];
  /** Change a campaign as another writer would (bumps revision). Returns the new state. */
  editCampaign(id: string, rules: PartialRules): Campaign;
}
