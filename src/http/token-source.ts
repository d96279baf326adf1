/**
 * OAuth2 access tokens. `oauth4webapi` builds the request (form encoding, RFC 6749 §2.3.1 URL-encoding of
 * id and secret for Basic auth) and validates the reply; the cache around it is ours: reuse until shortly
 * before expiry, one fetch at a time however many callers wait (single flight), and `invalidate` for the
 * one refresh a 401 earns. `OAuthTokenSource` holds that cache for any grant; the client-credentials grant
 * (v2) is below and the password grant (cxone) in password-token-source.ts.
 *
 * The secret is only revealed to oauth4webapi's client-auth function. Its errors are never passed on as
 * causes (they carry the raw Response and, for a malformed success, the body with the access token);
 * we build our own messages and scrub the secret from anything the server echoes.
 */
import * as oauth from "oauth4webapi";
import type { Clock } from "../clock/clock.js";
import { AuthError, RateLimitedError, TransientError, UnexpectedResponseError } from "../platform/errors.js";
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, readBodyLimited } from "./body.js";
import type { HttpObserver } from "./events.js";
import { describeNetworkError, isTimeout } from "./network-errors.js";
import { safeObserver } from "./observe.js";
import { readBudgetHeaders } from "./rate-headers.js";
import type { RequestLimiter } from "./rate-limiter.js";
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RandomSource,
  type RetryPolicy,
  runWithRetry,
} from "./retry.js";
import type { Secret } from "./secret.js";

/** What the HTTP client needs from a token cache. */
export interface AccessTokenProvider {
  /** A token valid for a while yet; fetches one when none is cached. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** The server refused `token` (401): forget it unless it was already replaced. */
  invalidate(token: string): void;
}

export type ClientAuthMethod = "basic" | "body";

/** What every grant's token source needs: where, which client, and the shared request plumbing. */
export interface BaseTokenSourceOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: Secret;
  /** HTTP Basic (default) or client_id/client_secret in the form body. */
  clientAuth?: ClientAuthMethod;
  /** The issuer from discovery, when known; defaults to the token URL's origin. */
  issuer?: string;
  /** Route name for metrics and retry events; default `/oauth/token`. */
  route?: string;
  clock: Clock;
  /** The same limiter the API requests use: token requests count against the client's budget too. */
  limiter: RequestLimiter;
  observer?: HttpObserver;
  random?: RandomSource;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout in real milliseconds; default 30 s. */
  timeoutMs?: number;
  maxBodyBytes?: number;
}

export interface TokenSourceOptions extends BaseTokenSourceOptions {
  scopes: readonly string[];
}

/**
 * One OAuth2 grant: how to ask for a token and how to read the reply. Everything else (cache, single
 * flight, retries, limiter, error translation) is shared.
 */
export interface TokenGrant {
  request(
    as: oauth.AuthorizationServer,
    client: oauth.Client,
    auth: oauth.ClientAuth,
    options: oauth.TokenEndpointRequestOptions,
  ): Promise<Response>;
  process(
    as: oauth.AuthorizationServer,
    client: oauth.Client,
    response: Response,
  ): Promise<oauth.TokenEndpointResponse>;
  /** OAuth error codes at 400 that mean "these credentials are wrong" (AuthError) rather than a bug. */
  credentialErrors: ReadonlySet<string>;
  /** Appended to credential errors, e.g. "Check the client id and client secret this platform is configured with." */
  advice: string;
  /** Further secrets the grant sends (e.g. a password), scrubbed from every message like the client secret. */
  secrets: readonly Secret[];
}

/** Used when a token reply omits `expires_in` (optional in RFC 6749): short, so a wrong guess costs little. */
const ASSUMED_LIFETIME_MS = 5 * 60_000;

/**
 * How long before expiry a token stops being handed out: 60 s or 10% of its lifetime, whichever is
 * longer (covers clock drift and requests in flight at expiry), but never more than half the lifetime, so
 * short-lived tokens are still reused.
 */
