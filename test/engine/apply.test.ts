import { afterEach, describe, expect, it } from "vitest";
import { ScaledClock } from "../../src/clock/clock.js";
import type { DialingRules } from "../../src/domain/rules.js";
import { UNDER_MUTATION } from "../setup/property-runs.js";
import { apply, type Harness, harness, patchesPerCampaign, planFor } from "./harness.js";

const VALID: DialingRules = {
  dialingMethod: "PREDICTIVE",
  retrySettings: { maxAttempts: 2, intervalMinutes: [60, 240] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
  maxCallsPerAgent: 2,
};
// Lifts the lines-per-agent ceiling so that whatever the simulator's editor writes stays valid after a merge.
const LIFT_CEILING = [
  { limit: "maxCallsPerAgent.PROGRESSIVE", value: 100, reason: "test: editor may set any value" },
  { limit: "maxCallsPerAgent.PREDICTIVE", value: 100, reason: "test: editor may set any value" },
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function resetCampaigns(hh: Harness, ids: string[], rules: DialingRules = VALID) {
  for (const id of ids) hh.sim.editCampaign(id, rules);
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `CMP-${10001 + i}`);

describe("apply with a concurrent writer", () => {
  it("rebases over a change of another field: both changes survive", async () => {
    h = await harness({ campaigns: 3 });
    resetCampaigns(h, ["CMP-10001"]);
    const plan = await planFor(h, {
      licenseTier: "ENTERPRISE",
      campaigns: [{ id: "CMP-10001", dialingRules: { dialingMethod: "PROGRESSIVE" } }],
    });
    expect(plan.summary).toMatchObject({ toChange: 1, invalid: 0 });
    h.sim.editCampaign("CMP-10001", { maxCallsPerAgent: 3 }); // the other writer, after our plan

    const result = await apply(h, plan);

    expect(result.counts.applied).toBe(1);
    expect(result.results[0]?.note).toMatch(/rebased over a concurrent change of maxCallsPerAgent/);
    const final = h.sim.getCampaign("CMP-10001")!;
    expect(final.dialingRules.dialingMethod).toBe("PROGRESSIVE");
    expect(final.dialingRules.maxCallsPerAgent).toBe(3);
    expect(h.sim.log.filter((e) => e.method === "PATCH").map((e) => e.status)).toEqual([409, 200]);
  });

  it("reports a conflict on the same field and does not write ours", async () => {
    h = await harness({ campaigns: 3 });
    resetCampaigns(h, ["CMP-10001"]);
    const plan = await planFor(h, {
      licenseTier: "ENTERPRISE",
      campaigns: [{ id: "CMP-10001", dialingRules: { dialingMethod: "PROGRESSIVE" } }],
    });
    h.sim.editCampaign("CMP-10001", { dialingMethod: "POWER" });

    const result = await apply(h, plan);

    expect(result.counts.conflict).toBe(1);
    expect(result.results[0]?.conflicts).toEqual([
      { field: "dialingMethod", base: "PREDICTIVE", ours: "PROGRESSIVE", theirs: "POWER" },
    ]);
    expect(h.sim.getCampaign("CMP-10001")!.dialingRules.dialingMethod).toBe("POWER");
    const [record] = await h.store.audit.list({ campaignId: "CMP-10001" });
    expect(record).toMatchObject({
      outcome: "conflict",
      conflicts: [{ field: "dialingMethod", ours: "PROGRESSIVE", theirs: "POWER" }],
    });
  });

  it("--on-conflict overwrite writes ours and records last-writer-wins", async () => {
    h = await harness({ campaigns: 3 });
    resetCampaigns(h, ["CMP-10001"]);
    const plan = await planFor(h, {
      licenseTier: "ENTERPRISE",
      campaigns: [{ id: "CMP-10001", dialingRules: { dialingMethod: "PROGRESSIVE" } }],
    });
    h.sim.editCampaign("CMP-10001", { dialingMethod: "POWER" });

    const result = await apply(h, plan, { onConflict: "overwrite" });

    expect(result.counts.overwritten).toBe(1);
    expect(h.sim.getCampaign("CMP-10001")!.dialingRules.dialingMethod).toBe("PROGRESSIVE");
    const [record] = await h.store.audit.list({ campaignId: "CMP-10001" });
    expect(record).toMatchObject({ outcome: "overwritten", writeMode: "overwrite" });
  });

  it("--on-conflict abort stops at the first conflict", async () => {
    h = await harness({ campaigns: 4 });
    resetCampaigns(h, ids(3));
    const plan = await planFor(h, {
      licenseTier: "ENTERPRISE",
      campaigns: ids(3).map((id) => ({ id, dialingRules: { dialingMethod: "PROGRESSIVE" } })),
    });
    for (const id of ids(3)) h.sim.editCampaign(id, { dialingMethod: "POWER" });

    const result = await apply(h, plan, { onConflict: "abort", concurrency: 1 });

    expect(result.counts.conflict).toBe(1);
    expect(result.results).toHaveLength(1);
    expect(h.sim.log.filter((e) => e.method === "PATCH")).toHaveLength(1);
  });

  it("the simulator's random concurrent editor never loses a change, ours or theirs", async () => {
    h = await harness({ campaigns: 40, seed: 11 });
    resetCampaigns(h, ids(40));
    const plan = await planFor(h, {
      licenseTier: "ENTERPRISE",
      overrides: LIFT_CEILING,
      campaigns: [{ match: "*", dialingRules: { dialingMethod: "PROGRESSIVE" } }],
    });
    expect(plan.summary.toChange).toBe(40);
    h.sim.setFaults({ concurrentEditRate: 0.5 });

    const result = await apply(h, plan, { concurrency: 4 });

    expect(result.counts.applied).toBe(40);
    const [record] = await h.store.audit.list({ campaignId: "CMP-10001" });
    expect(record?.overrides).toEqual([
      { limit: "maxCallsPerAgent.PROGRESSIVE", value: 100, reason: "test: editor may set any value" },
      { limit: "maxCallsPerAgent.PREDICTIVE", value: 100, reason: "test: editor may set any value" },
    ]);
    const edits = h.sim.log.flatMap((e) => (e.concurrentEdit ? [e.concurrentEdit] : []));
    expect(edits.length).toBeGreaterThan(5);
    for (const id of ids(40)) {
      const final = h.sim.getCampaign(id)!.dialingRules;
      expect(final.dialingMethod).toBe("PROGRESSIVE");
      const lastEdit = (field: string) =>
        edits.filter((e) => e.campaignId === id && e.field === field).at(-1);
      const calls = lastEdit("maxCallsPerAgent");
      expect(final.maxCallsPerAgent).toBe(calls ? Number(calls.value) : VALID.maxCallsPerAgent);
      const cool = lastEdit("abandonmentRateThreshold.coolDownSec");
      expect(final.abandonmentRateThreshold.coolDownSec).toBe(cool ? Number(cool.value) : 300);
    }
  });
});

describe("apply with lost replies", () => {
  it("every 3rd write's reply lost: final state right, one write per campaign, revision +1 each", async () => {
    h = await harness({ campaigns: 30, faults: { lostResponseEvery: 3 } });
    resetCampaigns(h, ids(30));
    const plan = await planFor(h, {
      licenseTier: "ENTERPRISE",
      campaigns: [{ match: "*", dialingRules: { dialingMethod: "PROGRESSIVE", maxCallsPerAgent: 1 } }],
    });
    expect(plan.summary.toChange).toBe(30);

    const result = await apply(h, plan);

    expect(result.counts.applied).toBe(30);
    expect(h.sim.log.filter((e) => e.status === "lost")).toHaveLength(10);
    expect(result.results.filter((r) => r.note?.includes("recognised as applied"))).toHaveLength(10);
    const writes = patchesPerCampaign(h.sim, [200, 202, "lost", 409, 500, 502, 503, 504]);
    for (const c of plan.campaigns) {
      expect(writes.get(c.id), c.id).toBe(1);
      const final = h.sim.getCampaign(c.id)!;
      expect(final.revision).toBe(c.revision + 1);
      expect(final.dialingRules).toMatchObject({ dialingMethod: "PROGRESSIVE", maxCallsPerAgent: 1 });
    }
    expect((await h.store.journal.inDoubt()).length).toBe(0);
    expect(await h.store.audit.verify()).toMatchObject({ ok: true });
  });
});

describe("apply at scale with faults", () => {
  // A scale check (12 s): under mutation testing the smaller apply tests above cover the same code.
  it.skipIf(UNDER_MUTATION)("1,000 campaigns at 6,000/min with 5% 503s converge with zero 429s", async () => {
    const clock = new ScaledClock(4);
    h = await harness(
      { campaigns: 1000, clock, faults: { serverErrorRate: 0.05, serverErrorStatus: 503 } },
      6000,
    );
    const desired = { dialingMethod: "PROGRESSIVE", maxCallsPerAgent: 1, ...pick(VALID) };
    const plan = await planFor(h, {
      licenseTier: "ENTERPRISE",
      campaigns: [{ match: "*", dialingRules: desired }],
    });
    expect(plan.summary.invalid).toBe(0);

    const result = await apply(h, plan, { concurrency: 8 });

    expect(result.counts.failed).toBe(0);
    expect(result.counts.applied).toBe(plan.summary.toChange);
    expect(h.sim.log.filter((e) => e.status === 429)).toHaveLength(0);
    expect(h.sim.log.filter((e) => e.status === 503).length).toBeGreaterThan(10);
    for (const c of h.sim.listCampaigns()) expect(c.dialingRules).toEqual(desired);
  });
});

function pick(r: DialingRules) {
  return { retrySettings: r.retrySettings, abandonmentRateThreshold: r.abandonmentRateThreshold };
}
