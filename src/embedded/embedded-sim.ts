/**
 * A simulator started in this process with a driver already pointed at it, for `demo` and for `serve`
 * without a configured platform (and the tests and benchmarks). Its own module because it wires a driver to
 * the simulator: production platform code never imports the simulator, and src/sim knows no driver. Only
 * composition roots (src/cli, src/server, src/bench) import it. The credentials are the simulator's
 * built-in demo client and access key.
 */
import { Secret } from "../http/secret.js";
import type { PlatformConfig } from "../platform/config.js";
import type { CxoneConfig } from "../platform/cxone/config.js";
import { type CxonePlatformDeps, createCxonePlatform } from "../platform/cxone/cxone-platform.js";
import type { GenesysConfig } from "../platform/genesys/config.js";
import { createGenesysPlatform, type GenesysPlatformDeps } from "../platform/genesys/genesys-platform.js";
import type { Platform } from "../platform/platform.js";
import { createV2Platform, type V2PlatformDeps } from "../platform/v2/v2-platform.js";
import type { CxoneSimHandle } from "../sim/cxone/types.js";
import type { GenesysSimHandle } from "../sim/genesys/types.js";
import { startSimulator } from "../sim/server.js";
import type { SimHandle } from "../sim/types.js";

export interface EmbeddedOptions {
  /** Seeded campaigns (v2) or skills (cxone). */
  campaigns: number;
  /** The simulator's per-client budget, and the driver's configured budget to match. */
  rateLimitPerMinute: number;
}

export interface Embedded<H> {
  sim: H;
  platform: Platform;
}

/** Driver configuration for a v2 simulator's built-in demo client, with all three scopes. */
export function v2ConfigFor(
  sim: Pick<SimHandle, "apiBase" | "tokenUrl">,
  rateLimitPerMinute: number,
): PlatformConfig {
  return {
    apiBaseUrl: sim.apiBase,
    tokenUrl: sim.tokenUrl,
    clientId: "demo",
    clientSecret: new Secret("demo-secret"),
    scopes: ["outbound:campaign:read", "outbound:campaign:write", "outbound:rules:write"],
    rateLimitPerMinute,
    clientAuth: "basic",
  };
}

/** Driver configuration for a cxone simulator's built-in client and access key, found through discovery. */
export function cxoneConfigFor(sim: CxoneSimHandle, rateLimitPerMinute: number): CxoneConfig {
  return {
    discoveryUrl: sim.url,
    tenantId: sim.tenantId,
    clientId: "demo",
    clientSecret: new Secret("demo-secret"),
    accessKeyId: "demo-key",
    accessKeySecret: new Secret("demo-key-secret"),
    apiVersions: { skills: "v30.0", generalSettings: "v30.0" },
    rateLimitPerMinute,
  };
}

/** The v2 simulator (seed 1) and a v2 driver with all three scopes. */
export async function startEmbeddedV2(
  options: EmbeddedOptions,
  deps: V2PlatformDeps = {},
): Promise<Embedded<SimHandle>> {
  const sim = await startSimulator({
    campaigns: options.campaigns,
    seed: 1,
    rateLimitPerMinute: options.rateLimitPerMinute,
  });
  const platform = createV2Platform(v2ConfigFor(sim, options.rateLimitPerMinute), deps);
  return { sim, platform };
}

/** The cxone simulator (seed 1) and a cxone driver that finds it through discovery. */
export async function startEmbeddedCxone(
  options: EmbeddedOptions,
  deps: CxonePlatformDeps = {},
): Promise<Embedded<CxoneSimHandle>> {
  const sim = await startSimulator({
    mode: "cxone",
    skills: options.campaigns,
    seed: 1,
    rateLimitPerMinute: options.rateLimitPerMinute,
  });
  const platform = createCxonePlatform(cxoneConfigFor(sim, options.rateLimitPerMinute), deps);
  return { sim, platform };
}

/** Driver configuration for a genesys simulator's built-in demo client. */
export function genesysConfigFor(sim: GenesysSimHandle, rateLimitPerMinute: number): GenesysConfig {
  return {
    apiBaseUrl: sim.apiBaseUrl,
    tokenUrl: sim.tokenUrl,
    clientId: "demo",
    clientSecret: new Secret("demo-secret"),
    rateLimitPerMinute,
  };
}

/** The genesys simulator (seed 1) and a genesys driver pointed at it. */
export async function startEmbeddedGenesys(
  options: EmbeddedOptions,
  deps: GenesysPlatformDeps = {},
): Promise<Embedded<GenesysSimHandle>> {
  const sim = await startSimulator({
    mode: "genesys",
    campaigns: options.campaigns,
    seed: 1,
    rateLimitPerMinute: options.rateLimitPerMinute,
  });
  const platform = createGenesysPlatform(genesysConfigFor(sim, options.rateLimitPerMinute), deps);
  return { sim, platform };
}
