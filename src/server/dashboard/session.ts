import { timingSafeEqual } from "node:crypto";

/**
 * People sign in by pasting an API token once; the dashboard then holds an opaque server-side session
 * (src/server/sessions): the cookie carries only a random session id, HttpOnly, SameSite=Strict, and over
 * HTTPS `Secure` with the `__Host-` prefix (no Domain, Path=/, so no subdomain can set or read it).
 */

export const SESSION_COOKIE = "dialrules_session";
/** The name over HTTPS: browsers accept it only with Secure, Path=/ and no Domain. */
export const SECURE_SESSION_COOKIE = "__Host-dialrules_session";
/** Name of the hidden field every POST form carries. */
export const CSRF_FIELD = "_csrf";
/** The cookie outlives no session: a working day (the server also ends idle sessions). */
const SESSION_MAX_AGE_SEC = 12 * 60 * 60;
/** Session ids are short printable strings; anything longer is not one and is ignored. */
const MAX_COOKIE_LENGTH = 512;

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      const value = decodeURIComponent(part.slice(eq + 1).trim());
      return value && value.length <= MAX_COOKIE_LENGTH ? value : undefined;
    } catch {
      return undefined; // malformed %-escape: treat as no session
    }
  }
  return undefined;
}

/** The session id from either cookie name (the secure one first). */
export const sessionIdFrom = (header: string | undefined): string | undefined =>
  readCookie(header, SECURE_SESSION_COOKIE) ?? readCookie(header, SESSION_COOKIE);

function cookie(value: string, maxAgeSec: number, secure: boolean): string {
  // Secure only over HTTPS: a plain-HTTP localhost trial must still be able to sign in.
  return [
    `${secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${maxAgeSec}`,
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

export const sessionCookie = (sessionId: string, secure: boolean): string =>
  cookie(sessionId, SESSION_MAX_AGE_SEC, secure);
export const clearedSessionCookie = (secure: boolean): string => cookie("", 0, secure);

/** The submitted form token against the session's own (constant time). */
export function csrfMatches(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
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

/**
 * Where to go after signing in: only a path on this site. Control characters and white space are refused
 * outright: browsers drop a tab or newline inside a URL, so `/\t/evil.example` would become `//evil.example`.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) {
    return "/";
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u0020\u007f-\u009f]/.test(next)) return "/";
  const base = "http://dialrules.invalid";
  try {
    return new URL(next, base).origin === base ? next : "/";
  } catch {
    return "/";
  }
}
