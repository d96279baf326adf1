import { v2ConfigFor } from "../../src/embedded/embedded-sim.js";
import type { PlatformConfig } from "../../src/platform/config.js";
import type { SimHandle } from "../../src/sim/types.js";

/** Always returns the same value: pins jitter so retry timing is reproducible. */
export const fixedRandom = (value: number) => () => value;

export function configFor(sim: SimHandle, overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  return { ...v2ConfigFor(sim, 100), ...overrides };
}

export function requestsTo(sim: SimHandle, method: string, pathPrefix: string) {
  return sim.log.filter((e) => e.method === method && e.path.startsWith(pathPrefix));
}