export function expirySkewMs(lifetimeMs: number): number {
  return Math.min(Math.max(60_000, lifetimeMs * 0.1), lifetimeMs / 2);
}

interface CachedToken {
  token: string;
  refreshAt: number;
}

type RefreshReason = "initial" | "expiry" | "unauthorized";

/** Cached, single-flight tokens of one grant (see the file comment). */
export class OAuthTokenSource implements AccessTokenProvider {
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private everFetched = false;
  private invalidated = false;
  private readonly options: BaseTokenSourceOptions;
  private readonly grant: TokenGrant;
  private readonly route: string;
  private readonly observer: Required<HttpObserver>;
  private readonly policy: RetryPolicy;
  private readonly as: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly auth: oauth.ClientAuth;

  constructor(options: BaseTokenSourceOptions, grant: TokenGrant) {
    this.options = options;
    this.grant = grant;
    this.route = options.route ?? "/oauth/token";
    this.observer = safeObserver(options.observer);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const url = new URL(options.tokenUrl);
    this.as = { issuer: options.issuer ?? url.origin, token_endpoint: url.href };
    this.client = { client_id: options.clientId };
    const secret = options.clientSecret.reveal();
    this.auth =
      options.clientAuth === "body" ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
  }

  getToken(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const cached = this.cached;
    if (cached && this.options.clock.now() < cached.refreshAt) return Promise.resolve(cached.token);
    if (!this.inflight) {
      const reason: RefreshReason = this.invalidated
        ? "unauthorized"
        : this.everFetched
          ? "expiry"
          : "initial";
      this.inflight = this.fetchToken(reason).finally(() => {
        this.inflight = undefined;
      });
    }
    return raceAbort(this.inflight, signal);
  }

  invalidate(token: string): void {
    if (this.cached?.token !== token) return;
    this.cached = undefined;
    this.invalidated = true;
  }

  /** Shared by every waiting caller, so it runs without any one caller's signal. */
  private async fetchToken(reason: RefreshReason): Promise<string> {
    const { clock, random = Math.random } = this.options;
    const token = await runWithRetry(() => this.attempt(), {
      clock,
      random,
      policy: this.policy,
      onRetry: (e) => this.observer.retry({ route: this.route, ...e }),
    });
    this.everFetched = true;
    this.invalidated = false;
    this.observer.tokenRefresh(reason);
    return token;
  }

