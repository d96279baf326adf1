/**
 * What a reply's headers say about the client's request budget, read generically so every driver gets it
 * from the HTTP layer:
 * - IETF draft-ietf-httpapi-ratelimit-headers, structured-field form (`RateLimit: "default";r=50;t=30`,
 *   `RateLimit-Policy: "default";q=100;w=60`, lists of several policies), the older dictionary form
 *   (`RateLimit: limit=100, remaining=50, reset=30`, `RateLimit-Policy: 100;w=60`) and the oldest separate
 *   fields (`RateLimit-Limit / -Remaining / -Reset`);
 * - the common `X-RateLimit-Limit / -Remaining / -Reset` (reset as delta-seconds, or epoch seconds when
 *   the number is that large);
 * - Genesys Cloud's `inin-ratelimit-allowed / -count / -reset` (remaining = allowed − count).
 *
 * Anything malformed (a field that is not a number, remaining above its own limit, a negative count, a
 * reset further away than a day) makes the whole reading undefined: the limiter then keeps to the
 * configured budget. `resetMs` means "when more quota is available again" (for a fixed window its end,
 * for a token bucket the next unit).
 */

export interface BudgetObservation {
  /** Requests the server will still accept now. */
  remaining: number;
  /** Milliseconds until more quota is available again. */
  resetMs: number;
  /** The quota of the policy, when the server says it. */
  limit?: number;
  /** The policy's window, when the server says it. */
  windowMs?: number;
}

const MAX_RESET_MS = 24 * 3600_000;
/** Below this a reset value is delta-seconds; above, epoch seconds (GitHub's X-RateLimit-Reset). */
const EPOCH_SECONDS_FROM = 1_000_000_000;

type HeaderSource = Pick<Headers, "get">;

function nonNegativeInt(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const t = value.trim();
  if (!/^\d{1,15}$/.test(t)) return undefined;
  return Number(t);
}

/** `key=value` pairs of one list member (`"name";r=5;t=2`, `limit=100, remaining=5` or `100;w=60`). */
function params(member: string): { head: string; values: Map<string, string> } {
  const [head = "", ...rest] = member.split(";").map((s) => s.trim());
  const values = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf("=");
    if (eq > 0) values.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  return { head, values };
}

function splitList(value: string): string[] {
  // Structured-field lists separate members by commas outside quoted names.
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      out.push(current);
      current = "";
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== "");
}

type Reading = BudgetObservation | "malformed" | undefined;

/** The structured-field form of the current draft: one member per policy, matched by name. */
function ietfStructured(rateLimit: string, policy: string | null): Reading {
  const members = splitList(rateLimit).map(params);
  if (members.length === 0 || !members.every((m) => m.head.startsWith('"'))) return undefined;
  const policies = new Map<string, { limit?: number; windowMs?: number }>();
  for (const p of splitList(policy ?? "").map(params)) {
    const q = nonNegativeInt(p.values.get("q"));
    const w = nonNegativeInt(p.values.get("w"));
    policies.set(p.head, { ...(q !== undefined ? { limit: q } : {}), ...(w ? { windowMs: w * 1000 } : {}) });
  }
  let tightest: BudgetObservation | undefined;
  for (const m of members) {
    const r = nonNegativeInt(m.values.get("r"));
    if (r === undefined) return "malformed";
    const tText = m.values.get("t");
    const t = tText === undefined ? 0 : nonNegativeInt(tText);
    if (t === undefined) return "malformed";
    const reading: BudgetObservation = { remaining: r, resetMs: t * 1000, ...policies.get(m.head) };
    if (tightest === undefined || reading.remaining < tightest.remaining) tightest = reading;
  }
  return tightest;
}

/** The dictionary form of draft 07 (`limit=100, remaining=50, reset=30`). */
function ietfDictionary(rateLimit: string, policy: string | null): Reading {
  const fields = new Map<string, string>();
  for (const part of splitList(rateLimit)) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (!fields.has("remaining")) return undefined;
  const remaining = nonNegativeInt(fields.get("remaining"));
  const reset = nonNegativeInt(fields.get("reset") ?? "0");
  const limit = fields.has("limit") ? nonNegativeInt(fields.get("limit")) : undefined;
  if (remaining === undefined || reset === undefined || (fields.has("limit") && limit === undefined))
    return "malformed";
  const first = policy ? params(splitList(policy)[0] ?? "") : undefined;
  const w = nonNegativeInt(first?.values.get("w"));
  return {
    remaining,
    resetMs: reset * 1000,
    ...(limit !== undefined ? { limit } : {}),
    ...(w ? { windowMs: w * 1000 } : {}),
  };
}

function separateFields(h: HeaderSource, prefix: string, nowMs: number): Reading {
  const remainingText = h.get(`${prefix}-remaining`);
  if (remainingText === null) return undefined;
  const remaining = nonNegativeInt(remainingText);
  const limitText = h.get(`${prefix}-limit`);
  // Some servers send "100, 100;w=60" here; the first number is the quota.
  const limit = limitText === null ? undefined : nonNegativeInt(limitText.split(/[,;]/)[0]);
  const resetText = h.get(`${prefix}-reset`);
  let resetMs = resetText === null ? 0 : nonNegativeInt(resetText);
  if (remaining === undefined || resetMs === undefined || (limitText !== null && limit === undefined))
    return "malformed";
  resetMs = resetMs >= EPOCH_SECONDS_FROM ? Math.max(0, resetMs * 1000 - nowMs) : resetMs * 1000;
  return { remaining, resetMs, ...(limit !== undefined ? { limit } : {}) };
}

function genesys(h: HeaderSource): Reading {
  const allowedText = h.get("inin-ratelimit-allowed");
  const countText = h.get("inin-ratelimit-count");
  if (allowedText === null || countText === null) return undefined;
  const allowed = nonNegativeInt(allowedText);
  const count = nonNegativeInt(countText);
  const resetText = h.get("inin-ratelimit-reset");
  const reset = resetText === null ? 0 : nonNegativeInt(resetText);
  if (allowed === undefined || count === undefined || reset === undefined) return "malformed";
  return { remaining: Math.max(0, allowed - count), resetMs: reset * 1000, limit: allowed };
}

function sane(reading: Reading): BudgetObservation | undefined {
  if (reading === undefined || reading === "malformed") return undefined;
  if (reading.limit !== undefined && reading.remaining > reading.limit) return undefined;
  if (reading.resetMs > MAX_RESET_MS) return undefined;
  return reading;
}

/**
 * The tightest budget any recognised family of headers states, or undefined when there is none or one of
 * them is malformed (a server whose headers contradict themselves is not believed at all).
 */
export function readBudgetHeaders(headers: HeaderSource, nowMs: number): BudgetObservation | undefined {
  const readings: Reading[] = [];
  const rateLimit = headers.get("ratelimit");
  if (rateLimit !== null) {
    const policy = headers.get("ratelimit-policy");
    readings.push(
      rateLimit.trimStart().startsWith('"')
        ? ietfStructured(rateLimit, policy)
        : (ietfDictionary(rateLimit, policy) ?? "malformed"),
    );
  }
  readings.push(separateFields(headers, "ratelimit", nowMs));
  readings.push(separateFields(headers, "x-ratelimit", nowMs));
  readings.push(genesys(headers));
  if (readings.includes("malformed")) return undefined;
  let tightest: BudgetObservation | undefined;
  for (const r of readings) {
    const ok = sane(r);
    if (r !== undefined && ok === undefined) return undefined;
    if (ok && (tightest === undefined || ok.remaining < tightest.remaining)) tightest = ok;
  }
  return tightest;
}
