/**
 * JSON over HTTP for the CXone Admin API. Same plumbing and the same write-safety rules as
 * src/http/client.ts (bearer token with one refresh on 401, shared limiter, retry with full jitter,
 * size-limited bodies, a write resent only when it certainly was not applied), but failed replies are
 * classified by errors.ts from CXone's `{error, errorDescription}` bodies: HttpClient reads only the v2
 * contract's `message`/`errors`, and the running-skill advice needs the description.
 *
 * A 429 from CXone may come without Retry-After; the retry then waits the policy's full-jitter backoff
 * (250 ms · 2^n ceiling by default) instead of the server's hint.
 */
import type { Clock } from "../../clock/clock.js";
import {
  BodyTooLargeError,
  DEFAULT_MAX_BODY_BYTES,
  MalformedJsonError,
  parseJsonBody,
  readBodyLimited,
} from "../../http/body.js";
import { AuthError, RateLimitedError, TransientError, UnexpectedResponseError } from "../../http/errors.js";
import type { HttpObserver } from "../../http/events.js";
import { describeNetworkError, failedBeforeSending, isTimeout } from "../../http/network-errors.js";
import { safeObserver } from "../../http/observe.js";
import type { RequestLimiter } from "../../http/rate-limiter.js";
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RandomSource,
  type RetryPolicy,
  runWithRetry,
} from "../../http/retry.js";
import type { AccessTokenProvider } from "../../http/token-source.js";
import { mapCxoneError, readErrorBody } from "./errors.js";

export interface CxoneRequest {
  method: "GET" | "PUT";
  /** Full path below the API endpoint, ids encoded. */
  path: string;
  /** Template for metrics and messages, e.g. `/skills/:id/parameters/general-settings`. */
  route: string;
  query?: Record<string, string | number>;
  body?: unknown;
  signal?: AbortSignal;
  /** For messages and the running-skill advice. */
  skillId?: string;
}

export interface CxoneResponse {
  status: number;
  body: unknown;
  requestId?: string;
}

export interface CxoneTransportOptions {
  /** Resolves the API endpoint (discovery runs once, on first use). */
  baseUrl: () => Promise<string>;
  tokens: AccessTokenProvider;
  limiter: RequestLimiter;
  clock: Clock;
  random?: RandomSource;
  observer?: HttpObserver;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  maxBodyBytes?: number;
}

