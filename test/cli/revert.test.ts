import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { openStore } from "../../src/store/open-store.js";
import { webhookEvent } from "../../src/webhook/events.js";
import { envFor, runCli } from "./run-cli.js";

let sim: SimHandle;
let dir: string;
const BEFORE = {
  dialingMethod: "PREDICTIVE" as const,
  retrySettings: { maxAttempts: 2, intervalMinutes: [60, 240] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
  maxCallsPerAgent: 2,
};
beforeEach(async () => {
  sim = await startSimulator({ campaigns: 3, rateLimitPerMinute: 100_000 });
  for (const c of sim.listCampaigns()) sim.editCampaign(c.id, BEFORE);
  dir = mkdtempSync(join(tmpdir(), "dialrules-revert-"));
});
afterEach(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

it("revert RUN_ID restores what the run replaced through plan and apply; a campaign changed since is a conflict, not overwritten", async () => {
  const rules = join(dir, "rules.yaml");
  writeFileSync(
    rules,
    `profiles: [US_TCPA]
licenseTier: ENTERPRISE
campaigns:
  - id: CMP-10001
    dialingRules: {dialingMethod: PREVIEW, maxCallsPerAgent: 1}
  - id: CMP-10002
    dialingRules: {dialingMethod: PREVIEW, maxCallsPerAgent: 1}
`,
  );
  const db = join(dir, "db");
  const applied = await runCli(
    ["apply", "-f", rules, "--yes", "--reason", "go", "--database", db],
    envFor(sim),
  );
  expect(applied.code, applied.stderr).toBe(0);
  const store = await openStore({ outboxEvent: webhookEvent, sqlitePath: db });
  const runId = (await store.audit.list()).find((r) => r.outcome === "applied")?.runId as string;
  await store.close();

  sim.editCampaign("CMP-10002", { maxCallsPerAgent: 3 }); // someone else, after the run

  const planFile = join(dir, "revert-plan.json");
  const revert = await runCli(["revert", runId, "-f", rules, "-o", planFile, "--database", db], envFor(sim));
  expect(revert.code).toBe(1);
  expect(revert.stderr).toContain(`conflict: CMP-10002 maxCallsPerAgent was changed since run ${runId}`);
  expect(revert.stdout).toContain("1 campaign(s) to restore, 1 conflict(s)");

  const undo = await runCli(
    ["apply", "--plan", planFile, "--yes", "--reason", `revert run ${runId}`, "--database", db],
    envFor(sim),
  );
  expect(undo.code, undo.stderr).toBe(0);
  expect(sim.getCampaign("CMP-10001")?.dialingRules).toMatchObject({
    dialingMethod: "PREDICTIVE",
    maxCallsPerAgent: 2,
  });
  const show = await runCli(["show", "CMP-10001", "-f", rules, "--database", db], envFor(sim));
  expect(show.code, show.stderr).toBe(0);
  expect(show.stdout).toContain("maxCallsPerAgent: 2");
  expect(show.stdout).toContain("Compliance: meets the policy");
  expect(show.stdout).toContain("History of CMP-10001 (2 record(s), oldest first)");
  expect(sim.getCampaign("CMP-10002")?.dialingRules).toMatchObject({
    dialingMethod: "PREVIEW",
    maxCallsPerAgent: 3,
  });
});
