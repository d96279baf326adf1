/**
 * One command-line vocabulary (issue #12 §3): error codes in one case style, help text in one style,
 * `--format` always a format and `-o/--output` always a file path, in every command.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command, type Option } from "commander";
import { describe, expect, it } from "vitest";
import { registerApply } from "../../src/cli/commands/apply.js";
import { registerAudit } from "../../src/cli/commands/audit.js";
import { registerDb } from "../../src/cli/commands/db.js";
import { registerDemo } from "../../src/cli/commands/demo.js";
import { registerExport } from "../../src/cli/commands/export.js";
import { registerHistory } from "../../src/cli/commands/history.js";
import { registerPlan } from "../../src/cli/commands/plan.js";
import { registerRevert } from "../../src/cli/commands/revert.js";
import { registerServe } from "../../src/cli/commands/serve.js";
import { registerShow } from "../../src/cli/commands/show.js";
import { registerSim } from "../../src/cli/commands/sim.js";
import { registerTokens } from "../../src/cli/commands/tokens.js";
import { registerValidate } from "../../src/cli/commands/validate.js";
import { registerWebhooks } from "../../src/cli/commands/webhooks.js";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Error classes whose first argument is the code. */
const CODE_FIRST = /new (DialrulesError|InputError|PlatformError)\(\s*"([^"]*)"/g;

describe("error codes", () => {
  it("are UPPER_SNAKE_CASE everywhere but the HTTP API's problem codes (src/server, lower_snake_case)", () => {
    const wrong: string[] = [];
    let seen = 0;
    for (const file of sourceFiles("src").filter((f) => !f.startsWith(join("src", "server")))) {
      for (const m of readFileSync(file, "utf8").matchAll(CODE_FIRST)) {
        seen++;
        if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(m[2] ?? "")) wrong.push(`${file}: ${m[2]}`);
      }
    }
    expect(seen).toBeGreaterThan(50);
    expect(wrong).toEqual([]);
  });
});

function program(): Command {
  const p = new Command();
  for (const register of [
    registerValidate,
    registerPlan,
    registerApply,
    registerExport,
    registerDemo,
    registerSim,
    registerAudit,
    registerDb,
    registerHistory,
    registerRevert,
    registerShow,
    registerWebhooks,
    registerServe,
    registerTokens,
  ])
    register(p);
  return p;
}

function commands(c: Command, prefix = ""): [string, Command][] {
  return c.commands.flatMap((sub) => {
    const name = `${prefix}${sub.name()}`;
    return [[name, sub] as [string, Command], ...commands(sub, `${name} `)];
  });
}

const visible = (c: Command): Option[] => c.options.filter((o) => !o.hidden);

describe("help text", () => {
  it("starts lower case and has no trailing period, in every command and option", () => {
    const wrong: string[] = [];
    const check = (where: string, text: string) => {
      // a capitalised first word; acronyms and names such as SQLite, OAuth2, PEM are fine
      if (/^[A-Z][a-z]/.test(text) || /\.$/.test(text.trim())) wrong.push(`${where}: ${text}`);
    };
    for (const [name, c] of commands(program())) {
      check(name, c.description());
      for (const o of visible(c)) check(`${name} ${o.flags}`, o.description);
    }
    expect(wrong).toEqual([]);
  });

  it("--format is always a format and -o/--output always a file, in every command that has them", () => {
    const all = commands(program());
    const withFormat = all.filter(([, c]) => c.options.some((o) => o.long === "--format"));
    expect(withFormat.map(([n]) => n)).toEqual(
      expect.arrayContaining([
        "validate",
        "plan",
        "apply",
        "export",
        "audit list",
        "audit verify",
        "audit as-of",
        "audit export",
        "history",
        "show",
      ]),
    );
    for (const [name, c] of all) {
      const format = c.options.find((o) => o.long === "--format");
      if (format) expect(format.flags, name).toBe("--format <format>");
      const output = c.options.find((o) => o.long === "--output");
      if (output) expect(output.flags, name).toBe("-o, --output <file>");
      // nothing else may claim -o, and no visible --out remains
      expect(
        visible(c)
          .filter((o) => o.short === "-o" || o.long === "--out")
          .map((o) => o.flags),
        name,
      ).toEqual(output ? ["-o, --output <file>"] : []);
    }
  });

  it("-o/--output refuses a bare format word instead of writing a file named after it", async () => {
    const p = program().exitOverride();
    for (const c of p.commands) c.exitOverride();
    let stderr = "";
    p.configureOutput({ writeErr: (t) => (stderr += t) });
    for (const c of commands(p)) c[1].configureOutput({ writeErr: (t) => (stderr += t) });
    await expect(
      p.parseAsync(["node", "dialrules", "history", "CMP-1", "--output", "json"]),
    ).rejects.toThrow();
    expect(stderr).toContain("-o/--output takes a file path; for the output format use --format json");
  });
});

describe("default ports", () => {
  it("sim and serve do not share one, so both run side by side with no flags", () => {
    const byName = new Map(commands(program()));
    const port = (name: string) => byName.get(name)?.options.find((o) => o.long === "--port")?.defaultValue;
    expect(port("serve")).toBe("8080");
    expect(port("sim")).toBe("4010");
  });
});
