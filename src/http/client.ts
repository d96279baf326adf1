/**
 * The JSON-over-HTTP client every platform driver uses: bearer token, shared rate limiter, retries,
 * timeouts, size-limited bodies, and replies mapped onto the typed errors of errors.ts.
 *
 * Write safety: a write is resent only when the server certainly did not apply it (429, 503, 401, or a
 * connection that failed before anything was sent). After a timeout, a socket that died after sending, or
 * 500/502/504 it throws WriteOutcomeUnknownError instead, and the caller re-reads: applying
 * a change twice is worse than asking again.
 *
 * Those rules are the same for every API; how an API words its failures is not, so error bodies are read by
 * an ErrorMapping (error-mapping.ts): the v2 contract's by default, cxone's for the cxone driver.
 */
import type { Clock } from "../clock/clock.js";
import {
  AuthError,
  RateLimitedError,
  TransientError,
  UnexpectedResponseError,
  WriteOutcomeUnknownError,
} from "../platform/errors.js";
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, MalformedJsonError, parseJsonBody } from "./body.js";
import { type ErrorMapping, v2ErrorMapping } from "./error-mapping.js";
import type { HttpObserver } from "./events.js";
import { describeNetworkError, failedBeforeSending, isTimeout } from "./network-errors.js";
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
import type { AccessTokenProvider } from "./token-source.js";
import { type Reply, send } from "./transport.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** Path below the base URL, starting with "/", ids already encoded. */
  path: string;
  /** Template of `path` for metrics and messages, e.g. `/outbound/campaigns/:id`. */
  route: string;
  query?: Record<string, string | number>;
  /** Sent as JSON when present. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** What the request is about (e.g. a skill id), handed to the error mapping for its messages. */
  subject?: string;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
  requestId?: string;
  headers: Headers;
}

export interface HttpClientOptions {
  /**
   * e.g. https://platform.nicecxone.com/api/v2 (no trailing slash needed), or a function for a base that
   * is only known after discovery; it is called once per request, before the first attempt.
   */
  baseUrl: string | (() => Promise<string>);
  /** Omit for unauthenticated endpoints. */
  tokens?: AccessTokenProvider;
  limiter: RequestLimiter;
  clock: Clock;
  random?: RandomSource;
  observer?: HttpObserver;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout in real milliseconds (network time is not virtualised); default 30 s. */
  timeoutMs?: number;
  /** Largest reply body accepted; default 1 MiB. */
  maxBodyBytes?: number;
  userAgent?: string;
  /** Reads the API's error bodies; default the v2 contract's (v2ErrorMapping). */
  errors?: ErrorMapping;
}

