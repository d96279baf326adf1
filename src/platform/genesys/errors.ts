/**
 * Genesys Cloud's `{message, code, status, contextId, details, errors}` error bodies → our typed errors.
 * A stale version is a conflict whether it comes as 409 or as 400 "does not match the current version"
 * (terraform-provider-genesyscloud genesyscloud/util/util_retries.go, IsVersionMismatch). Retry decisions
 * (401, 429, 5xx) stay in HttpClient.
 */
import type { ErrorMapping, FailedReply } from "../../http/error-mapping.js";
import {
  AuthError,
  ConflictError,
  NotFoundError,
  type PlatformError,
  type PlatformFieldError,
  PlatformValidationError,
  UnexpectedResponseError,
} from "../errors.js";
import { errorBodySchema } from "./schemas.js";

interface GenesysErrorBody {
  message?: string;
  code?: string;
  contextId?: string;
  errors: string[];
}

function readErrorBody(body: unknown): GenesysErrorBody {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return { errors: [] };
  // Bounded: a message is for a person, not a payload.
  const clip = (s: string | undefined) => (s === undefined ? undefined : s.slice(0, 500));
  return {
    message: clip(parsed.data.message),
    code: clip(parsed.data.code),
    contextId: clip(parsed.data.contextId),
    errors: (parsed.data.errors ?? [])
      .slice(0, 20)
      .flatMap((e) => (e.message === undefined ? [] : [e.message.slice(0, 500)])),
  };
}

function describe(e: GenesysErrorBody): string {
  const text = e.message ?? e.code ?? "no message";
  return e.contextId === undefined ? text : `${text} (contextId ${e.contextId})`;
}

export function isVersionMismatch(status: number, body: unknown): boolean {
  if (status === 409) return true;
  return status === 400 && /does not match the current version/i.test(readErrorBody(body).message ?? "");
}

/** `field: message` pairs are not a Genesys convention; the whole message is kept under the object's name. */
function fieldErrorsOf(e: GenesysErrorBody, subject: string): PlatformFieldError[] {
  const messages = e.errors.length > 0 ? e.errors : [describe(e)];
  return messages.map((message) => ({ field: subject, message }));
}

export function mapGenesysError(reply: FailedReply): PlatformError {
  const e = readErrorBody(reply.body);
  const what = `${reply.method} ${reply.route}`;
  const about = reply.subject ?? "campaign";
  if (reply.method !== "GET" && isVersionMismatch(reply.status, reply.body)) {
    return new ConflictError(
      `${what}: the ${about} changed since it was read (${describe(e)})`,
      undefined,
      reply.requestId,
    );
  }
  switch (reply.status) {
    case 400:
      if (reply.method !== "GET")
        return new PlatformValidationError(
          fieldErrorsOf(e, about),
          reply.requestId,
          `Genesys Cloud rejected the change to the ${about}: ${describe(e)}`,
        );
      break;
    case 403:
      return new AuthError(
        `${what} was forbidden (403): ${describe(e)}; the OAuth client's role needs outbound:campaign:view/edit, outbound:attemptLimits:view/edit, outbound:contactList:view and outbound:settings:view`,
        403,
        reply.requestId,
      );
    case 404:
      return new NotFoundError(`${what}: not found (${describe(e)})`, reply.requestId);
  }
  return new UnexpectedResponseError(
    `${what} answered ${reply.status}: ${describe(e)}`,
    reply.status,
    reply.requestId,
  );
}

export const genesysErrorMapping: ErrorMapping = {
  describe: (body) => {
    const e = readErrorBody(body);
    return e.message === undefined ? undefined : describe(e);
  },
  toError: mapGenesysError,
};
