/**
 * "applied" means the platform holds what the file declares: a declared field another writer changed is a
 * conflict even when the plan saw no difference in it, and no outcome claims convergence it did not check.
 */
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyExitCode } from "../../src/cli/apply-run.js";
import type { DialingMethod, DialingRules, PartialRules, RetrySettings } from "../../src/domain/rules.js";
import { applyPlan } from "../../src/engine/apply.js";
import { unconverged } from "../../src/engine/apply-decision.js";
import type { Platform } from "../../src/platform/platform.js";
import { propertyRuns } from "../setup/property-runs.js";
import { apply, applyOptions, type Harness, harness, planFor } from "./harness.js";

const VALID: DialingRules = {
  dialingMethod: "PREDICTIVE",
  retrySettings: { maxAttempts: 2, intervalMinutes: [60, 240] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
  maxCallsPerAgent: 2,
};
const ids = (n: number) => Array.from({ length: n }, (_, i) => `CMP-${10001 + i}`);
const patches = (h: Harness) => h.sim.log.filter((e) => e.method === "PATCH");

describe("a declared field is ours even when the plan saw no difference", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("another writer sets 3 where the file declares the current 2: conflict, not 'applied — rebased' (reproduction)", async () => {
    h = await harness({ campaigns: 2 });
    h.sim.editCampaign("CMP-10001", VALID);
    const file = {
      licenseTier: "ENTERPRISE",
      campaigns: [{ id: "CMP-10001", dialingRules: { dialingMethod: "PROGRESSIVE", maxCallsPerAgent: 2 } }],
    };
    const plan = await planFor(h, file);
    expect(plan.campaigns[0]?.changes.map((c) => c.field)).toEqual(["dialingMethod"]);
    h.sim.editCampaign("CMP-10001", { maxCallsPerAgent: 3 }); // the other writer, before our write

    const result = await apply(h, plan);

    expect(result.counts).toMatchObject({ applied: 0, conflict: 1 });
    expect(applyExitCode(result)).toBe(1);
    expect(result.results[0]?.conflicts).toEqual([
      { field: "maxCallsPerAgent", base: 2, ours: 2, theirs: 3 },
    ]);
    expect(h.sim.getCampaign("CMP-10001")?.dialingRules.maxCallsPerAgent).toBe(3);

    // --on-conflict overwrite makes the platform hold the file, and says so
    const again = await apply(h, plan, { onConflict: "overwrite" });
    expect(again.counts.overwritten).toBe(1);
    expect(h.sim.getCampaign("CMP-10001")?.dialingRules).toMatchObject({
      dialingMethod: "PROGRESSIVE",
      maxCallsPerAgent: 2,
    });
    expect((await planFor(h, file)).summary).toMatchObject({ toChange: 0, unchanged: 1 });
  });

  it("a saved plan's unchanged campaign that another writer moved since is re-read: a conflict, not a noop", async () => {
    h = await harness({ campaigns: 2 });
    for (const id of ids(2)) h.sim.editCampaign(id, VALID);
    const plan = await planFor(h, {
      licenseTier: "ENTERPRISE",
      campaigns: ids(2).map((id) => ({ id, dialingRules: { maxCallsPerAgent: 2 } })),
    });
    expect(plan.summary).toMatchObject({ toChange: 0, unchanged: 2 });
    h.sim.editCampaign("CMP-10002", { maxCallsPerAgent: 1 });

    const result = await apply(h, plan, { recheckUnchanged: true });

    expect(result.counts).toMatchObject({ noop: 1, conflict: 1 });
    expect(result.results.find((r) => r.id === "CMP-10002")?.outcome).toBe("conflict");
    expect(patches(h)).toHaveLength(0);
  });

  it("--on-conflict abort lists the campaigns it did not attempt", async () => {
    h = await harness({ campaigns: 3 });
    for (const id of ids(3)) h.sim.editCampaign(id, VALID);
    const plan = await planFor(h, {
      licenseTier: "ENTERPRISE",
      campaigns: ids(3).map((id) => ({ id, dialingRules: { dialingMethod: "PROGRESSIVE" } })),
    });
    for (const id of ids(3)) h.sim.editCampaign(id, { dialingMethod: "POWER" });

    const result = await apply(h, plan, { onConflict: "abort", concurrency: 1 });

    expect(result.abortedOnConflict).toBe(true);
    expect(result.notAttempted.map((c) => c.id)).toEqual(["CMP-10002", "CMP-10003"]);
  });
});

