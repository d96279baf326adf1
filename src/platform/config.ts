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

/** https, or http only for loopback (the simulator) unless CXONE_ALLOW_INSECURE_HTTP=true. */
export function parseUrl(name: string, value: string, env: Env): string {
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
    if (isLoopbackHost(url.hostname) || env.CXONE_ALLOW_INSECURE_HTTP === "true")
      return url.href.replace(/\/+$/, "");
    throw invalid(
      name,
      "plain http is only allowed for localhost (set CXONE_ALLOW_INSECURE_HTTP=true to override)",
    );
  }
  throw invalid(name, `unsupported protocol ${url.protocol}`);
}

const UNIT_MINUTES: Record<string, number> = { s: 1 / 60, sec: 1 / 60, m: 1, min: 1, h: 60, hour: 60 };

/** `100/min`, `100/m`, `2/s`, `6000/h`, or a bare number meaning per minute. */
export function parseRateLimit(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(?:\/\s*([a-z]+))?$/i.exec(value.trim());
  const unit = match?.[2]?.toLowerCase() ?? "min";
  const minutes = UNIT_MINUTES[unit];
  if (!match || minutes === undefined) {
    throw invalid(name, `expected a budget such as "100/min", "2/s" or "6000/h", got "${value}"`);
  }
  const perMinute = Number(match[1]) / minutes;
  if (!(perMinute > 0)) throw invalid(name, `must be more than 0, got "${value}"`);
  return perMinute;
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

export function loadPlatformConfig(env: Env, flags: PlatformFlags = {}): PlatformConfig {
  const clientId = pick(flags.clientId, env, "CXONE_CLIENT_ID");
  if (clientId === undefined) {
    throw new InputError(
      "CONFIG_MISSING",
      "CXONE_CLIENT_ID must be set (the API client's id)",
      "CXONE_CLIENT_ID",
    );
  }
  const apiBaseUrl = parseUrl(
    "CXONE_API_BASE_URL",
    pick(flags.apiBaseUrl, env, "CXONE_API_BASE_URL") ?? DEFAULT_API_BASE_URL,
    env,
  );
  const tokenUrl = parseUrl(
    "CXONE_TOKEN_URL",
    pick(flags.tokenUrl, env, "CXONE_TOKEN_URL") ?? DEFAULT_TOKEN_URL,
    env,
  );
  const scopesText = pick(flags.scopes, env, "CXONE_SCOPES");
  const scopes = scopesText === undefined ? [...DEFAULT_SCOPES] : scopesText.split(/[\s,]+/).filter(Boolean);
  const rateText = pick(flags.rateLimit, env, "CXONE_RATE_LIMIT");
  const rateLimitPerMinute =
    rateText === undefined ? DEFAULT_RATE_LIMIT_PER_MINUTE : parseRateLimit("CXONE_RATE_LIMIT", rateText);
  const authText = (pick(flags.clientAuth, env, "CXONE_CLIENT_AUTH") ?? "basic").toLowerCase();
  if (authText !== "basic" && authText !== "body") {
    throw invalid("CXONE_CLIENT_AUTH", `expected "basic" or "body", got "${authText}"`);
  }
  return {
    apiBaseUrl,
    tokenUrl,
    clientId,
    clientSecret: readSecret(env, "CXONE_CLIENT_SECRET", "the API client's secret", {
      direct: flags.clientSecret,
      file: flags.clientSecretFile,
    }),
    scopes,
    rateLimitPerMinute,
    clientAuth: authText,
  };
}