  private async attempt(): Promise<AttemptOutcome<string>> {
    const { clock, limiter, tokenUrl, timeoutMs = 30_000 } = this.options;
    const permit = await limiter.acquire();
    const started = clock.now();
    const maxBody = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    let response: Response;
    try {
      response = await this.grant.request(this.as, this.client, this.auth, {
        signal: AbortSignal.timeout(timeoutMs),
        // Plain http is only for the local simulator; the config loaders refuse it for any other host.
        [oauth.allowInsecureRequests]: new URL(tokenUrl).protocol === "http:",
        [oauth.customFetch]: (url, init) => limitedFetch(url, init, maxBody),
      });
    } catch (err) {
      permit.settle();
      this.observer.request({
        method: "POST",
        route: this.route,
        status: "network",
        durationMs: clock.now() - started,
      });
      if (err instanceof TooLargeTokenReply) {
        return { kind: "fail", error: new UnexpectedResponseError(err.message, err.status) };
      }
      const detail = isTimeout(err) ? `no reply within ${timeoutMs} ms` : describeNetworkError(err);
      // Asking for a token changes nothing on the server, so every network failure may be retried.
      return {
        kind: "retry",
        status: "network",
        error: new TransientError(`token request to ${tokenUrl} failed: ${this.scrub(detail)}`),
      };
    }
    const status = response.status;
    permit.settle({ status, observation: readBudgetHeaders(response.headers, clock.now()) });
    this.observer.request({
      method: "POST",
      route: this.route,
      status,
      durationMs: clock.now() - started,
    });
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), clock.now());
      if (retryAfterMs !== undefined) limiter.holdFor(retryAfterMs);
      return { kind: "retry", status, retryAfterMs, error: new RateLimitedError(retryAfterMs) };
    }
    if (status >= 500) {
      return {
        kind: "retry",
        status,
        error: new TransientError(`token endpoint ${tokenUrl} answered ${status}`, status),
      };
    }
    try {
      const result = await this.grant.process(this.as, this.client, response);
      const lifetimeMs = result.expires_in !== undefined ? result.expires_in * 1000 : ASSUMED_LIFETIME_MS;
      this.cached = {
        token: result.access_token,
        refreshAt: started + lifetimeMs - expirySkewMs(lifetimeMs),
      };
      return { kind: "done", value: result.access_token };
    } catch (err) {
      return { kind: "fail", error: this.translate(err, status) };
    }
  }

  private translate(err: unknown, status: number): Error {
    const { tokenUrl, clientId } = this.options;
    // A grant that reads its own replies (not OAuth) says what went wrong itself; the secret is still scrubbed.
    if (err instanceof AuthError)
      return new AuthError(`${this.scrub(err.message)}. ${this.grant.advice}`, status);
    if (err instanceof UnexpectedResponseError)
      return new UnexpectedResponseError(this.scrub(err.message), status);
    if (err instanceof oauth.ResponseBodyError) {
      const description = err.error_description ? ` (${err.error_description})` : "";
      const text = `token request for client "${clientId}" rejected by ${tokenUrl}: ${err.error}${description}`;
      return status === 400 && !this.grant.credentialErrors.has(err.error)
        ? new UnexpectedResponseError(this.scrub(text), status)
        : new AuthError(`${this.scrub(text)}. ${this.grant.advice}`, status);
    }
    if (err instanceof oauth.WWWAuthenticateChallengeError) {
      return new AuthError(
        `token request for client "${clientId}" rejected by ${tokenUrl} (${status}). ${this.grant.advice}`,
        status,
      );
    }
    // oauth4webapi's own messages are fixed strings about the reply's shape; its `cause` may hold the token.
    const message = err instanceof Error ? err.message : "unreadable reply";
    return new UnexpectedResponseError(
      `token endpoint ${tokenUrl} sent an invalid reply: ${this.scrub(message)}`,
      status,
    );
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of [this.options.clientSecret, ...this.grant.secrets]) {
      const value = secret.reveal();
      if (value.length === 0) continue;
      for (const form of new Set([value, encodeURIComponent(value)]))
        out = out.split(form).join("<redacted>");
    }
    return out;
  }
}

/** Client-credentials grant (RFC 6749 §4.4), the v2 driver's: the client is the identity. */
export class ClientCredentialsTokenSource extends OAuthTokenSource {
  constructor(options: TokenSourceOptions) {
    const scopes = options.scopes;
    super(options, {
      request: (as, client, auth, requestOptions) =>
        oauth.clientCredentialsGrantRequest(
          as,
          client,
          auth,
          new URLSearchParams(scopes.length > 0 ? { scope: scopes.join(" ") } : {}),
          requestOptions,
        ),
      process: (as, client, response) => oauth.processClientCredentialsResponse(as, client, response),
      credentialErrors: new Set(["invalid_client", "unauthorized_client"]),
      advice: "Check the client id and client secret this platform is configured with.",
      secrets: [],
    });
  }
}

class TooLargeTokenReply extends Error {
  constructor(
    readonly status: number,
    limit: number,
  ) {
    super(`token endpoint reply exceeds ${limit} bytes`);
  }
}

/** oauth4webapi reads bodies itself; this hands it a copy that was read under our size limit. */
async function limitedFetch(url: string, init: RequestInit, limit: number): Promise<Response> {
  const response = await fetch(url, init);
  let bytes: Uint8Array;
  try {
    bytes = await readBodyLimited(response, limit);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new TooLargeTokenReply(response.status, limit);
    throw err;
  }
  const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
  return new Response(nullBody ? null : bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** Lets one caller stop waiting for a shared promise without cancelling it for the others. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