describe("convergence under random concurrent editors (property)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ campaigns: 6 });
  });
  afterAll(async () => {
    await h.close();
  });

  const method = fc.constantFrom<DialingMethod[]>("PROGRESSIVE", "POWER", "PREVIEW", "PREDICTIVE");
  const retry = fc.constantFrom<RetrySettings[]>(
    { maxAttempts: 2, intervalMinutes: [60, 240] },
    { maxAttempts: 1, intervalMinutes: [120] },
  );
  const fieldValues: fc.Arbitrary<PartialRules> = fc.record(
    { dialingMethod: method, maxCallsPerAgent: fc.integer({ min: 1, max: 3 }), retrySettings: retry },
    { requiredKeys: [] },
  );
  /** An edit of another writer: which campaign (index) and what it sets. */
  const someFields = fieldValues.filter((r) => Object.keys(r).length > 0);
  const edit = fc.record({ at: fc.nat(5), rules: someFields });

  it("exit 0 ⇒ every targeted campaign holds the declared values; exit 1 ⇒ every one that does not is reported", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(5), rules: fieldValues }), { minLength: 1, maxLength: 6 }),
        fc.array(edit, { maxLength: 4 }), // between plan and apply
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), // before each write: does a writer edit first?
        someFields,
        fc.constantFrom("abort", "rebase", "overwrite") as fc.Arbitrary<"abort" | "rebase" | "overwrite">,
        fc.constantFrom(0, 2, 3),
        async (entries, before, during, duringRules, onConflict, lostEvery) => {
          h.sim.setFaults({});
          for (const id of ids(6)) h.sim.editCampaign(id, VALID);
          const byId = new Map<string, PartialRules>();
          for (const e of entries) byId.set(ids(6)[e.at] as string, e.rules);
          const plan = await planFor(h, {
            licenseTier: "ENTERPRISE",
            campaigns: [...byId].map(([id, dialingRules]) => ({ id, dialingRules })),
          });
          for (const e of before) h.sim.editCampaign(ids(6)[e.at] as string, e.rules);
          h.sim.setFaults(lostEvery ? { lostResponseEvery: lostEvery } : {});
          let writeNo = 0;
          const editing: Platform = {
            name: h.platform.name,
            capabilities: h.platform.capabilities,
            getCampaign: (id, o) => h.platform.getCampaign(id, o),
            listCampaigns: (o) => h.platform.listCampaigns(o),
            updateRules: (id, revision, rules, o) => {
              if (during[writeNo++ % during.length]) h.sim.editCampaign(id, duringRules);
              return h.platform.updateRules(id, revision, rules, o);
            },
            close: () => Promise.resolve(),
          };
          const result = await applyPlan(
            plan,
            applyOptions({ onConflict, skipInvalid: true, recheckUnchanged: true, concurrency: 2 }),
            { platform: editing, store: h.store, clock: h.clock },
          );
          h.sim.setFaults({});
          const reported = new Set([
            ...result.results
              .filter((r) => !["applied", "overwritten", "noop"].includes(r.outcome))
              .map((r) => r.id),
            ...result.notAttempted.map((c) => c.id),
          ]);
          const converged = (id: string, desired: PartialRules) =>
            unconverged(h.sim.getCampaign(id)?.dialingRules as DialingRules, desired).length === 0;
          for (const c of plan.campaigns) {
            const holds = converged(c.id, c.desired);
            if (applyExitCode(result) === 0) expect(holds, `${c.id} after exit 0`).toBe(true);
            else if (!holds) expect(reported.has(c.id), `${c.id} differs but is not reported`).toBe(true);
            // and no campaign is called applied (or unchanged) while it does not hold the file's values
            const r = result.results.find((x) => x.id === c.id);
            if (r && ["applied", "overwritten", "noop"].includes(r.outcome))
              expect(holds, `${c.id} ${r.outcome}`).toBe(true);
          }
        },
      ),
      { numRuns: propertyRuns(40) },
    );
  });
});
