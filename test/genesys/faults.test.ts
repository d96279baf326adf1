/**
 * The genesys mode with the simulator's faults (lost replies of applied PUTs, 503s, a concurrent editor):
 * apply converges, nothing is applied twice, and a second plan shows no changes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evenSchedule } from "../../src/platform/even-spacing.js";
import { attemptLimitsBody, retryOf } from "../../src/platform/genesys/mapping.js";
import { apply, driver, genesysSim, plan, requestsTo } from "./helpers.js";

const RULES = `profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:
  - match: "Sales-Renewals-*"
    dialingRules: {dialingMethod: PROGRESSIVE, maxCallsPerAgent: 2, abandonmentRateThreshold: {maxRate: 0.02, coolDownSec: 0}}
  - match: "Collections-*"
    dialingRules: {retrySettings: {maxAttempts: 3, intervalMinutes: [40, 80, 120]}}
`;

describe("genesys mode under faults", () => {
  it("lost replies and 503s: apply converges without writing twice; the next plan has nothing to change", async () => {
    const sim = await genesysSim({ campaigns: 40, seed: 7 });
    const platform = driver(sim, { retry: { maxAttempts: 8, baseMs: 1, capMs: 5 } });
    const first = await plan(platform, RULES);
    expect(first.summary.toChange).toBeGreaterThan(0);
    sim.setFaults({ lostResponseEvery: 3, serverErrorRate: 0.1, serverErrorStatus: 503 });
    const { result } = await apply(platform, first);
    expect(result.counts.failed).toBe(0);
    sim.setFaults({});
    expect(sim.log.some((e) => e.status === "lost")).toBe(true);
    expect(sim.log.some((e) => e.fault === "server-error")).toBe(true);
    const second = await plan(platform, RULES);
    expect(second.summary).toMatchObject({ toChange: 0, invalid: 0 });
    // Every campaign PUT that reached the store changed something: none was a blind repeat of an applied one.
    const applied = requestsTo(sim, "PUT", "/campaigns/").filter(
      (e) => e.status === 200 || e.status === "lost",
    );
    const perCampaign = new Map<string, number>();
    for (const e of applied) perCampaign.set(e.path, (perCampaign.get(e.path) ?? 0) + 1);
    expect(Math.max(...perCampaign.values())).toBe(1);
  });
});

describe("genesys retry mapping", () => {
  it("any evenly spaced schedule (d ≥ 5) survives write → read unchanged, and unknown recall entries are kept", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 5, max: 1440 }), (n, d) => {
        const limits = {
          id: "a",
          version: 3,
          name: "AL",
          maxAttemptsPerContact: 2,
          recallEntries: { other: { z: 1 } },
        };
        const retry = { maxAttempts: n, intervalMinutes: evenSchedule(n, d) };
        const body = attemptLimitsBody(limits, retry) ?? limits;
        expect(retryOf(body)).toEqual(retry);
        expect(body.recallEntries?.other).toEqual({ z: 1 });
        expect(body.version).toBe(3);
      }),
    );
  });
});