const WRITE_METHODS: ReadonlySet<HttpMethod> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class HttpClient {
  private readonly base: string | (() => Promise<string>);
  private readonly errors: ErrorMapping;
  private readonly observer: Required<HttpObserver>;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: HttpClientOptions) {
    const { baseUrl } = options;
    this.base = typeof baseUrl === "string" ? trimSlashes(baseUrl) : baseUrl;
    this.errors = options.errors ?? v2ErrorMapping;
    this.observer = safeObserver(options.observer);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    // Resolved outside the retry loop: a failed discovery surfaces as its own error, not as a retried request.
    const base = typeof this.base === "string" ? this.base : trimSlashes(await this.base());
    const state: AttemptState = { refreshedAfter401: false };
    return runWithRetry(() => this.attempt(req, base, state), {
      clock: this.options.clock,
      random: this.options.random ?? Math.random,
      policy: this.policy,
      signal: req.signal,
      onRetry: (e) => this.observer.retry({ route: req.route, ...e }),
    });
  }

  private url(req: HttpRequest, base: string): URL {
    const url = new URL(base + req.path);
    if (req.query !== undefined) {
      for (const [key, value] of Object.entries(req.query)) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async attempt(
    req: HttpRequest,
    base: string,
    state: AttemptState,
  ): Promise<AttemptOutcome<HttpResponse>> {
    const { clock, limiter, tokens, timeoutMs = 30_000 } = this.options;
    const isWrite = WRITE_METHODS.has(req.method);
    const token = tokens ? await tokens.getToken(req.signal) : undefined;
    const grant = await limiter.acquire(req.signal);

    const headers: Record<string, string> = {
      // CXone answers "No known way to render data" to a request without Accept (cxone-mcp's note).
      accept: "application/json",
      "user-agent": this.options.userAgent ?? "dialrules",
      ...req.headers,
    };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.body);
    }
    const started = clock.now();
    const observe = (status: number | "network") =>
      this.observer.request({
        method: req.method,
        route: req.route,
        status,
        durationMs: clock.now() - started,
      });

    let response: Reply;
    try {
      response = await send(this.url(req, base), {
        method: req.method,
        headers,
        body,
        timeoutMs,
        ...(req.signal ? { signal: req.signal } : {}),
      });
    } catch (err) {
      grant.settle();
      if (req.signal?.aborted) throw req.signal.reason;
      observe("network");
      return this.networkFailure(req, err, isWrite && !failedBeforeSending(err), timeoutMs);
    }
    // The budget the reply states is known as soon as its headers are: let waiting requests use it.
    grant.settle({ status: response.status, observation: readBudgetHeaders(response.headers, clock.now()) });

    const requestId = response.headers.get("x-request-id") ?? undefined;
    const status = response.status;
    let bytes: Uint8Array;
    try {
      bytes = await response.body(this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (err instanceof BodyTooLargeError) {
        observe(status);
        const message = `${req.method} ${req.route} answered ${status} with a body over ${err.limit} bytes`;
        return {
          kind: "fail",
          error:
            isWrite && status < 300
              ? new WriteOutcomeUnknownError(message, status, requestId)
              : new UnexpectedResponseError(message, status, requestId),
        };
      }
      // The headers arrived, so the request was received; the body was cut off.
      observe("network");
      return this.networkFailure(req, err, isWrite, timeoutMs, requestId);
    }
    observe(status);

    let parsed: unknown;
    try {
      parsed = parseJsonBody(bytes);
    } catch (err) {
      if (!(err instanceof MalformedJsonError)) throw err;
      if (status >= 200 && status < 300) {
        const message = `${req.method} ${req.route}: ${err.message}`;
        return {
          kind: "fail",
          error: isWrite
            ? new WriteOutcomeUnknownError(message, status, requestId)
            : new UnexpectedResponseError(message, status, requestId),
        };
      }
      // An error status with a non-JSON body (a proxy's HTML page, say) is still classified by its status.
      parsed = undefined;
    }

    if (status >= 200 && status < 300) {
      return { kind: "done", value: { status, body: parsed, requestId, headers: response.headers } };
    }
    return this.classifyFailure(
      req,
      state,
      { status, body: parsed, requestId, headers: response.headers },
      token,
    );
  }

  private networkFailure(
    req: HttpRequest,
    err: unknown,
    sent: boolean,
    timeoutMs: number,
    requestId?: string,
  ): AttemptOutcome<HttpResponse> {
    const detail = isTimeout(err) ? `no reply within ${timeoutMs} ms` : describeNetworkError(err);
    const message = `${req.method} ${req.route} failed: ${detail}`;
    if (sent) {
      const error = new WriteOutcomeUnknownError(
        `${message}; the change may have been applied, re-read before retrying`,
        undefined,
        requestId,
      );
      return { kind: "fail", error };
    }
    return { kind: "retry", status: "network", error: new TransientError(message, undefined, requestId) };
  }

  private classifyFailure(
    req: HttpRequest,
    state: AttemptState,
    res: HttpResponse,
    token: string | undefined,
  ): AttemptOutcome<HttpResponse> {
    const { status, requestId } = res;
    const isWrite = WRITE_METHODS.has(req.method);
    const serverMessage = this.errors.describe(res.body);
    const what = `${req.method} ${req.route}`;
    switch (status) {
      case 401: {
        const error = new AuthError(
          `${what} was refused (401) even with a fresh token${serverMessage ? `: ${serverMessage}` : ""}`,
          401,
          requestId,
        );
        if (this.options.tokens && token !== undefined && !state.refreshedAfter401) {
          state.refreshedAfter401 = true;
          this.options.tokens.invalidate(token);
          return { kind: "retry", status, error, immediate: true };
        }
        return { kind: "fail", error };
      }
      case 429: {
        // Honoured when present; without it (cxone may omit it) the retry falls back to full-jitter backoff.
        const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"), this.options.clock.now());
        if (retryAfterMs !== undefined) this.options.limiter.holdFor(retryAfterMs);
        return { kind: "retry", status, retryAfterMs, error: new RateLimitedError(retryAfterMs, requestId) };
      }
    }
    if (status >= 500) {
      // 503 means "not processed, come back later"; other 5xx on a write leave its fate unknown.
      const message = `${what} answered ${status}${serverMessage ? `: ${serverMessage}` : ""}`;
      if (isWrite && status !== 503) {
        const error = new WriteOutcomeUnknownError(
          `${message}; the change may have been applied, re-read before retrying`,
          status,
          requestId,
        );
        return { kind: "fail", error };
      }
      return { kind: "retry", status, error: new TransientError(message, status, requestId) };
    }
    return {
      kind: "fail",
      error: this.errors.toError({
        method: req.method,
        route: req.route,
        status,
        body: res.body,
        requestId,
        subject: req.subject,
      }),
    };
  }
}

interface AttemptState {
  refreshedAfter401: boolean;
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}
