/**
 * CXone's `{"error", "errorDescription"}` error bodies → our typed errors. Pure, so the mapping is
 * tested without a server. Retry decisions (401, 429, 5xx) stay in HttpClient, which quotes the
 * description through `cxoneErrorMapping`; this covers replies that end a request.
 */
import type { ErrorMapping, FailedReply as HttpFailedReply } from "../../http/error-mapping.js";
import {
  AuthError,
  NotFoundError,
  type PlatformError,
  type PlatformFieldError,
  PlatformValidationError,
  UnexpectedResponseError,
} from "../errors.js";
import { errorBodySchema } from "./schemas.js";

export interface CxoneErrorBody {
  error?: string;
  errorDescription?: string;
}

export function readErrorBody(body: unknown): CxoneErrorBody {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return {};
  const e = parsed.data;
  // Bounded: a description is for a message, not a payload.
  const clip = (s: string | null | undefined) => (s == null || s === "" ? undefined : s.slice(0, 500));
  // Three shapes in the wild: {error, errorDescription}, OAuth's {error, error_description}, {message}.
  const out: CxoneErrorBody = {};
  const error = clip(e.error);
  const description = clip(e.errorDescription) ?? clip(e.error_description) ?? clip(e.message);
  if (error !== undefined) out.error = error;
  if (description !== undefined) out.errorDescription = description;
  return out;
}

function describe(e: CxoneErrorBody): string {
  if (e.error && e.errorDescription) return `${e.error}: ${e.errorDescription}`;
  return e.errorDescription ?? e.error ?? "no error description";
}

/** A refusal because the skill is running (assumed wording; see the doc's "Running skills"). */
export function isRunningSkillRefusal(e: CxoneErrorBody): boolean {
  return /running/i.test(`${e.error ?? ""} ${e.errorDescription ?? ""}`);
}

/** `field: message; field: message` in an errorDescription → field errors; the whole text otherwise. */
export function fieldErrorsOf(description: string | undefined): PlatformFieldError[] {
  if (description === undefined || description.trim() === "") {
    return [{ field: "generalSettings", message: "rejected without a description" }];
  }
  const parts = description.split(/;\s*/).filter((p) => p.trim() !== "");
  const fields = parts.map((part) => {
    const match = /^([A-Za-z][\w.[\]]*):\s*(.+)$/.exec(part.trim());
    return match?.[1] && match[2] ? { field: match[1], message: match[2] } : undefined;
  });
  if (fields.every((f) => f !== undefined)) return fields as PlatformFieldError[];
  return [{ field: "generalSettings", message: description }];
}

export interface FailedReply extends Omit<HttpFailedReply, "subject"> {
  /** The skill being written, for messages and advice. */
  skillId?: string;
}

/** The error that ends a request after a 4xx other than 401 (refreshed first) and 429 (retried). */
export function mapCxoneError(reply: FailedReply): PlatformError {
  const e = readErrorBody(reply.body);
  const what = `${reply.method} ${reply.route}`;
  const isWrite = reply.method !== "GET";
  if ((reply.status === 400 || reply.status === 409) && isWrite && isRunningSkillRefusal(e)) {
    const skill = reply.skillId === undefined ? "the skill" : `skill ${reply.skillId}`;
    const advice = `CXone refuses to change ${skill} while it is running (${describe(e)}). Stop the skill (ACD > Skills > Stop, or POST /skills/{id}/stop) or wait until its calling window ends, then run apply again`;
    return new PlatformValidationError([{ field: "skill", message: advice }], reply.requestId, advice);
  }
  switch (reply.status) {
    case 400:
      if (isWrite) {
        const fields = fieldErrorsOf(e.errorDescription);
        return new PlatformValidationError(
          fields,
          reply.requestId,
          `CXone rejected the change${reply.skillId === undefined ? "" : ` to skill ${reply.skillId}`}: ${describe(e)}`,
        );
      }
      return new UnexpectedResponseError(`${what} answered 400: ${describe(e)}`, 400, reply.requestId);
    case 403:
      return new AuthError(
        `${what} was forbidden (403): ${describe(e)}; the access key's user needs a role with Skills view/edit permission`,
        403,
        reply.requestId,
      );
    case 404:
      return new NotFoundError(`${what}: not found (${describe(e)})`, reply.requestId);
    case 409:
      return new PlatformValidationError(
        [{ field: "skill", message: describe(e) }],
        reply.requestId,
        `CXone refused the change${reply.skillId === undefined ? "" : ` to skill ${reply.skillId}`} (409): ${describe(e)}`,
      );
  }
  return new UnexpectedResponseError(
    `${what} answered ${reply.status}: ${describe(e)}`,
    reply.status,
    reply.requestId,
  );
}

/** HttpClient's view of the above; the request's `subject` is the skill id. */
export const cxoneErrorMapping: ErrorMapping = {
  describe: (body) => readErrorBody(body).errorDescription,
  toError: ({ subject, ...reply }) => mapCxoneError({ ...reply, skillId: subject }),
};
