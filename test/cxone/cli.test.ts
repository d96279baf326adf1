/**
 * `plan`, `apply` and `export` through the real CLI with `--platform cxone` against the cxone simulator:
 * the engine and the commands are the same ones the v2 driver uses. The CLI runs as a child process
 * (through tsx, so no stale build is tested) while the simulator serves from this process.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/engine/plan-types.js";
import type { CxoneSimHandle } from "../../src/sim/cxone/types.js";
import { cxoneSim, pcSkills } from "./helpers.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "dialrules-cxone-cli-"));

function envFor(sim: CxoneSimHandle): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    DIALRULES_PLATFORM: "cxone",
    CXONE_DISCOVERY_URL: sim.url,
    CXONE_TENANT_ID: sim.tenantId,
    CXONE_CLIENT_ID: "demo",
    CXONE_CLIENT_SECRET: "demo-secret",
    CXONE_ACCESS_KEY_ID: "demo-key",
    CXONE_ACCESS_KEY_SECRET: "demo-key-secret",
  };
}

async function cli(sim: CxoneSimHandle, args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      env: envFor(sim),
      cwd: process.cwd(),
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("CLI with --platform cxone", () => {
  it("export, plan and apply work unchanged; the secrets appear nowhere", async () => {
    const s = await cxoneSim({ rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const target = pcSkills(s)[0];
    if (!target) throw new Error("no skill");
    const id = String(target.skillId);

    const exported = await cli(s, ["export", "--platform", "cxone", "--id", id]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`id: "${id}"`);
    expect(exported.stdout).toContain("from the cxone platform");

    const desired = target.generalSettings.maxConcurrentCallsPerAgent === 1 ? 2 : 1;
    const rulesPath = join(dir, "rules.yaml");
    writeFileSync(
      rulesPath,
      `profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - id: "${id}"\n    dialingRules: {maxCallsPerAgent: ${desired}}\n`,
    );
    const planPath = join(dir, "plan.json");
    const plan = await cli(s, [
      "plan",
      "--platform",
      "cxone",
      "-f",
      rulesPath,
      "-o",
      planPath,
      "--format",
      "json",
    ]);
    expect(plan.code).toBe(0);
    const saved = JSON.parse(readFileSync(planPath, "utf8")) as Plan;
    expect(saved.platform).toBe("cxone");
    expect(saved.campaigns[0]).toMatchObject({ id, status: "change" });

    const db = join(dir, "audit.db");
    const apply = await cli(s, [
      "apply",
      "--platform",
      "cxone",
      "--plan",
      planPath,
      "--yes",
      "--reason",
      "cxone cli test",
      "--database",
      db,
    ]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/applied\s+1/);
    expect(s.getSkill(target.skillId)?.generalSettings.maxConcurrentCallsPerAgent).toBe(desired);

    const audit = await cli(s, ["audit", "list", "--database", db, "--format", "json"]);
    expect(audit.stdout).toContain('"writeMode": "unconditional"');
    for (const output of [exported, plan, apply, audit]) {
      expect(`${output.stdout}${output.stderr}`).not.toContain("demo-key-secret");
      expect(`${output.stdout}${output.stderr}`).not.toContain("demo-secret");
    }
  }, 120_000);

  it("missing cxone configuration is a clear error naming the variable", async () => {
    const s = await cxoneSim();
    const { code, stderr } = await (async () => {
      try {
        await run(
          process.execPath,
          ["--import", "tsx", "src/cli/main.ts", "export", "--platform", "cxone", "--all"],
          {
            env: { PATH: process.env.PATH, HOME: dir, CXONE_DISCOVERY_URL: s.url },
          },
        );
        return { code: 0, stderr: "" };
      } catch (err) {
        const e = err as { code?: number; stderr?: string };
        return { code: e.code ?? -1, stderr: e.stderr ?? "" };
      }
    })();
    expect(code).not.toBe(0);
    expect(stderr).toContain("CXONE_TENANT_ID");
  }, 60_000);
});
