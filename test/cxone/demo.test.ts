/** `dialrules demo --platform cxone`: valid built-in rules, printed; non-zero when campaigns are invalid or rejected. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runCli } from "../cli/run-cli.js";

it("demo --platform cxone prints its valid rules file, applies every target and exits 0", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dialrules-cxdemo-"));
  try {
    const db = join(dir, "demo.db");
    const r = await runCli(
      ["demo", "--platform", "cxone", "--campaigns", "40", "--database", db],
      { PATH: process.env.PATH },
      dir,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('match: "PC-Reminders-Payments-*"');
    expect(r.stdout).toContain("intervalMinutes: [720, 1440]");
    expect(r.stdout).not.toMatch(/INVALID/);
    expect(r.stdout).toContain("CAMPAIGN_NOT_MANAGED");
    expect(r.stdout).toMatch(/chain intact/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("demo --platform cxone exits 1 when a campaign is invalid", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dialrules-cxdemo-"));
  try {
    const file = join(dir, "rules.yaml");
    // Irregular retries: CXone keeps one minimum retry interval per skill, so the plan marks these invalid.
    writeFileSync(
      file,
      'profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - match: "PC-Reminders-*"\n    dialingRules: {retrySettings: {maxAttempts: 2, intervalMinutes: [60, 1440]}}\n',
    );
    const r = await runCli(
      ["demo", "--platform", "cxone", "--campaigns", "20", "--database", join(dir, "d.db"), "-f", file],
      { PATH: process.env.PATH },
      dir,
    );
    expect(r.stdout).toMatch(/INVALID/);
    expect(r.code).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
