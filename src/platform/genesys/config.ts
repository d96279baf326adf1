/**
 * Connection settings of the `genesys` driver, from the environment (docs/platforms/genesys.md#configuration).
 * Either GENESYS_REGION names the Genesys Cloud region (API on `api.{region}`, tokens on `login.{region}`),
 * or GENESYS_API_BASE_URL and GENESYS_TOKEN_URL name both hosts (the simulator). Every problem is an
 * InputError naming the variable; the secret is wrapped in `Secret` as soon as it is read.
 */
import { InputError } from "../../domain/errors.js";
import type { Secret } from "../../http/secret.js";
import { type Env, invalid, parseRateLimit, parseUrl, pick as pickSetting, readSecret } from "../config.js";

/** About 300 requests per minute per OAuth client (docs/platforms/genesys.md#rate-limits). */
export const GENESYS_DEFAULT_RATE_LIMIT_PER_MINUTE = 300;

/**
 * Regions of the public SDKs (platform-client-sdk-go platformclientv2/configuration.go). Others are
 * accepted when they look like a Genesys Cloud domain, since new regions appear before SDKs list them.
 */
export const GENESYS_REGIONS = [
  "mypurecloud.com",
  "mypurecloud.ie",
  "mypurecloud.de",
  "mypurecloud.jp",
  "mypurecloud.com.au",
  "usw2.pure.cloud",
  "cac1.pure.cloud",
  "euw2.pure.cloud",
  "aps1.pure.cloud",
  "apne2.pure.cloud",
  "apne3.pure.cloud",
  "apse1.pure.cloud",
  "euc2.pure.cloud",
  "sae1.pure.cloud",
  "mec1.pure.cloud",
  "mxc1.pure.cloud",
  "use2.us-gov-pure.cloud",
] as const;

export interface GenesysConfig {
  /** API host, e.g. https://api.mypurecloud.com; paths below it start with /api/v2. */
  apiBaseUrl: string;
  /** e.g. https://login.mypurecloud.com/oauth/token */
  tokenUrl: string;
  clientId: string;
  clientSecret: Secret;
  rateLimitPerMinute: number;
}

/** Plain http is for the local simulator only; no variable turns that off for this driver. */
const NO_OVERRIDES: Env = {};

/** https, or http to loopback only (the simulator): a token over plain http elsewhere could be read. */
function genesysUrl(name: string, value: string): string {
  try {
    return parseUrl(name, value, NO_OVERRIDES);
  } catch (err) {
    if (err instanceof InputError && /plain http/.test(err.message))
      throw invalid(name, "plain http is only allowed to localhost (the simulator); use https");
    throw err;
  }
}

function pick(env: Env, name: string): string | undefined {
  return pickSetting(undefined, env, name);
}

/** `mypurecloud.com`, `usw2.pure.cloud`, …; a URL or an `api.`/`login.` host gets advice instead. */
export function parseRegion(value: string): string {
  const region = value.trim().toLowerCase();
  if ((GENESYS_REGIONS as readonly string[]).includes(region)) return region;
  const hint = /^(https?:\/\/)?(api|login|apps)\./.test(region)
    ? ` (give the domain only, e.g. "mypurecloud.com", not the "api." or "login." host)`
    : "";
  if (hint === "" && /^([a-z0-9-]+\.)*(mypurecloud\.[a-z.]+|pure\.cloud|us-gov-pure\.cloud)$/.test(region))
    return region;
  throw invalid(
    "GENESYS_REGION",
    `"${value}" is not a Genesys Cloud region${hint}; known regions: ${GENESYS_REGIONS.join(", ")}`,
  );
}

export function loadGenesysConfig(env: Env): GenesysConfig {
  const regionText = pick(env, "GENESYS_REGION");
  const apiText = pick(env, "GENESYS_API_BASE_URL");
  const tokenText = pick(env, "GENESYS_TOKEN_URL");
  let apiBaseUrl: string;
  let tokenUrl: string;
  if (apiText !== undefined || tokenText !== undefined) {
    if (apiText === undefined || tokenText === undefined) {
      const missing = apiText === undefined ? "GENESYS_API_BASE_URL" : "GENESYS_TOKEN_URL";
      throw new InputError(
        "CONFIG_MISSING",
        `${missing} must be set too: GENESYS_API_BASE_URL and GENESYS_TOKEN_URL go together (or set GENESYS_REGION alone)`,
        missing,
      );
    }
    apiBaseUrl = genesysUrl("GENESYS_API_BASE_URL", apiText).replace(/\/api\/v2$/, "");
    tokenUrl = genesysUrl("GENESYS_TOKEN_URL", tokenText);
  } else if (regionText !== undefined) {
    const region = parseRegion(regionText);
    apiBaseUrl = `https://api.${region}`;
    tokenUrl = `https://login.${region}/oauth/token`;
  } else {
    throw new InputError(
      "CONFIG_MISSING",
      "GENESYS_REGION must be set (e.g. mypurecloud.com), or GENESYS_API_BASE_URL and GENESYS_TOKEN_URL",
      "GENESYS_REGION",
    );
  }
  const clientId = pick(env, "GENESYS_CLIENT_ID");
  if (clientId === undefined) {
    throw new InputError(
      "CONFIG_MISSING",
      "GENESYS_CLIENT_ID must be set (the id of an OAuth client with the Client Credentials grant)",
      "GENESYS_CLIENT_ID",
    );
  }
  const rateText = pick(env, "GENESYS_RATE_LIMIT");
  return {
    apiBaseUrl,
    tokenUrl,
    clientId,
    clientSecret: readSecret(env, "GENESYS_CLIENT_SECRET", "the OAuth client's secret"),
    rateLimitPerMinute:
      rateText === undefined
        ? GENESYS_DEFAULT_RATE_LIMIT_PER_MINUTE
        : parseRateLimit("GENESYS_RATE_LIMIT", rateText),
  };
}
