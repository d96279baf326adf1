/**
 * `plan`, `apply`, `export`, `demo` and `sim --mode genesys` through the built CLI against the genesys
 * simulator: the commands and the engine are the ones every driver uses.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { GenesysSimHandle } from "../../src/sim/genesys/types.js";
import { runCli, startCli } from "../cli/run-cli.js";
import { genesysSim, managed } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "dialrules-genesys-cli-"));
const SECRET = "demo-secret";

function envFor(sim: GenesysSimHandle, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const secretFile = join(dir, "secret");
  writeFileSync(secretFile, `${SECRET}\n`);
  return {
    PATH: process.env.PATH,
    HOME: dir,
    DIALRULES_PLATFORM: "genesys",
    GENESYS_API_BASE_URL: sim.apiBaseUrl,
    GENESYS_TOKEN_URL: sim.tokenUrl,
    GENESYS_CLIENT_ID: "demo",
    GENESYS_CLIENT_SECRET_FILE: secretFile,
    DIALRULES_ACTOR: "cli-test",
    GENESYS_RATE_LIMIT: "100000/min",
    ...extra,
  };
}

describe("CLI with --platform genesys", () => {
  it("export → plan → apply → plan: the second plan has nothing to change; no secret is printed", async () => {
    const sim = await genesysSim();
    const env = envFor(sim);
    const target = managed(sim).find((c) => c.dialingMode === "predictive");
    if (!target) throw new Error("no predictive campaign");

    const exported = await runCli(["export", "--platform", "genesys", "--id", target.id], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(target.id);

    const rulesPath = join(dir, "rules.yaml");
    const perAgent = target.maxCallsPerAgent === 2 ? 3 : 2;
    writeFileSync(
      rulesPath,
      `profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - id: "${target.id}"\n    dialingRules: {maxCallsPerAgent: ${perAgent}}\n  - match: "Collections-*"\n    dialingRules: {retrySettings: {maxAttempts: 2, intervalMinutes: [30, 60]}}\n`,
    );
    const db = join(dir, "audit.db");
    const planned = await runCli(["plan", "-f", rulesPath, "--platform", "genesys"], env);
    expect(planned.stderr).toBe("");
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain("not managed: agentless campaign");
    expect(planned.stdout).toContain("GENESYS_ABANDON_DENOMINATOR");

    const applied = await runCli(
      ["apply", "-f", rulesPath, "--platform", "genesys", "--reason", "cli test", "--yes", "--database", db],
      env,
    );
    expect(applied.code).toBe(0);
    expect(sim.getCampaign(target.id)?.maxCallsPerAgent).toBe(perAgent);
    expect(sim.attemptLimitsOf(target.id)).toMatchObject({ maxAttemptsPerContact: 3 });

    const again = await runCli(
      ["plan", "-f", rulesPath, "--platform", "genesys", "--detailed-exitcode"],
      env,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Plan: 0 to change/);
    for (const r of [exported, planned, applied, again]) expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it("demo --platform genesys runs the whole job on the embedded simulator", async () => {
    const db = join(dir, "demo.db");
    const r = await runCli(["demo", "--platform", "genesys", "--database", db, "--campaigns", "60"], {
      PATH: process.env.PATH,
      HOME: dir,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Simulator (genesys)");
    expect(r.stdout).toContain("SHARED_SETTING_CONFLICT");
    expect(r.stdout).toContain("chain intact");
  });

  it("sim --mode genesys prints the variables that point dialrules at it", async () => {
    const { child, done } = startCli(["sim", "--mode", "genesys", "--port", "0", "--campaigns", "5"], {
      PATH: process.env.PATH,
    });
    let banner = "";
    await new Promise<void>((resolve) => {
      child.stdout?.on("data", (d: Buffer) => {
        banner += d.toString();
        if (banner.includes("Ctrl+C")) resolve();
      });
    });
    child.kill("SIGTERM");
    await done;
    expect(banner).toContain("Genesys Cloud mode");
    expect(banner).toMatch(/GENESYS_API_BASE_URL=http:\/\/127\.0\.0\.1:\d+/);
    expect(banner).toContain("GENESYS_TOKEN_URL=");
  });
});
