/**
 * A loud, consistent command line (issue #12 §3), run as users run it: the built CLI against the simulator.
 */
import { spawn } from "node:child_process";
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { startSimulator } from "../../src/sim/server.js";
import { CLI, type CliResult, envFor, runCli, startCli } from "./run-cli.js";
import { CHANGE, INVALID, useSimFixture, VALID } from "./sim-fixture.js";

const fx = useSimFixture();
const file = fx.file;
const patches = fx.patches;

/** A Node stack frame, e.g. "    at Socket._write (node:net:…)". */
const STACK = /^\s+at .+[(:]/m;

describe("export writes the format its file name asks for", () => {
  it("-o one.json writes JSON that plan then shows as no changes (reproduction: it wrote YAML)", async () => {
    const out = join(fx.dir, "one.json");
    const r = await runCli(
      ["export", "--all", "-o", out, "--profile", "US_TCPA", "--license-tier", "ENTERPRISE"],
      envFor(fx.sim),
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, "utf8")) as { profiles: string[]; campaigns: unknown[] };
    expect(doc.profiles).toEqual(["US_TCPA"]);
    expect(doc.campaigns).toHaveLength(12);
    const plan = await runCli(["plan", "-f", out], envFor(fx.sim));
    expect(plan.stdout).toContain("Plan: 0 to change, 12 unchanged, 0 invalid.");
  });

  it("--format json to standard output; .yml is YAML; a --format that contradicts the extension is refused", async () => {
    const json = await runCli(["export", "--id", "CMP-10001", "--format", "json"], envFor(fx.sim));
    expect(JSON.parse(json.stdout).campaigns).toEqual([{ id: "CMP-10001", dialingRules: VALID }]);
    const yml = join(fx.dir, "one.yml");
    expect((await runCli(["export", "--id", "CMP-10001", "-o", yml], envFor(fx.sim))).code).toBe(0);
    expect(readFileSync(yml, "utf8")).toMatch(/^# Exported by dialrules/);
    expect(parseYaml(readFileSync(yml, "utf8")).campaigns).toHaveLength(1);
    const clash = await runCli(
      ["export", "--all", "-o", join(fx.dir, "x.json"), "--format", "yaml"],
      envFor(fx.sim),
    );
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain("error[EXPORT_FORMAT_MISMATCH]");
  });

  it("--match that matches nothing exits 1 and says so, writing nothing", async () => {
    const out = join(fx.dir, "none.yaml");
    const r = await runCli(["export", "--match", "No-Such-*", "-o", out], envFor(fx.sim));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[EXPORT_NO_MATCH\]: no campaign name .* matches --match "No-Such-\*"/);
    expect(() => readFileSync(out)).toThrow();
  });
});

