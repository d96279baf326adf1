/**
 * Connection settings of the `cxone` driver, from the environment (docs/platforms/cxone.md#configuration).
 * Like the v2 config, every problem is an InputError naming the variable, and secrets are wrapped in
 * `Secret` as soon as they are read.
 */
import { InputError } from "../../domain/errors.js";
import { Secret } from "../../http/secret.js";
import {
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  type Env,
  invalid,
  parseRateLimit,
  parseUrl,
  pick as pickSetting,
  readSecret,
} from "../config.js";

/** NICE's global discovery host: serves both well-known documents for every tenant. */
export const DEFAULT_DISCOVERY_URL = "https://cxone.niceincontact.com";
/** Admin API version used when none is configured (see the doc for why). */
export const DEFAULT_API_VERSION = "v30.0";

/** The Admin API endpoints whose version can be set separately (CXONE_API_VERSION_<NAME>). */
export const CXONE_ENDPOINTS = ["skills", "generalSettings"] as const;
export type CxoneEndpoint = (typeof CXONE_ENDPOINTS)[number];

/**
 * How the driver gets a token: `password` (OAuth2 password grant: a registered application plus the user's
 * access key) or `access-key` (`POST /authentication/v1/token/access-key`, the access key alone).
 */
export const CXONE_AUTH_MODES = ["password", "access-key"] as const;
export type CxoneAuthMode = (typeof CXONE_AUTH_MODES)[number];

/** Path of the access-key token endpoint on the discovery (auth) host. */
export const ACCESS_KEY_TOKEN_PATH = "/authentication/v1/token/access-key";

export interface CxoneConfig {
  /** Default `password`. */
  auth?: CxoneAuthMode;
  /** Base of `/.well-known/openid-configuration` and `/.well-known/cxone-configuration`. */
  discoveryUrl: string;
  /** Needed for API discovery; optional when apiEndpoint is given. */
  tenantId?: string;
  /** Skips openid discovery when set. */
  tokenUrl?: string;
  /** The tenant's `api_endpoint` (e.g. https://api-na1.niceincontact.com); skips API discovery when set. */
  apiEndpoint?: string;
  /** The registered application (password grant only; unused with `access-key`). */
  clientId: string;
  clientSecret: Secret;
  accessKeyId: string;
  accessKeySecret: Secret;
  /** Per endpoint, e.g. { skills: "v30.0", generalSettings: "v30.0" }. */
  apiVersions: Record<CxoneEndpoint, string>;
  rateLimitPerMinute: number;
}

const ENV_SUFFIX: Record<CxoneEndpoint, string> = { skills: "SKILLS", generalSettings: "GENERAL_SETTINGS" };

/** No flags here: the cxone settings come from the environment only. */
function pick(env: Env, name: string): string | undefined {
  return pickSetting(undefined, env, name);
}

function required(env: Env, name: string, what: string): string {
  const value = pick(env, name);
  if (value === undefined) throw new InputError("CONFIG_MISSING", `${name} must be set (${what})`, name);
  return value;
}

/** A secret that is not needed in this mode: an empty one when unset (never required, never logged). */
function readOptionalSecret(env: Env, name: string): Secret {
  if (pick(env, name) === undefined && pick(env, `${name}_FILE`) === undefined) return new Secret("");
  return readSecret(env, name, "unused with CXONE_AUTH=access-key");
}

/** `30`, `v30`, `30.0` or `v30.0` → `v30.0`. */
export function parseApiVersion(name: string, value: string): string {
  const match = /^v?(\d{1,3})(?:\.0)?$/i.exec(value.trim());
  if (!match) throw invalid(name, `expected an Admin API version such as "v30.0", got "${value}"`);
  return `v${Number(match[1])}.0`;
}

export function loadCxoneConfig(env: Env): CxoneConfig {
  const discoveryUrl = parseUrl(
    "CXONE_DISCOVERY_URL",
    pick(env, "CXONE_DISCOVERY_URL") ?? DEFAULT_DISCOVERY_URL,
    env,
  );
  const apiText = pick(env, "CXONE_API_BASE_URL");
  const apiEndpoint = apiText === undefined ? undefined : parseUrl("CXONE_API_BASE_URL", apiText, env);
  const tokenText = pick(env, "CXONE_TOKEN_URL");
  const tokenUrl = tokenText === undefined ? undefined : parseUrl("CXONE_TOKEN_URL", tokenText, env);
  const tenantId = pick(env, "CXONE_TENANT_ID");
  if (tenantId === undefined && apiEndpoint === undefined) {
    throw new InputError(
      "CONFIG_MISSING",
      "CXONE_TENANT_ID must be set (it finds the tenant's API host), or CXONE_API_BASE_URL to name that host directly",
      "CXONE_TENANT_ID",
    );
  }
  const allVersions = pick(env, "CXONE_API_VERSION");
  const fallback =
    allVersions === undefined ? DEFAULT_API_VERSION : parseApiVersion("CXONE_API_VERSION", allVersions);
  const apiVersions = {} as Record<CxoneEndpoint, string>;
  for (const endpoint of CXONE_ENDPOINTS) {
    const name = `CXONE_API_VERSION_${ENV_SUFFIX[endpoint]}`;
    const text = pick(env, name);
    apiVersions[endpoint] = text === undefined ? fallback : parseApiVersion(name, text);
  }
  const rateText = pick(env, "CXONE_RATE_LIMIT");
  const authText = pick(env, "CXONE_AUTH") ?? "password";
  if (!(CXONE_AUTH_MODES as readonly string[]).includes(authText)) {
    throw invalid("CXONE_AUTH", `expected "password" or "access-key", got "${authText}"`);
  }
  const auth = authText as CxoneAuthMode;
  const application =
    auth === "access-key"
      ? { clientId: "", clientSecret: readOptionalSecret(env, "CXONE_CLIENT_SECRET") }
      : {
          clientId: required(env, "CXONE_CLIENT_ID", "the id of the application registered with NICE"),
          clientSecret: readSecret(env, "CXONE_CLIENT_SECRET", "the registered application's secret"),
        };
  return {
    auth,
    discoveryUrl,
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(tokenUrl === undefined ? {} : { tokenUrl }),
    ...(apiEndpoint === undefined ? {} : { apiEndpoint }),
    ...application,
    accessKeyId: required(env, "CXONE_ACCESS_KEY_ID", "the API user's access key id"),
    accessKeySecret: readSecret(env, "CXONE_ACCESS_KEY_SECRET", "the API user's access key secret"),
    apiVersions,
    rateLimitPerMinute:
      rateText === undefined ? DEFAULT_RATE_LIMIT_PER_MINUTE : parseRateLimit("CXONE_RATE_LIMIT", rateText),
  };
}
