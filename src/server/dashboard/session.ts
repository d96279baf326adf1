import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * People sign in by pasting an API token; the dashboard keeps it in an HttpOnly, SameSite=Strict cookie and
 * resolves it through `services.authenticate` on every request, exactly like the API's bearer tokens. Nothing
 * is held in process memory, so any replica can serve any page and revoking the token ends the session.
 */

export const SESSION_COOKIE = "dialrules_session";
/** Name of the hidden field every POST form carries. */
export const CSRF_FIELD = "_csrf";
/** A working day: long enough not to interrupt an approver, short enough that a forgotten browser logs out. */
const SESSION_MAX_AGE_SEC = 12 * 60 * 60;
/** API tokens are short printable strings; anything longer is not one and is ignored, not hashed. */
const MAX_TOKEN_LENGTH = 512;

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      const value = decodeURIComponent(part.slice(eq + 1).trim());
      return value && value.length <= MAX_TOKEN_LENGTH ? value : undefined;
    } catch {
      return undefined; // malformed %-escape: treat as no session
    }
  }
  return undefined;
}

function cookie(value: string, maxAgeSec: number, secure: boolean): string {
  // Secure only over HTTPS: a plain-HTTP localhost trial must still be able to sign in.
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${maxAgeSec}`,
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

export const sessionCookie = (token: string, secure: boolean): string =>
  cookie(token, SESSION_MAX_AGE_SEC, secure);
export const clearedSessionCookie = (secure: boolean): string => cookie("", 0, secure);

/**
 * The CSRF token is an HMAC keyed by the session's own secret (the API token), so it needs no server-side
 * state or shared key between replicas, and a page that cannot read the HttpOnly cookie cannot compute it.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac("sha256", sessionToken).update("dialrules-dashboard-csrf/1").digest("base64url");
}

export function csrfMatches(sessionToken: string, submitted: unknown): boolean {
  if (typeof submitted !== "string") return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(submitted);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Defence in depth for POSTs, and the only protection the login form has (there is no session yet): a
 * browser says where a request came from; refuse any that says another site.
 */
export function fromSameOrigin(headers: Record<string, string | string[] | undefined>): boolean {
  const site = headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (typeof origin !== "string" || origin === "null") return false;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}

/** Where to go after signing in: only a path on this site, never `//evil.example` or an absolute URL. */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) {
    return "/";
  }
  return next;
}
