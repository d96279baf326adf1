import { afterEach } from "vitest";
import type { Clock } from "../../src/clock/clock.js";
import { cxoneConfigFor } from "../../src/embedded/embedded-sim.js";
import { noRateLimit, type RequestLimiter } from "../../src/http/rate-limiter.js";
import type { CxoneConfig } from "../../src/platform/cxone/config.js";
import { type CxonePlatformDeps, createCxonePlatform } from "../../src/platform/cxone/cxone-platform.js";
import type { Platform } from "../../src/platform/platform.js";
import type { CxoneSimHandle, CxoneSimOptions } from "../../src/sim/cxone/types.js";
import { startSimulator } from "../../src/sim/server.js";

export const fixedRandom = (value: number) => () => value;

const sims: CxoneSimHandle[] = [];
const platforms: Platform[] = [];

/** Starts a cxone-mode simulator that is stopped after the test. */
export async function cxoneSim(opts: Partial<Omit<CxoneSimOptions, "mode">> = {}): Promise<CxoneSimHandle> {
  const handle = await startSimulator({ mode: "cxone", skills: 12, runningSkillIds: [], ...opts });
  sims.push(handle);
  return handle;
}

afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

export function configFor(sim: CxoneSimHandle, overrides: Partial<CxoneConfig> = {}): CxoneConfig {
  return { ...cxoneConfigFor(sim, 100), ...overrides };
}

/** A driver against `sim`, closed after the test; no client-side budget unless one is given. */
export function driver(
  sim: CxoneSimHandle,
  deps: CxonePlatformDeps & { clock?: Clock; limiter?: RequestLimiter } = {},
  overrides: Partial<CxoneConfig> = {},
): Platform {
  const platform = createCxonePlatform(configFor(sim, overrides), { limiter: noRateLimit, ...deps });
  platforms.push(platform);
  return platform;
}

export function requestsTo(sim: CxoneSimHandle, method: string, pathPart: string) {
  return sim.log.filter((e) => e.method === method && e.path.includes(pathPart));
}

/**
 * Personal Connection skills of the simulator that the driver lists as campaigns: agentless and SMS skills
 * and skills without retry defaults are left alone (listed as not managed).
 */
export function pcSkills(sim: CxoneSimHandle) {
  return sim
    .listSkills()
    .filter(
      (s) =>
        s.outboundStrategy === "Personal Connection" &&
        !s.agentless &&
        s.smsTransportCodeId === null &&
        s.generalSettings.maximumAttempts !== null,
    );
}
