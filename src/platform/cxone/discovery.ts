/**
 * Finding a tenant's hosts: the token endpoint from `/.well-known/openid-configuration` and the API host
 * from `/.well-known/cxone-configuration?tenantId=…` (both on the global discovery host). Each is skipped
 * when configured. Runs once, on first use, shared by every caller; a failure is not cached, so the next
 * call tries again.
 */
import type { z } from "zod";
import type { Clock } from "../../clock/clock.js";
import { HttpClient } from "../../http/client.js";
import type { HttpObserver } from "../../http/events.js";
import { noRateLimit } from "../../http/rate-limiter.js";
import type { RandomSource, RetryPolicy } from "../../http/retry.js";
import { UnexpectedResponseError } from "../errors.js";
import { describeIssues } from "../v2/schemas.js";
import type { CxoneConfig } from "./config.js";
import { cxoneConfigurationSchema, openIdConfigurationSchema } from "./schemas.js";

export interface CxoneEndpoints {
  tokenUrl: string;
  /** From the openid document; oauth4webapi checks an id_token's `iss` against it. */
  issuer?: string;
  /** The tenant's API host, e.g. https://api-na1.niceincontact.com (no path). */
  apiEndpoint: string;
}

export interface DiscoveryDeps {
  clock: Clock;
  observer?: HttpObserver;
  random?: RandomSource;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
}

export async function discoverEndpoints(
  config: CxoneConfig,
  deps: DiscoveryDeps,
  signal?: AbortSignal,
): Promise<CxoneEndpoints> {
  // Unauthenticated and on another host than the API, so it does not spend the API budget.
  const http = new HttpClient({
    baseUrl: config.discoveryUrl,
    limiter: noRateLimit,
    clock: deps.clock,
    observer: deps.observer,
    random: deps.random,
    retry: deps.retry,
    timeoutMs: deps.timeoutMs,
    userAgent: "dialrules-cxone",
  });
  let tokenUrl = config.tokenUrl;
  let issuer: string | undefined;
  if (tokenUrl === undefined) {
    const route = "/.well-known/openid-configuration";
    const res = await http.request({ method: "GET", path: route, route, signal });
    const doc = parse(openIdConfigurationSchema, res.body, `GET ${config.discoveryUrl}${route}`, res.status);
    tokenUrl = doc.token_endpoint;
    issuer = doc.issuer;
  }
  let apiEndpoint = config.apiEndpoint;
  if (apiEndpoint === undefined) {
    const route = "/.well-known/cxone-configuration";
    // loadCxoneConfig guarantees a tenant id whenever the API endpoint is not configured.
    const tenantId = config.tenantId ?? "";
    const res = await http.request({ method: "GET", path: route, route, query: { tenantId }, signal });
    const doc = parse(cxoneConfigurationSchema, res.body, `GET ${config.discoveryUrl}${route}`, res.status);
    apiEndpoint = doc.api_endpoint.replace(/\/+$/, "");
  }
  return { tokenUrl, apiEndpoint, ...(issuer === undefined ? {} : { issuer }) };
}

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string, status: number): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new UnexpectedResponseError(
    `${what} answered an unusable discovery document: ${describeIssues(result.error)}`,
    status,
  );
}

/** Runs `load` once for all concurrent callers; a rejection is forgotten so a later call retries. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (!pending) {
      pending = load();
      pending.catch(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}
