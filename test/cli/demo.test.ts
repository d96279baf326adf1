import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runCli } from "./run-cli.js";

it("demo (the README's first command) tells the story in a few lines, with no configuration", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dialrules-demo-"));
  try {
    const db = join(dir, "demo.db");
    const r = await runCli(["demo", "--database", db], { PATH: process.env.PATH }, dir);
    expect(r.code, r.stderr).toBe(0);
    // the campaign refused before any write
    expect(r.stdout).toMatch(/! CMP-10016 .*INVALID — refused before any write/);
    expect(r.stdout).toContain("ABANDON_RATE_OVER_LIMIT");
    // the concurrent writer whose change was rebased over
    expect(r.stdout).toMatch(/another writer changes (CMP-\d+)'s retry schedule/);
    const rebased = /another writer changes (CMP-\d+)'s/.exec(r.stdout)?.[1];
    expect(r.stdout).toMatch(
      new RegExp(`${rebased} .*: applied — rebased over a concurrent change of retrySettings`),
    );
    // the audit chain verified, and the signed checkpoint
    expect(r.stdout).toMatch(/hash chain verified: chain intact; signed checkpoint of seq \d+/);
    expect(r.stdout).toContain(`SQLite database: ${db}`);
    expect(r.stdout).toContain("dialrules demo --verbose");
    // short: no full diff
    expect(r.stdout).not.toContain("== plan ==");
    expect(r.stdout).not.toContain(" → ");
    expect(r.stdout.trimEnd().split("\n").length).toBeLessThanOrEqual(20);
    expect(r.stdout + r.stderr).not.toContain("demo-secret");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("demo --verbose adds the full plan diff and apply table", async () => {
  const dir = mkdtempSync(join(tmpdir(), "dialrules-demo-"));
  try {
    const db = join(dir, "demo.db");
    const r = await runCli(["demo", "--verbose", "--database", db], { PATH: process.env.PATH }, dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("== plan ==");
    expect(r.stdout).toMatch(/! CMP-10016 .*INVALID/);
    expect(r.stdout).toContain("maxCallsPerAgent: 4 → 2");
    expect(r.stdout).toMatch(/rejected_locally\s+CMP-10016/);
    expect(r.stdout).toMatch(/applied\s+CMP-\d+ .*rebased over a concurrent change/);
    expect(r.stdout).toMatch(/chain intact/);
    expect(r.stdout).toContain(`SQLite database: ${db}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
