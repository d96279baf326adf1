import { InputError } from "../domain/errors.js";
import type { HttpObserver } from "../http/events.js";
import type { RequestLimiter } from "../http/rate-limiter.js";
import { loadPlatformConfig } from "./config.js";
import { loadCxoneConfig } from "./cxone/config.js";
import { createCxonePlatform } from "./cxone/cxone-platform.js";
import { loadGenesysConfig } from "./genesys/config.js";
import { createGenesysPlatform } from "./genesys/genesys-platform.js";
import { PLATFORM_NAMES } from "./names.js";
import type { Platform } from "./platform.js";
import { createV2Platform } from "./v2/v2-platform.js";

export interface PlatformWiring {
  env?: NodeJS.ProcessEnv;
  observer?: HttpObserver;
  /** A request budget shared beyond this process (serve replicas on PostgreSQL); default: per process. */
  limiter?: RequestLimiter;
}

/**
 * The one place that knows which drivers exist. The engine only sees the Platform interface.
 * Configuration comes from the environment (see README, "Configuration").
 */
export async function openPlatform(name: string | undefined, wiring: PlatformWiring = {}): Promise<Platform> {
  const env = wiring.env ?? process.env;
  const chosen = name ?? env.DIALRULES_PLATFORM ?? "v2";
  switch (chosen) {
    case "v2": {
      if (!env.CXONE_CLIENT_ID) {
        throw new InputError(
          "PLATFORM_NOT_CONFIGURED",
          "no platform configured: set CXONE_API_BASE_URL, CXONE_TOKEN_URL, CXONE_CLIENT_ID and CXONE_CLIENT_SECRET (or run `dialrules sim` and use the variables it prints, or try `dialrules demo`)",
          "CXONE_CLIENT_ID",
        );
      }
      return createV2Platform(loadPlatformConfig(env), {
        observer: wiring.observer,
        limiter: wiring.limiter,
      });
    }
    case "cxone":
      // Variables: docs/platforms/cxone.md#configuration (`dialrules sim --mode cxone` prints a working set).
      return createCxonePlatform(loadCxoneConfig(env), {
        observer: wiring.observer,
        limiter: wiring.limiter,
      });
    case "genesys":
      // Variables: docs/platforms/genesys.md#configuration (`dialrules sim --mode genesys` prints a working set).
      return createGenesysPlatform(loadGenesysConfig(env), {
        observer: wiring.observer,
        limiter: wiring.limiter,
      });
    default:
      throw new InputError(
        "PLATFORM_UNKNOWN",
        `unknown platform "${chosen}"; choose one of ${PLATFORM_NAMES.join(", ")}`,
        "platform",
      );
  }
}
