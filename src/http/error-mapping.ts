/**
 * How HttpClient reads an API's error bodies. The client keeps every decision that affects retries and
 * write safety (one token refresh on 401, honouring 429, the fate of a write after a 5xx) because those are
 * the same for every API; what differs between APIs is the shape of the error body and the typed error a
 * final refusal becomes. The v2 contract's mapping below is the default; a driver whose API answers in
 * another shape (cxone's `{error, errorDescription}`) passes its own.
 */
import {
  AuthError,
  ConflictError,
  NotFoundError,
  type PlatformError,
  type PlatformFieldError,
  PlatformValidationError,
  UnexpectedResponseError,
} from "../platform/errors.js";

/** A reply with a failed status that will not be retried. */
export interface FailedReply {
  method: string;
  /** The request's route template, for messages. */
  route: string;
  status: number;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: unknown;
  requestId?: string;
  /** What the request was about (HttpRequest.subject), e.g. a skill id, for messages and advice. */
  subject?: string;
}

export interface ErrorMapping {
  /** The server's own explanation in an error body (bounded), quoted in the client's 401 and 5xx errors. */
  describe(body: unknown): string | undefined;
  /** The error that ends a request after a failed status other than 401, 429 and 5xx. */
  toError(reply: FailedReply): PlatformError;
}

/** The v2 contract: `{message}`, `{errors:[{field,message}]}` on 400, `currentRevision` on 409. */
export const v2ErrorMapping: ErrorMapping = {
  describe: messageOf,
  toError({ method, route, status, body, requestId }) {
    const serverMessage = messageOf(body);
    const what = `${method} ${route}`;
    switch (status) {
      case 400: {
        const fields = fieldErrorsOf(body);
        if (fields) return new PlatformValidationError(fields, requestId);
        return new UnexpectedResponseError(
          `${what} answered 400${serverMessage ? `: ${serverMessage}` : ""}`,
          400,
          requestId,
        );
      }
      case 403:
        return new AuthError(
          `${what} was forbidden (403)${serverMessage ? `: ${serverMessage}` : ""}; check the scopes granted to the API client`,
          403,
          requestId,
        );
      case 404:
        return new NotFoundError(
          `${what}: not found${serverMessage ? ` (${serverMessage})` : ""}`,
          requestId,
        );
      case 409: {
        const current = (body as { currentRevision?: unknown } | undefined)?.currentRevision;
        return new ConflictError(
          `${what}: the campaign changed since it was read${serverMessage ? ` (${serverMessage})` : ""}`,
          typeof current === "number" && Number.isInteger(current) ? current : undefined,
          requestId,
        );
      }
    }
    return new UnexpectedResponseError(
      `${what} answered ${status}${serverMessage ? `: ${serverMessage}` : ""}`,
      status,
      requestId,
    );
  },
};

function messageOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const message = (body as { message?: unknown }).message;
  return typeof message === "string" ? message.slice(0, 500) : undefined;
}

/** The contract's `{"errors":[{"field","message"}]}`; undefined when the body has no such list. */
function fieldErrorsOf(body: unknown): PlatformFieldError[] | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return errors.map((e: unknown) => {
    const item = (typeof e === "object" && e !== null ? e : {}) as { field?: unknown; message?: unknown };
    return {
      field: typeof item.field === "string" ? item.field : "",
      message: typeof item.message === "string" ? item.message : JSON.stringify(e),
    };
  });
}
