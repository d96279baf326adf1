import { Secret } from "../../src/http/secret.js";
import type { PlatformConfig } from "../../src/platform/config.js";
import type { SimHandle } from "../../src/sim/types.js";

/** Always returns the same value: pins jitter so retry timing is reproducible. */
export const fixedRandom = (value: number) => () => value;

export function configFor(sim: SimHandle, overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  return {
    apiBaseUrl: sim.apiBase,
    tokenUrl: sim.tokenUrl,
    clientId: "demo",
    clientSecret: new Secret("demo-secret"),
    scopes: ["outbound:campaign:read", "outbound:campaign:write", "outbound:rules:write"],
    rateLimitPerMinute: 100,
    clientAuth: "basic",
    ...overrides,
  };
}

export function requestsTo(sim: SimHandle, method: string, pathPrefix: string) {
  return sim.log.filter((e) => e.method === method && e.path.startsWith(pathPrefix));
}
