/**
 * Platform connection settings from the environment and command-line flags (flags win). Every problem is
 * an InputError naming the variable, and the secret is wrapped in `Secret` as soon as it is read so no
 * later log line or error can print it.
 */
import { readFileSync } from "node:fs";
import { InputError } from "../domain/errors.js";
import { isLoopbackHost } from "../http/loopback.js";
import { Secret } from "../http/secret.js";
import type { ClientAuthMethod } from "../http/token-source.js";

export { Secret };

export const DEFAULT_API_BASE_URL = "https://platform.nicecxone.com/api/v2";
export const DEFAULT_TOKEN_URL = "https://platform.nicecxone.com/oauth/token";
export const DEFAULT_SCOPES = [
  "outbound:campaign:read",
  "outbound:campaign:write",
  "outbound:rules:write",
] as const;
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 100;

export interface PlatformConfig {
  apiBaseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: Secret;
  scopes: string[];
  /** Nominal budget the platform grants this client id. */
  rateLimitPerMinute: number;
  /** Requests that may go at once (CXONE_RATE_LIMIT's `,burst=N`); unset: the limiter's default. */
  rateBurst?: number;
  clientAuth: ClientAuthMethod;
}

/** Command-line overrides; same meaning as the variables. */
export interface PlatformFlags {
  apiBaseUrl?: string;
  tokenUrl?: string;
  clientId?: string;
  clientSecret?: string;
  clientSecretFile?: string;
  scopes?: string;
  rateLimit?: string;
  clientAuth?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The flag, else the variable; blank counts as unset. Shared with cxone/config.ts. */
export function pick(flag: string | undefined, env: Env, name: string): string | undefined {
  const value = flag ?? env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

export function invalid(name: string, message: string): InputError {
  return new InputError("CONFIG_INVALID", `${name}: ${message}`, name);
}

/** https, or http only for loopback (the simulator) unless `allowVariable` (CXONE_ALLOW_INSECURE_HTTP) is true. */
export function parseUrl(
  name: string,
  value: string,
  env: Env,
  allowVariable = "CXONE_ALLOW_INSECURE_HTTP",
): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(name, `not a URL: "${value}"`);
  }
  if (url.username || url.password) throw invalid(name, "must not contain credentials");
  if (url.protocol === "https:") return url.href.replace(/\/+$/, "");
  if (url.protocol === "http:") {
    // Plain http would send the client secret and tokens in clear text; only the local simulator needs it.
    if (isLoopbackHost(url.hostname) || env[allowVariable] === "true") return url.href.replace(/\/+$/, "");
    throw invalid(name, `plain http is only allowed for localhost (set ${allowVariable}=true to override)`);
  }
  throw invalid(name, `unsupported protocol ${url.protocol}`);
}

const UNIT_MINUTES: Record<string, number> = { s: 1 / 60, sec: 1 / 60, m: 1, min: 1, h: 60, hour: 60 };

/** The configured budget of one credential: requests per minute and the burst that may go at once. */
export interface RateBudget {
  perMinute: number;
  /** Unset: the limiter's conservative default (10 % of the budget, at most 10). */
  burst?: number;
}

/**
 * `100/min`, `100/m`, `2/s`, `6000/h`, or a bare number meaning per minute; optionally followed by
 * `,burst=N`, the requests the platform's bucket lets through at once (for platforms that do not state it
 * in their replies, such as CXone).
 */
export function parseRateBudget(name: string, value: string): RateBudget {
  const [rateText = "", ...extras] = value.split(",");
  const match = /^(\d+(?:\.\d+)?)\s*(?:\/\s*([a-z]+))?$/i.exec(rateText.trim());
  const unit = match?.[2]?.toLowerCase() ?? "min";
  const minutes = UNIT_MINUTES[unit];
  if (!match || minutes === undefined) {
    throw invalid(
      name,
      `expected a budget such as "100/min", "2/s", "6000/h" or "100/min,burst=50", got "${value}"`,
    );
  }
  const perMinute = Number(match[1]) / minutes;
  if (!(perMinute > 0)) throw invalid(name, `must be more than 0, got "${value}"`);
  let burst: number | undefined;
  for (const extra of extras) {
    const b = /^\s*burst\s*=\s*(\d+)\s*$/i.exec(extra);
    if (!b) throw invalid(name, `unknown part "${extra.trim()}"; only ",burst=N" may follow the rate`);
    burst = Number(b[1]);
    if (!(burst >= 1)) throw invalid(name, `burst must be at least 1, got "${b[1]}"`);
  }
  return burst === undefined ? { perMinute } : { perMinute, burst };
}

/** The per-minute part of parseRateBudget. */
export function parseRateLimit(name: string, value: string): number {
  return parseRateBudget(name, value).perMinute;
}

/**
 * NAME (or `direct`, a flag), else the file named by NAME_FILE (or `file`); the value is never echoed.
 * Shared with cxone/config.ts, whose secrets follow the same convention.
 */
export function readSecret(
  env: Env,
  name: string,
  what: string,
  flags: { direct?: string; file?: string } = {},
): Secret {
  const direct = flags.direct ?? env[name];
  if (direct !== undefined && direct !== "") return new Secret(direct);
  const fileName = pick(flags.file, env, `${name}_FILE`);
  if (fileName === undefined) {
    throw new InputError("CONFIG_MISSING", `${name} or ${name}_FILE must be set (${what})`, name);
  }
  let contents: string;
  try {
    contents = readFileSync(fileName, "utf8");
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw invalid(`${name}_FILE`, `cannot read ${fileName}${typeof code === "string" ? ` (${code})` : ""}`);
  }
  const secret = contents.trim();
  if (secret === "") throw invalid(`${name}_FILE`, `${fileName} is empty`);
  return new Secret(secret);
}

