/**
 * Telling apart network failures that happened before the request left (safe to resend a write) from
 * those after it may have reached the server (a write may have been applied).
 */

/** Error codes (Node / undici) that mean no byte of the request reached the server. */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function errorCodes(err: unknown, seen = new Set<unknown>()): string[] {
  if (typeof err !== "object" || err === null || seen.has(err)) return [];
  seen.add(err);
  const codes: string[] = [];
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") codes.push(code);
  codes.push(...errorCodes((err as { cause?: unknown }).cause, seen));
  const nested = (err as { errors?: unknown }).errors;
  if (Array.isArray(nested)) for (const e of nested) codes.push(...errorCodes(e, seen));
  return codes;
}

/** True when the failure happened while connecting, i.e. before anything was sent. */
export function failedBeforeSending(err: unknown): boolean {
  const codes = errorCodes(err);
  return codes.length > 0 && codes.every((c) => NOT_SENT_CODES.has(c));
}

/** A short description for messages: the innermost error code and message, nothing request-specific. */
export function describeNetworkError(err: unknown): string {
  const codes = errorCodes(err);
  let inner: unknown = err;
  while (
    typeof inner === "object" &&
    inner !== null &&
    (inner as { cause?: unknown }).cause instanceof Error
  ) {
    inner = (inner as { cause: Error }).cause;
  }
  const message = inner instanceof Error ? inner.message : String(inner);
  const code = codes.at(-1);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

export function isTimeout(err: unknown): boolean {
  return err instanceof DOMException && err.name === "TimeoutError";
}
