import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, systemClock } from "../../src/clock/clock.js";
import { parseRulesValue } from "../../src/domain/rules-file.js";
import { v2ConfigFor } from "../../src/embedded/embedded-sim.js";
import { type ApplyOptions, applyPlan } from "../../src/engine/apply.js";
import { createPlan } from "../../src/engine/plan.js";
import type { Plan } from "../../src/engine/plan-types.js";
import type { Platform } from "../../src/platform/platform.js";
import { createV2Platform } from "../../src/platform/v2/v2-platform.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle, SimOptions } from "../../src/sim/types.js";
import { openStore } from "../../src/store/open-store.js";
import type { SqlStore } from "../../src/store/types.js";
import { webhookEvent } from "../../src/webhook/events.js";

export interface Harness {
  sim: SimHandle;
  platform: Platform;
  store: SqlStore;
  dir: string;
  clock: Clock;
  close(): Promise<void>;
}

/** A simulator, a v2 client against it and a fresh SQLite store: the real pieces, wired as the CLI does. */
export async function harness(sim: SimOptions = {}, perMinute = 100_000): Promise<Harness> {
  const clock = sim.clock ?? systemClock;
  const handle = await startSimulator({ rateLimitPerMinute: perMinute, ...sim });
  const platform = createV2Platform(v2ConfigFor(handle, perMinute), { clock, random: () => 0.5 });
  const dir = mkdtempSync(join(tmpdir(), "dialrules-engine-"));
  const store = await openStore({ outboxEvent: webhookEvent, sqlitePath: join(dir, "dialrules.db"), clock });
  return {
    sim: handle,
    platform,
    store,
    dir,
    clock,
    async close() {
      await platform.close();
      await store.close();
      await handle.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A rules file from a plain object; `profiles: []` (structural checks only) unless the test names some. */
export function rulesFile(value: unknown) {
  return parseRulesValue({ profiles: [], ...(value as object) }, "test.yaml");
}

export async function planFor(h: Harness, file: unknown): Promise<Plan> {
  return createPlan({
    file: rulesFile(file),
    sourceText: JSON.stringify(file),
    platform: h.platform,
    clock: h.clock,
  });
}

export function applyOptions(overrides: Partial<ApplyOptions> = {}): ApplyOptions {
  return {
    runId: `run-${Math.random().toString(36).slice(2)}`,
    actor: "test",
    reason: "engine test",
    concurrency: 4,
    onConflict: "rebase",
    skipInvalid: false,
    ...overrides,
  };
}

export async function apply(h: Harness, plan: Plan, overrides: Partial<ApplyOptions> = {}) {
  return applyPlan(plan, applyOptions(overrides), { platform: h.platform, store: h.store, clock: h.clock });
}

/** Successful PATCHes per campaign id, from the simulator's log. */
export function patchesPerCampaign(
  sim: SimHandle,
  statuses: (number | string)[] = [200, 202, "lost"],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of sim.log) {
    if (e.method !== "PATCH" || !statuses.includes(e.status)) continue;
    const id = decodeURIComponent(e.path.split("/").pop() ?? "");
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
