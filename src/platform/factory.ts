import { InputError } from "../domain/errors.js";
import type { HttpObserver } from "../http/events.js";
import { loadPlatformConfig, V2_PREFIX, v2DeprecationNote, v2Environment } from "./config.js";
import { loadCxoneConfig } from "./cxone/config.js";
import { createCxonePlatform } from "./cxone/cxone-platform.js";
import type { DriverDeps } from "./driver-deps.js";
import { loadGenesysConfig } from "./genesys/config.js";
import { createGenesysPlatform } from "./genesys/genesys-platform.js";
import { PLATFORM_NAMES } from "./names.js";
import type { Platform } from "./platform.js";
import { createV2Platform } from "./v2/v2-platform.js";

export interface PlatformWiring {
  env?: NodeJS.ProcessEnv;
  observer?: HttpObserver;
  /** Makes the limiter of the platform's configured budget (see DriverDeps.createLimiter). */
  createLimiter?: DriverDeps["createLimiter"];
  /** Where a configuration note goes (the v2 driver's deprecated variable names); default stderr. */
  warn?: (line: string) => void;
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
      // Variables: README, "Configuration" (DIALRULES_V2_*; the old CXONE_* names still work, with a note).
      const v2 = v2Environment(env);
      if (!v2.env[`${V2_PREFIX}CLIENT_ID`]?.trim()) {
        throw new InputError(
          "PLATFORM_NOT_CONFIGURED",
          `no platform configured: set ${V2_PREFIX}API_BASE_URL, ${V2_PREFIX}TOKEN_URL, ${V2_PREFIX}CLIENT_ID and ${V2_PREFIX}CLIENT_SECRET (or run \`dialrules sim\` and use the variables it prints, or try \`dialrules demo\`)`,
          `${V2_PREFIX}CLIENT_ID`,
        );
      }
      const note = v2DeprecationNote(v2.deprecated);
      if (note) (wiring.warn ?? ((line: string) => process.stderr.write(`${line}\n`)))(note);
      return createV2Platform(loadPlatformConfig(v2.env, {}, V2_PREFIX), {
        observer: wiring.observer,
        createLimiter: wiring.createLimiter,
      });
    }
    case "cxone":
      // Variables: docs/platforms/cxone.md#configuration (`dialrules sim --mode cxone` prints a working set).
      return createCxonePlatform(loadCxoneConfig(env), {
        observer: wiring.observer,
        createLimiter: wiring.createLimiter,
      });
    case "genesys":
      // Variables: docs/platforms/genesys.md#configuration (`dialrules sim --mode genesys` prints a working set).
      return createGenesysPlatform(loadGenesysConfig(env), {
        observer: wiring.observer,
        createLimiter: wiring.createLimiter,
      });
    default:
      throw new InputError(
        "PLATFORM_UNKNOWN",
        `unknown platform "${chosen}"; choose one of ${PLATFORM_NAMES.join(", ")}`,
        "platform",
      );
  }
}
