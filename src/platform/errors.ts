import { DialrulesError } from "../domain/errors.js";

/**
 * Typed failures of a platform call: part of the Platform contract (platform.ts), so the engine decides on
 * them without knowing HTTP. Drivers (and the HTTP client they share) map their API's replies onto these;
 * `status` is kept only for records and messages.
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

/** The write was computed against a stale revision (v2: 409 on X-If-Match). */
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

/** The platform rejected the change (v2: 400); every field problem it named is kept. */
export class PlatformValidationError extends PlatformError {
  constructor(
    readonly fields: PlatformFieldError[],
    requestId?: string,
    message = `platform rejected the change: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`,
  ) {
    super("PLATFORM_VALIDATION", message, 400, requestId);
  }
}

/**
 * Over the platform's budget after every retry was spent (429). What to lower is the caller's advice to give
 * (the CLI names its flags), not the contract's.
 */
export class RateLimitedError extends PlatformError {
  constructor(
    readonly retryAfterMs: number | undefined,
    requestId?: string,
  ) {
    super(
      "PLATFORM_RATE_LIMITED",
      `platform rate limit still exceeded after retries${retryAfterMs === undefined ? "" : `; it asked to wait ${Math.ceil(retryAfterMs / 1000)} s`}`,
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

/** 5xx, timeouts and network failures that outlived the retry budget; nothing was changed by them. */
export class TransientError extends PlatformError {
  constructor(message: string, status?: number, requestId?: string, options?: { cause?: unknown }) {
    super("PLATFORM_TRANSIENT", message, status, requestId, options);
  }
}

/** Any other unexpected reply (e.g. a body over the size limit, a 418). Not retried. */
export class UnexpectedResponseError extends PlatformError {
  constructor(message: string, status?: number, requestId?: string) {
    super("PLATFORM_UNEXPECTED", message, status, requestId);
  }
}

/**
 * A write was sent but its fate is unknown: the reply was lost (timeout, connection cut after sending, a
 * 5xx other than 503) or a success reply could not be read. The caller must read back before deciding
 * anything; sending it again blindly could apply a change twice.
 */
export class WriteOutcomeUnknownError extends PlatformError {
  constructor(message: string, status?: number, requestId?: string, options?: { cause?: unknown }) {
    super("PLATFORM_WRITE_OUTCOME_UNKNOWN", message, status, requestId, options);
  }
}
