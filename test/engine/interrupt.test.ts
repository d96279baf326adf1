import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { envFor, runCli, startCli } from "../cli/run-cli.js";
import { patchesPerCampaign } from "./harness.js";

let sim: SimHandle | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sim?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it("Ctrl-C stops after the writes in flight, exits 130, and a re-run finishes without writing twice", async () => {
  sim = await startSimulator({
    campaigns: 80,
    rateLimitPerMinute: Number.POSITIVE_INFINITY,
    faults: { latencyMs: 40 },
  });
  for (const c of sim.listCampaigns()) {
    sim.editCampaign(c.id, {
      dialingMethod: "PREDICTIVE",
      retrySettings: { maxAttempts: 2, intervalMinutes: [60, 240] },
      abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
      maxCallsPerAgent: 2,
    });
  }
  dir = mkdtempSync(join(tmpdir(), "dialrules-int-"));
  const rules = join(dir, "rules.yaml");
  writeFileSync(
    rules,
    'profiles: []\nlicenseTier: ENTERPRISE\ncampaigns:\n  - match: "*"\n    dialingRules: {dialingMethod: PROGRESSIVE}\n',
  );
  const args = [
    "apply",
    "-f",
    rules,
    "--yes",
    "--reason",
    "interrupt",
    "--database",
    join(dir, "db"),
    "--concurrency",
    "2",
  ];
  const s = sim;
  const written = () => [...patchesPerCampaign(s).values()].reduce((a, b) => a + b, 0);

  const run = startCli(args, envFor(sim));
  const deadline = Date.now() + 30_000;
  while (written() < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  run.child.kill("SIGINT");
  const first = await run.done;
  expect(first.code, first.stderr).toBe(130);
  expect(first.stdout).toContain("Interrupted: re-run the same command");
  expect(written()).toBeLessThan(80);

  const second = await runCli(args, envFor(sim));
  expect(second.code, second.stderr).toBe(0);
  const writes = patchesPerCampaign(s, [200, 202, "lost", "pending", 409, 500, 502, 503, 504]);
  expect(writes.size).toBe(80);
  for (const [id, n] of writes) expect(n, id).toBe(1);
});
