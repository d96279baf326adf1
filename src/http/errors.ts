import { DialrulesError } from "../domain/errors.js";

/**
 * Typed failures of a platform call. Drivers map their API's error bodies onto these so the engine never
 * looks at status codes or vendor error formats.
 */
export class PlatformError extends DialrulesError {
  constructor(
    code: string,
    message: string,
    readonly status?: number,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, undefined, options);
  }
}

/** The write was computed against a stale revision (HTTP 409 on X-If-Match). */
export class ConflictError extends PlatformError {
  constructor(
    message: string,
    readonly currentRevision: number | undefined,
    requestId?: string,
  ) {
    super("PLATFORM_CONFLICT", message, 409, requestId);
  }
}

export interface PlatformFieldError {
  field: string;
  message: string;
}

/** The platform rejected the body (HTTP 400); every field problem it named is kept. */
export class PlatformValidationError extends PlatformError {
  constructor(
    readonly fields: PlatformFieldError[],
    requestId?: string,
    message = `platform rejected the change: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`,
  ) {
    super("PLATFORM_VALIDATION", message, 400, requestId);
  }
}

/** Over the platform's budget after every retry was spent (HTTP 429). */
export class RateLimitedError extends PlatformError {
  constructor(
    readonly retryAfterMs: number | undefined,
    requestId?: string,
  ) {
    super(
      "PLATFORM_RATE_LIMITED",
      `platform rate limit still exceeded after retries${retryAfterMs === undefined ? "" : `; it asked to wait ${Math.ceil(retryAfterMs / 1000)} s`}. Lower --concurrency or CXONE_RATE_LIMIT.`,
      429,
      requestId,
    );
  }
}

/** Credentials rejected, token refused after one refresh, or a scope is missing (401/403). */
export class AuthError extends PlatformError {
  constructor(message: string, status?: number, requestId?: string) {
    super("PLATFORM_AUTH", message, status, requestId);
  }
}

export class NotFoundError extends PlatformError {
  constructor(message: string, requestId?: string) {
    super("PLATFORM_NOT_FOUND", message, 404, requestId);
  }
}

/**
 * 5xx, timeouts and network failures that outlived the retry budget. `mayHaveBeenApplied` is true when the
 * request body was sent before the failure (a write whose reply was lost): the caller must re-read before
 * deciding anything.
 */
export class TransientError extends PlatformError {
  constructor(
    message: string,
    readonly mayHaveBeenApplied: boolean,
    status?: number,
    requestId?: string,
    options?: { cause?: unknown },
  ) {
    super("PLATFORM_TRANSIENT", message, status, requestId, options);
  }
}

/**
 * Any other unexpected reply (e.g. a body over the size limit, a 418). Not retried. `mayHaveBeenApplied` is
 * true when a write got a success status but an unreadable body: like TransientError, re-read first.
 */
export class UnexpectedResponseError extends PlatformError {
  constructor(
    message: string,
    status?: number,
    requestId?: string,
    readonly mayHaveBeenApplied = false,
  ) {
    super("PLATFORM_UNEXPECTED", message, status, requestId);
  }
}