/** The v2 (tutorial contract) driver's variables: DIALRULES_V2_ + one of these. */
export const V2_PREFIX = "DIALRULES_V2_";
/** Before they had their own names, the v2 driver read CXONE_ + the same suffix (still read, deprecated). */
export const V2_LEGACY_PREFIX = "CXONE_";
const V2_SETTINGS = [
  "API_BASE_URL",
  "TOKEN_URL",
  "CLIENT_ID",
  "CLIENT_SECRET",
  "CLIENT_SECRET_FILE",
  "SCOPES",
  "RATE_LIMIT",
  "CLIENT_AUTH",
  "ALLOW_INSECURE_HTTP",
] as const;

const isSet = (env: Env, name: string) => (env[name]?.trim() ?? "") !== "";

export interface V2Environment {
  /** The environment with the v2 settings under their DIALRULES_V2_* names. */
  env: Env;
  /** The old CXONE_* names it was read from (empty when the new names are used). */
  deprecated: string[];
}

/**
 * The v2 driver's settings: its own DIALRULES_V2_* variables when any of them is set (then the CXONE_* ones
 * are left to the cxone driver), else the CXONE_* names it used to share with the cxone driver, reported
 * as deprecated. Never mixes the two sets.
 */
export function v2Environment(env: Env): V2Environment {
  if (V2_SETTINGS.some((s) => isSet(env, `${V2_PREFIX}${s}`))) return { env, deprecated: [] };
  const mapped: Record<string, string | undefined> = { ...env };
  const deprecated: string[] = [];
  for (const s of V2_SETTINGS) {
    const old = `${V2_LEGACY_PREFIX}${s}`;
    if (!isSet(env, old)) continue;
    mapped[`${V2_PREFIX}${s}`] = env[old];
    deprecated.push(old);
  }
  return { env: mapped, deprecated };
}

/** One line for stderr naming the old variables (never their values) and their new names. */
export function v2DeprecationNote(deprecated: readonly string[]): string | undefined {
  if (deprecated.length === 0) return undefined;
  const renames = deprecated.map((old) => `${old} → ${V2_PREFIX}${old.slice(V2_LEGACY_PREFIX.length)}`);
  return `dialrules: deprecated: the v2 driver read ${renames.length === 1 ? "this variable" : "these variables"} under ${renames.length === 1 ? "its" : "their"} old name${renames.length === 1 ? "" : "s"}; rename: ${renames.join(", ")}`;
}

/** True when the v2 driver has a client id, under either name. */
export function v2Configured(env: Env): boolean {
  return isSet(v2Environment(env).env, `${V2_PREFIX}CLIENT_ID`);
}

/**
 * The v2 driver's configuration from `env` (already resolved by `v2Environment`, or any environment using
 * `prefix`), with flags winning. Every problem names the variable to set.
 */
export function loadPlatformConfig(
  env: Env,
  flags: PlatformFlags = {},
  prefix = V2_LEGACY_PREFIX,
): PlatformConfig {
  const n = (suffix: string) => `${prefix}${suffix}`;
  const clientId = pick(flags.clientId, env, n("CLIENT_ID"));
  if (clientId === undefined) {
    throw new InputError(
      "CONFIG_MISSING",
      `${n("CLIENT_ID")} must be set (the API client's id)`,
      n("CLIENT_ID"),
    );
  }
  const allow = n("ALLOW_INSECURE_HTTP");
  const apiBaseUrl = parseUrl(
    n("API_BASE_URL"),
    pick(flags.apiBaseUrl, env, n("API_BASE_URL")) ?? DEFAULT_API_BASE_URL,
    env,
    allow,
  );
  const tokenUrl = parseUrl(
    n("TOKEN_URL"),
    pick(flags.tokenUrl, env, n("TOKEN_URL")) ?? DEFAULT_TOKEN_URL,
    env,
    allow,
  );
  const scopesText = pick(flags.scopes, env, n("SCOPES"));
  const scopes = scopesText === undefined ? [...DEFAULT_SCOPES] : scopesText.split(/[\s,]+/).filter(Boolean);
  const rateText = pick(flags.rateLimit, env, n("RATE_LIMIT"));
  const budget: RateBudget =
    rateText === undefined
      ? { perMinute: DEFAULT_RATE_LIMIT_PER_MINUTE }
      : parseRateBudget(n("RATE_LIMIT"), rateText);
  const authText = (pick(flags.clientAuth, env, n("CLIENT_AUTH")) ?? "basic").toLowerCase();
  if (authText !== "basic" && authText !== "body") {
    throw invalid(n("CLIENT_AUTH"), `expected "basic" or "body", got "${authText}"`);
  }
  return {
    apiBaseUrl,
    tokenUrl,
    clientId,
    clientSecret: readSecret(env, n("CLIENT_SECRET"), "the API client's secret", {
      direct: flags.clientSecret,
      file: flags.clientSecretFile,
    }),
    scopes,
    rateLimitPerMinute: budget.perMinute,
    ...(budget.burst === undefined ? {} : { rateBurst: budget.burst }),
    clientAuth: authText,
  };
}
