import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";

/** Rules every seeded campaign starts from, valid under US_TCPA with ENTERPRISE. */
export const VALID = {
  dialingMethod: "PREDICTIVE" as const,
  retrySettings: { maxAttempts: 2, intervalMinutes: [60, 240] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
  maxCallsPerAgent: 2,
};

export const CHANGE = `profiles: [US_TCPA]
licenseTier: ENTERPRISE
campaigns:
  - id: CMP-10001
    dialingRules: {dialingMethod: PROGRESSIVE, maxCallsPerAgent: 1}
  - id: CMP-10002
    dialingRules: {maxCallsPerAgent: 3}
`;
export const INVALID = `${CHANGE}  - id: CMP-10003
    dialingRules: {abandonmentRateThreshold: {maxRate: 0.05, coolDownSec: 300}}
`;

export interface SimFixture {
  sim: SimHandle;
  dir: string;
  /** Writes a file into the test's directory and returns its path. */
  file(name: string, text: string): string;
  /** The PATCH requests the simulator has seen. */
  patches(): SimHandle["log"];
}

/** A fresh 12-campaign simulator (all campaigns VALID) and temporary directory for each test. */
export function useSimFixture(): SimFixture {
  const fixture = {
    file(name: string, text: string) {
      const path = join(fixture.dir, name);
      writeFileSync(path, text);
      return path;
    },
    patches: () => fixture.sim.log.filter((e) => e.method === "PATCH"),
  } as SimFixture;
  beforeEach(async () => {
    fixture.sim = await startSimulator({ campaigns: 12, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    for (const c of fixture.sim.listCampaigns()) fixture.sim.editCampaign(c.id, VALID);
    fixture.dir = mkdtempSync(join(tmpdir(), "dialrules-cli-"));
  });
  afterEach(async () => {
    await fixture.sim.stop();
    rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