export class CxoneTransport {
  private readonly observer: Required<HttpObserver>;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: CxoneTransportOptions) {
    this.observer = safeObserver(options.observer);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  }

  async request(req: CxoneRequest): Promise<CxoneResponse> {
    const base = (await this.options.baseUrl()).replace(/\/+$/, "");
    let refreshed = false;
    return runWithRetry(
      () =>
        this.attempt(req, base, () => {
          const first = !refreshed;
          refreshed = true;
          return first;
        }),
      {
        clock: this.options.clock,
        random: this.options.random ?? Math.random,
        policy: this.policy,
        signal: req.signal,
        onRetry: (e) => this.observer.retry({ route: req.route, ...e }),
      },
    );
  }

  private async attempt(
    req: CxoneRequest,
    base: string,
    mayRefresh: () => boolean,
  ): Promise<AttemptOutcome<CxoneResponse>> {
    const { clock, limiter, tokens, timeoutMs = 30_000 } = this.options;
    const isWrite = req.method !== "GET";
    const token = await tokens.getToken(req.signal);
    await limiter.acquire(req.signal);
    const url = new URL(base + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      // CXone answers "No known way to render data" to a request without Accept (cxone-mcp's note).
      accept: "application/json",
      "user-agent": "dialrules-cxone",
      authorization: `Bearer ${token}`,
    };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    const started = clock.now();
    const observe = (status: number | "network") =>
      this.observer.request({
        method: req.method,
        route: req.route,
        status,
        durationMs: clock.now() - started,
      });

    let response: Response;
    try {
      response = await fetch(url.href, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
        redirect: "manual",
      });
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      observe("network");
      return this.networkFailure(req, err, isWrite && !failedBeforeSending(err), timeoutMs);
    }
    const status = response.status;
    const requestId = response.headers.get("x-request-id") ?? undefined;
    let bytes: Uint8Array;
    try {
      bytes = await readBodyLimited(response, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason;
      observe(err instanceof BodyTooLargeError ? status : "network");
      if (err instanceof BodyTooLargeError) {
        const error = new UnexpectedResponseError(
          `${req.method} ${req.route} answered ${status} with a body over ${err.limit} bytes`,
          status,
          requestId,
          isWrite && status < 300,
        );
        return { kind: "fail", error };
      }
      return this.networkFailure(req, err, isWrite, timeoutMs, requestId);
    }
    observe(status);
    let body: unknown;
    try {
      body = parseJsonBody(bytes);
    } catch (err) {
      if (!(err instanceof MalformedJsonError)) throw err;
      if (status >= 200 && status < 300) {
        const error = new UnexpectedResponseError(
          `${req.method} ${req.route}: ${err.message}`,
          status,
          requestId,
          isWrite,
        );
        return { kind: "fail", error };
      }
      body = undefined;
    }
    if (status >= 200 && status < 300) {
      return {
        kind: "done",
        value: requestId === undefined ? { status, body } : { status, body, requestId },
      };
    }
    return this.classify(
      req,
      status,
      body,
      requestId,
      response.headers.get("retry-after"),
      token,
      mayRefresh,
    );
  }

  private classify(
    req: CxoneRequest,
    status: number,
    body: unknown,
    requestId: string | undefined,
    retryAfter: string | null,
    token: string,
    mayRefresh: () => boolean,
  ): AttemptOutcome<CxoneResponse> {
    const what = `${req.method} ${req.route}`;
    if (status === 401) {
      const e = readErrorBody(body);
      const error = new AuthError(
        `${what} was refused (401) even with a fresh token${e.errorDescription ? `: ${e.errorDescription}` : ""}`,
        401,
        requestId,
      );
      if (!mayRefresh()) return { kind: "fail", error };
      this.options.tokens.invalidate(token);
      return { kind: "retry", status, error, immediate: true };
    }
    if (status === 429) {
      // Honoured when present; without it the retry falls back to full-jitter backoff.
      const retryAfterMs = parseRetryAfter(retryAfter, this.options.clock.now());
      if (retryAfterMs !== undefined) this.options.limiter.holdFor(retryAfterMs);
      return { kind: "retry", status, retryAfterMs, error: new RateLimitedError(retryAfterMs, requestId) };
    }
    if (status >= 500) {
      // 503 means "not processed"; other 5xx on a write leave its fate unknown, so the engine re-reads.
      const unknownFate = req.method !== "GET" && status !== 503;
      const e = readErrorBody(body);
      const error = new TransientError(
        `${what} answered ${status}${e.errorDescription ? `: ${e.errorDescription}` : ""}${unknownFate ? "; the change may have been applied, re-read before retrying" : ""}`,
        unknownFate,
        status,
        requestId,
      );
      return unknownFate ? { kind: "fail", error } : { kind: "retry", status, error };
    }
    return {
      kind: "fail",
      error: mapCxoneError({
        method: req.method,
        route: req.route,
        status,
        body,
        ...(requestId === undefined ? {} : { requestId }),
        ...(req.skillId === undefined ? {} : { skillId: req.skillId }),
      }),
    };
  }

  private networkFailure(
    req: CxoneRequest,
    err: unknown,
    mayHaveBeenApplied: boolean,
    timeoutMs: number,
    requestId?: string,
  ): AttemptOutcome<CxoneResponse> {
    const detail = isTimeout(err) ? `no reply within ${timeoutMs} ms` : describeNetworkError(err);
    const error = new TransientError(
      `${req.method} ${req.route} failed: ${detail}${mayHaveBeenApplied ? "; the change may have been applied, re-read before retrying" : ""}`,
      mayHaveBeenApplied,
      undefined,
      requestId,
    );
    return mayHaveBeenApplied ? { kind: "fail", error } : { kind: "retry", status: "network", error };
  }
}
