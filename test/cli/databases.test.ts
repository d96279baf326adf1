import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { KINDS, type TestDatabase, testDatabase } from "../store/databases.js";
import { envFor, runCli } from "./run-cli.js";

let sim: SimHandle | undefined;
let db: TestDatabase | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sim?.stop();
  await db?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(KINDS)("apply and audit on %s through the CLI", (kind) => {
  it("apply writes the trail where `audit verify` and `audit list` read it", async () => {
    sim = await startSimulator({ campaigns: 6, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    for (const c of sim.listCampaigns()) {
      sim.editCampaign(c.id, {
        dialingMethod: "PREDICTIVE",
        retrySettings: { maxAttempts: 1, intervalMinutes: [60] },
        abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
        maxCallsPerAgent: 2,
      });
    }
    db = await testDatabase(kind);
    dir = mkdtempSync(join(tmpdir(), "dialrules-db-"));
    const rules = join(dir, "rules.yaml");
    writeFileSync(
      rules,
      'profiles: []\nlicenseTier: ENTERPRISE\ncampaigns:\n  - match: "*"\n    dialingRules: {dialingMethod: PROGRESSIVE}\n',
    );
    const env = envFor(sim, db.cli.env as Record<string, string>);
    const database = ["--database", db.cli.database];

    const applied = await runCli(["apply", "-f", rules, "--yes", "--reason", "db test", ...database], env);
    expect(applied.code, applied.stderr).toBe(0);
    const verify = await runCli(["audit", "verify", ...database], env);
    expect(verify.code, verify.stderr).toBe(0);
    // Six campaign records and the run summary every apply run ends with.
    expect(verify.stdout).toMatch(/7 records, chain intact/);
    const list = await runCli(["audit", "list", "--format", "json", ...database], env);
    const records = (JSON.parse(list.stdout) as { outcome: string; reason: string }[]).filter(
      (r) => r.outcome !== "run_summary",
    );
    expect(records.map((r) => r.outcome)).toEqual(Array(6).fill("applied"));
    expect(records.every((r) => r.reason === "db test")).toBe(true);
  });
});
