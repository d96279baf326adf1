import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { systemClock } from "../../src/clock/clock.js";
import { parseRulesFile } from "../../src/domain/rules-file.js";
import { genesysConfigFor } from "../../src/embedded/embedded-sim.js";
import { type ApplyOptions, applyPlan } from "../../src/engine/apply.js";
import { createPlan } from "../../src/engine/plan.js";
import type { Plan } from "../../src/engine/plan-types.js";
import { noRateLimit } from "../../src/http/rate-limiter.js";
import type { GenesysConfig } from "../../src/platform/genesys/config.js";
import {
  createGenesysPlatform,
  type GenesysPlatformDeps,
} from "../../src/platform/genesys/genesys-platform.js";
import type { Platform } from "../../src/platform/platform.js";
import type { GenesysSimHandle, GenesysSimOptions, SimObject } from "../../src/sim/genesys/types.js";
import { startSimulator } from "../../src/sim/server.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import { webhookEvent } from "../../src/webhook/events.js";

const sims: GenesysSimHandle[] = [];
const platforms: Platform[] = [];
const stores: Store[] = [];

afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.close()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

/** A genesys-mode simulator (no campaign running unless asked), stopped after the test. */
export async function genesysSim(
  opts: Partial<Omit<GenesysSimOptions, "mode">> = {},
): Promise<GenesysSimHandle> {
  const handle = await startSimulator({
    mode: "genesys",
    campaigns: 24,
    runningCampaignIds: [],
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    ...opts,
  });
  sims.push(handle);
  return handle;
}

/** A driver against `sim`, closed after the test; no client-side budget unless one is given. */
export function driver(
  sim: GenesysSimHandle,
  deps: GenesysPlatformDeps = {},
  overrides: Partial<GenesysConfig> = {},
): Platform {
  const platform = createGenesysPlatform(
    { ...genesysConfigFor(sim, 300), ...overrides },
    { limiter: noRateLimit, random: () => 0.5, ...deps },
  );
  platforms.push(platform);
  return platform;
}

export async function sqliteStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), "dialrules-genesys-"));
  const store = await openStore({ outboxEvent: webhookEvent, sqlitePath: join(dir, "audit.db") });
  stores.push(store);
  return store;
}

export function plan(platform: Platform, text: string): Promise<Plan> {
  return createPlan({
    file: parseRulesFile(text, "rules.yaml"),
    sourceText: text,
    platform,
    clock: systemClock,
  });
}

export async function apply(platform: Platform, p: Plan, overrides: Partial<ApplyOptions> = {}) {
  const store = await sqliteStore();
  const result = await applyPlan(
    p,
    {
      runId: `run-${Math.random().toString(36).slice(2)}`,
      actor: "test",
      reason: "genesys test",
      concurrency: 4,
      onConflict: "rebase",
      skipInvalid: true,
      ...overrides,
    },
    { platform, store, clock: systemClock },
  );
  return { result, store };
}

/** Managed campaigns (not agentless or external) of the simulator. */
export function managed(sim: GenesysSimHandle): SimObject[] {
  return sim.listCampaigns().filter((c) => c.dialingMode !== "agentless" && c.dialingMode !== "external");
}

export function requestsTo(sim: GenesysSimHandle, method: string, pathPart: string) {
  return sim.log.filter((e) => e.method === method && e.path.includes(pathPart));
}