describe("rules files that are empty, too large or too deep are refused before any parse", () => {
  it.each([
    ["0 bytes", ""],
    ["only whitespace and comments", "# rules for later\n\n   \n---\n# nothing yet\n"],
  ])("an empty file (%s) says so in validate, plan and apply (exit 2)", async (_, text) => {
    const path = file("empty.yaml", text);
    for (const args of [
      ["validate", "-f", path],
      ["plan", "-f", path],
      ["apply", "-f", path, "--yes", "--reason", "t", "--database", join(fx.dir, "db")],
    ]) {
      const r = await runCli(args, envFor(fx.sim));
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toContain("error[RULES_FILE_EMPTY]");
      expect(r.stderr, args[0]).toContain("empty file");
    }
    expect(patches()).toHaveLength(0);
  });

  it("a file over the cap (default 10 MiB) is refused from its size alone", async () => {
    const huge = join(fx.dir, "huge.yaml");
    writeFileSync(huge, "");
    truncateSync(huge, 10 * 1024 * 1024 + 1); // sparse: the size is real, reading it would take a while
    for (const cmd of ["validate", "plan"]) {
      const r = await runCli([cmd, "-f", huge], envFor(fx.sim));
      expect(r.code, cmd).toBe(2);
      expect(r.stderr, cmd).toMatch(
        /error\[RULES_FILE_TOO_LARGE\]: .*huge\.yaml: .*over the limit of 10 MiB/,
      );
    }
  });

  it("DIALRULES_MAX_RULES_BYTES sets the cap", async () => {
    const path = file("rules.yaml", CHANGE);
    const small = await runCli(
      ["validate", "-f", path],
      envFor(fx.sim, { DIALRULES_MAX_RULES_BYTES: "100" }),
    );
    expect(small.code).toBe(2);
    expect(small.stderr).toContain("RULES_FILE_TOO_LARGE");
    const enough = await runCli(
      ["validate", "-f", path],
      envFor(fx.sim, { DIALRULES_MAX_RULES_BYTES: "100000" }),
    );
    expect(enough.code).toBe(0);
    const bad = await runCli(["validate", "-f", path], envFor(fx.sim, { DIALRULES_MAX_RULES_BYTES: "lots" }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("DIALRULES_MAX_RULES_BYTES");
  });

  it("nesting deeper than 64 levels is refused by the pre-scan in validate, plan and revert", async () => {
    const deep = file(
      "deep.yaml",
      `profiles: [US_TCPA]\ncampaigns: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
    );
    for (const args of [
      ["validate", "-f", deep],
      ["plan", "-f", deep],
      ["revert", "run-1", "-f", deep, "--database", join(fx.dir, "db")],
    ]) {
      const r = await runCli(args, envFor(fx.sim));
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toMatch(/nested more than 64 levels deep; nothing was parsed/);
      expect(r.stderr, args[0]).toContain("NESTING_TOO_DEEP");
      expect(r.stderr, args[0]).not.toMatch(STACK);
    }
  });
});

describe("plan -o", () => {
  it("a clean plan is saved with the command that applies it", async () => {
    const out = join(fx.dir, "plan.json");
    const r = await runCli(["plan", "-f", file("rules.yaml", CHANGE), "-o", out], envFor(fx.sim));
    expect(r.stdout).toContain(`Saved to ${out}; apply it with: dialrules apply --plan ${out}`);
  });

  it("a plan with invalid campaigns does not tell the user to apply it, but what to do (reproduction)", async () => {
    const out = join(fx.dir, "plan.json");
    const r = await runCli(["plan", "-f", file("rules.yaml", INVALID), "-o", out], envFor(fx.sim));
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("apply it with");
    expect(r.stdout).toContain("1 invalid campaign(s) (marked ! above)");
    expect(r.stdout).toContain("Fix the rules file and plan again");
    expect(r.stdout).toContain("--skip-invalid");
  });

  it("--out still works as a hidden, deprecated spelling", async () => {
    const out = join(fx.dir, "plan.json");
    const r = await runCli(["plan", "-f", file("rules.yaml", CHANGE), "--out", out], envFor(fx.sim));
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).format).toBe("dialrules-plan/1");
  });
});

describe("capacity", () => {
  it("each campaign's line has its own figures; the file-wide inputs are said once (reproduction)", async () => {
    const r = await runCli(
      ["plan", "-f", file("rules.yaml", CHANGE), "--agents", "20", "--aht", "300", "--connect-rate", "0.3"],
      envFor(fx.sim),
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.includes("capacity: "));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/capacity: PROGRESSIVE ×1 lines\/agent · per agent [\d.]+ dials\/h/);
    expect(lines[1]).toMatch(/capacity: PREDICTIVE ×[\d.]+ lines\/agent · per agent [\d.]+ dials\/h/);
    expect(lines[0]).not.toEqual(lines[1]?.replace("PREDICTIVE", "PROGRESSIVE"));
    expect(r.stdout).not.toContain("20 lines in use");
    expect(r.stdout.match(/20 agents/g)).toHaveLength(1);
    expect(r.stdout).toContain(
      "capacity inputs (whole file): 20 agents · handle time 300 s · connect rate 0.3",
    );
  });
});

/** Spawns the CLI, reads its first chunk of output and closes the pipe, as `| head -1` does. */
async function headOne(
  args: string[],
  env: NodeJS.ProcessEnv,
  closeAtOnce = false,
): Promise<CliResult & { first: string }> {
  const { child, done } = startCli(args, env);
  let first = "";
  if (closeAtOnce) child.stdout?.destroy();
  else
    child.stdout?.once("data", (d: Buffer) => {
      first = d.toString();
      child.stdout?.destroy();
    });
  return { ...(await done), first };
}

describe("piping into head is quiet", () => {
  it("export, plan and audit list end without an EPIPE stack trace, with their own exit code", async () => {
    // enough output that the CLI is still writing when the reader goes away
    const big = await startSimulator({ campaigns: 3000, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    try {
      const env = envFor(big);
      const exported = await headOne(["export", "--all"], env);
      expect(exported.first).toMatch(/^# Exported by dialrules/);
      const plan = await headOne(
        [
          "plan",
          "-f",
          file(
            "all.yaml",
            'profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - match: "*"\n    dialingRules: {maxCallsPerAgent: 1}\n',
          ),
          "--show-unchanged",
        ],
        env,
      );
      const audit = await headOne(["audit", "list", "--database", join(fx.dir, "audit.db")], env, true);
      for (const [name, r, code] of [
        ["export", exported, 0],
        ["plan", plan, 1], // the simulator's seeded rules are not all valid: plan's own exit code
        ["audit list", audit, 0],
      ] as const) {
        expect(r.stderr, name).not.toContain("EPIPE");
        expect(r.stderr, name).not.toMatch(STACK);
        expect(r.signal, name).toBeNull();
        expect([code, 0], name).toContain(r.code);
      }
      expect(exported.code).toBe(0);
      expect(audit.code).toBe(0);
    } finally {
      await big.stop();
    }
  });
});

describe("the confirmation prompt", () => {
  it('answering "n" exits 1 with "nothing applied" and writes nothing', async () => {
    // apply asks only on a terminal: `script` gives it one (stdin and stdout a pty)
    const rules = file("rules.yaml", CHANGE);
    const command = [
      process.execPath,
      CLI,
      "apply",
      "-f",
      rules,
      "--reason",
      "t",
      "--database",
      join(fx.dir, "db"),
    ]
      .map((a) => `'${a}'`)
      .join(" ");
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      env: envFor(fx.sim),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let answered = false;
    child.stdin.on("error", () => {}); // script may be gone before stdin is closed
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!answered && out.includes("[y/N]")) {
        answered = true;
        child.stdin.write("n\n");
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(out).toContain("Apply 2 change(s)? [y/N]");
    expect(out).toContain("Nothing applied.");
    expect(code).toBe(1);
    expect(patches()).toHaveLength(0);
  });
});

describe("the v2 driver's own variable names", () => {
  it("DIALRULES_V2_* configure it, with no note", async () => {
    const r = await runCli(["plan", "-f", file("rules.yaml", CHANGE)], envFor(fx.sim, {}, "DIALRULES_V2_"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Plan: 2 to change");
    expect(r.stderr).not.toContain("deprecated");
  });

  it("the old CXONE_* names still work, with one deprecation line on stderr that never shows a secret", async () => {
    const r = await runCli(["plan", "-f", file("rules.yaml", CHANGE)], envFor(fx.sim, {}, "CXONE_"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Plan: 2 to change");
    const notes = r.stderr.split("\n").filter((l) => l.includes("deprecated"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("CXONE_CLIENT_ID → DIALRULES_V2_CLIENT_ID");
    expect(notes[0]).toContain("CXONE_CLIENT_SECRET → DIALRULES_V2_CLIENT_SECRET");
    expect(r.stdout + r.stderr).not.toContain("demo-secret");
  });

  it("a connection flag joins the old names when those are in use, and the new ones otherwise", async () => {
    const secretFile = file("secret.txt", "demo-secret\n");
    for (const prefix of ["CXONE_", "DIALRULES_V2_"] as const) {
      const env = envFor(fx.sim, {}, prefix);
      delete env[`${prefix}CLIENT_SECRET`];
      const r = await runCli(
        ["plan", "-f", file("rules.yaml", CHANGE), "--client-secret-file", secretFile],
        env,
      );
      expect(r.code, prefix).toBe(0);
      expect(r.stdout + r.stderr, prefix).not.toContain("demo-secret");
    }
  });
});
