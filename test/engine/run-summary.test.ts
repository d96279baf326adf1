import { afterEach, expect, it } from "vitest";
import { apply, type Harness, harness, planFor } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const FILE = {
  licenseTier: "ENTERPRISE",
  profiles: ["US_TCPA"],
  campaigns: Array.from({ length: 5 }, (_, i) => ({
    id: `CMP-${10001 + i}`,
    dialingRules: { dialingMethod: "PREVIEW", maxCallsPerAgent: 1 },
  })),
};

it("a re-run that changes nothing writes one run-summary record, not one noop record per campaign", async () => {
  h = await harness({ campaigns: 5 });
  const first = await apply(h, await planFor(h, FILE), { runId: "run-1" });
  expect(first.counts.failed + first.counts.conflict + first.counts.rejected_locally).toBe(0);

  const again = await planFor(h, FILE);
  expect(again.summary.toChange).toBe(0);
  const second = await apply(h, again, { runId: "run-2" });
  expect(second.counts.noop).toBe(5);

  const records = await h.store.audit.list({ runId: "run-2" });
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({
    outcome: "run_summary",
    campaignId: "",
    runSummary: { campaigns: 5, counts: { noop: 5 }, refused: false, interrupted: false },
    diff: [],
    findings: [],
  });
  // Only the outcomes that happened are counted: no zero entries.
  expect(records[0]?.runSummary?.counts).toEqual({ noop: 5 });
  expect(records[0]?.runSummary?.unchanged.map((u) => u.id)).toEqual(FILE.campaigns.map((c) => c.id));
  expect(await h.store.audit.list({ campaignId: "CMP-10001" })).not.toContainEqual(
    expect.objectContaining({ outcome: "noop" }),
  );
  // The first run's summary counts what it wrote, so the records of a run can be checked for completeness.
  const run1 = await h.store.audit.list({ runId: "run-1" });
  const summary = run1.find((r) => r.outcome === "run_summary");
  expect(summary?.runSummary?.counts.applied).toBe(run1.filter((r) => r.outcome === "applied").length);
  expect((await h.store.audit.verify()).ok).toBe(true);
});
