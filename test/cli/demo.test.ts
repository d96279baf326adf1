import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runCli } from "./run-cli.js";

it("demo (the README's first command) runs plan and apply with no configuration", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dialrules-demo-"));
  try {
    const db = join(dir, "demo.db");
    const r = await runCli(["demo", "--database", db], { PATH: process.env.PATH }, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("== plan ==");
    expect(r.stdout).toMatch(/! CMP-10016 .*INVALID/);
    expect(r.stdout).toMatch(/rejected_locally\s+CMP-10016/);
    expect(r.stdout).toMatch(/applied\s+CMP-\d+ .*rebased over a concurrent change/);
    expect(r.stdout).toMatch(/chain intact/);
    expect(r.stdout).toContain(`SQLite database: ${db}`);
    expect(r.stdout + r.stderr).not.toContain("demo-secret");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
