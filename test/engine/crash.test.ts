import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { openStore } from "../../src/store/open-store.js";
import { webhookEvent } from "../../src/webhook/events.js";
import { envFor, runCli, startCli } from "../cli/run-cli.js";
import { patchesPerCampaign } from "./harness.js";

let sim: SimHandle | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const VALID = {
  dialingMethod: "PREDICTIVE" as const,
  retrySettings: { maxAttempts: 2, intervalMinutes: [60, 240] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
  maxCallsPerAgent: 2,
};

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

it("apply killed with SIGKILL mid-way converges on re-run with zero duplicate writes", async () => {
  sim = await startSimulator({
    campaigns: 300,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    faults: { latencyMs: 10 },
  });
  for (const c of sim.listCampaigns()) sim.editCampaign(c.id, VALID);
  dir = mkdtempSync(join(tmpdir(), "dialrules-crash-"));
  const rules = join(dir, "rules.yaml");
  writeFileSync(
    rules,
    'profiles: []\nlicenseTier: ENTERPRISE\ncampaigns:\n  - match: "*"\n    dialingRules: {dialingMethod: PROGRESSIVE, maxCallsPerAgent: 1}\n',
  );
  const db = join(dir, "dialrules.db");
  const args = [
    "apply",
    "-f",
    rules,
    "--yes",
    "--reason",
    "crash test",
    "--database",
    db,
    "--concurrency",
    "4",
  ];
  const env = envFor(sim);
  const s = sim;

  const first = startCli(args, env);
  const applied = () => [...patchesPerCampaign(s).values()].reduce((a, b) => a + b, 0);
  await waitFor(() => applied() >= 100, "100 writes");
  first.child.kill("SIGKILL");
  const killed = await first.done;
  expect(killed.signal).toBe("SIGKILL");
  const writtenBeforeCrash = applied();
  expect(writtenBeforeCrash).toBeLessThan(300);

  const second = await runCli(args, env);
  expect(second.stderr).not.toContain("demo-secret");
  expect(second.code, second.stdout + second.stderr).toBe(0);

  // Every campaign written exactly once over both runs: any PATCH request counts, whatever its reply.
  const writes = patchesPerCampaign(s, [200, 202, "lost", "pending", "dropped", 409, 500, 502, 503, 504]);
  expect(writes.size).toBe(300);
  for (const [id, n] of writes) expect(n, id).toBe(1);
  for (const c of s.listCampaigns()) {
    expect(c.dialingRules).toMatchObject({ dialingMethod: "PROGRESSIVE", maxCallsPerAgent: 1 });
  }

  const store = await openStore({ outboxEvent: webhookEvent, sqlitePath: db });
  try {
    expect(await store.journal.inDoubt()).toEqual([]);
    expect(await store.audit.verify()).toMatchObject({ ok: true });
    const records = await store.audit.list({ limit: 10_000 });
    const appliedPer = new Map<string, number>();
    for (const r of records.filter((x) => x.outcome === "applied")) {
      appliedPer.set(r.campaignId, (appliedPer.get(r.campaignId) ?? 0) + 1);
    }
    expect(appliedPer.size).toBe(300);
    for (const [id, n] of appliedPer) expect(n, id).toBe(1);
  } finally {
    await store.close();
  }
});
