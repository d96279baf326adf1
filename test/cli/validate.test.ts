import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { registerValidate, runValidate, type ValidateOptions } from "../../src/cli/commands/validate.js";
import type { ValidateReport } from "../../src/cli/render/validate-report.js";

const dir = mkdtempSync(join(tmpdir(), "dialrules-validate-"));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

async function run(opts: ValidateOptions) {
  let stdout = "";
  let stderr = "";
  const exit = await runValidate(opts, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { exit, stdout, stderr };
}

describe("dialrules validate", () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it("exit 0 for a valid file (warnings allowed), 1 for violations", async () => {
    expect((await run({ file: "examples/valid.yaml" })).exit).toBe(0);
    expect((await run({ file: "examples/violations.yaml" })).exit).toBe(1);
  });

  it("exit 2 for a missing file, in text and JSON", async () => {
    const text = await run({ file: join(dir, "nope.yaml") });
    expect(text.exit).toBe(2);
    expect(text.stderr).toContain("FILE_UNREADABLE");
    const json = await run({ file: join(dir, "nope.yaml"), format: "json" });
    expect(json.exit).toBe(2);
    const report = JSON.parse(json.stdout) as ValidateReport;
    expect(report).toMatchObject({
      status: "unreadable",
      valid: false,
      inputErrors: [{ code: "FILE_UNREADABLE" }],
    });
  });

  it("exit 2 for YAML syntax errors, with every problem listed", async () => {
    const file = write("bad.yaml", "campaigns: [\n  {id: A\n");
    const r = await run({ file, format: "json" });
    expect(r.exit).toBe(2);
    const report = JSON.parse(r.stdout) as ValidateReport;
    expect(report.inputErrors.length).toBeGreaterThan(0);
    expect(report.inputErrors[0]?.line).toBeTypeOf("number");
  });

  it("the JSON report has a stable shape", async () => {
    const r = await run({ file: "examples/violations.yaml", format: "json" });
    const report = JSON.parse(r.stdout) as ValidateReport;
    expect(Object.keys(report)).toEqual([
      "format",
      "file",
      "valid",
      "status",
      "summary",
      "policy",
      "groups",
      "inputErrors",
    ]);
    expect(report.format).toBe("dialrules-validate/1");
    expect(report.groups.map((g) => g.group)).toEqual([
      "policy",
      "defaults",
      "campaigns[0] (id CMP-10001)",
      "campaigns[1] (id CMP-10009)",
      'campaigns[2] (match "Collections-*")',
      "campaigns[3] (id CMP-10012)",
    ]);
    for (const g of report.groups) {
      expect(Object.keys(g)).toEqual(["group", "index", "selector", "line", "rules", "findings", "capacity"]);
      for (const f of g.findings)
        expect(Object.keys(f)).toEqual(["severity", "code", "path", "message", "citation"]);
    }
    const errors = report.groups.flatMap((g) => g.findings).filter((f) => f.severity === "error");
    expect(errors.length).toBe(report.summary.errors);
  });

  it("reports a defaults problem once, under defaults, with the path where it was written", async () => {
    const file = write(
      "defaults.yaml",
      `profiles: [US_TCPA]
defaults: {dialingRules: {abandonmentRateThreshold: {maxRate: 0.05, coolDownSec: 1}}}
campaigns:
  - id: A
  - id: B
    dialingRules: {abandonmentRateThreshold: {maxRate: 0.04, coolDownSec: 1}}
`,
    );
    const report = JSON.parse((await run({ file, format: "json" })).stdout) as ValidateReport;
    const paths = report.groups.map((g) => [
      g.group,
      g.findings.filter((f) => f.severity === "error").map((f) => f.path),
    ]);
    expect(paths).toEqual([
      ["policy", []],
      ["defaults", ["defaults.dialingRules.abandonmentRateThreshold.maxRate"]],
      ["campaigns[0] (id A)", []],
      ["campaigns[1] (id B)", ["campaigns[1].dialingRules.abandonmentRateThreshold.maxRate"]],
    ]);
  });

  it("checks needing a field nobody sets are skipped offline", async () => {
    const file = write(
      "partial.yaml",
      "profiles: [US_TCPA]\ncampaigns:\n  - id: A\n    dialingRules: {maxCallsPerAgent: 3}\n",
    );
    expect((await run({ file })).exit).toBe(0); // no method known: the per-method ceiling cannot be checked
  });

  it("capacity from flags overrides the file and shows in the output", async () => {
    const r = await run({
      file: "examples/valid.yaml",
      format: "json",
      agents: 50,
      aht: 120,
      connectRate: 0.5,
    });
    const report = JSON.parse(r.stdout) as ValidateReport;
    const cap = report.groups.find((g) => g.group === "campaigns[1] (id CMP-10007)")?.capacity;
    expect(cap?.inputs).toEqual({ agents: 50, avgHandleTimeSec: 120, connectRate: 0.5 });
    expect(cap?.linesInUse).toBe(100);
    const text = await run({ file: "examples/valid.yaml" });
    expect(text.stdout).toContain(
      "capacity: PREDICTIVE ×2 lines/agent · per agent 68.2 dials/h, 12.3 connects/h",
    );
    expect(text.stdout).toContain("capacity inputs (whole file): 25 agents");
  });

  it("writes a long text report in pieces of whole lines that add up to the report (issue 17)", async () => {
    const n = 3000;
    const entries = Array.from(
      { length: n },
      (_, i) => `  - id: CMP-${i + 1}\n    dialingRules: {dialingMethod: PREVIEW, maxCallsPerAgent: 1}\n`,
    );
    const file = write("long.yaml", `profiles: [US_TCPA]\ncampaigns:\n${entries.join("")}`);
    const pieces: string[] = [];
    const exit = await runValidate({ file }, { stdout: (t) => pieces.push(t), stderr: () => undefined });
    expect(exit).toBe(0);
    // streamed, not one string: several writes, each of whole lines and of bounded size
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) {
      expect(piece.endsWith("\n")).toBe(true);
      expect(piece.length).toBeLessThan(70_000);
    }
    const text = pieces.join("");
    expect(text.startsWith(`${file}: valid — 0 errors, 3 warnings, 3000 entries\n`)).toBe(true);
    expect(text.match(/^ {2}ok$/gm)).toHaveLength(n);
    expect(text).toContain(`\ncampaigns[${n - 1}] (id CMP-${n})  (line ${2 * n + 1})\n  ok\n`);
    expect(text.endsWith("against the platform's current rules.\n")).toBe(true);
  });

  it("is wired into commander with -f and --format", async () => {
    const program = new Command().exitOverride();
    registerValidate(program);
    const writes: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      writes.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await program.parseAsync([
        "node",
        "dialrules",
        "validate",
        "-f",
        "examples/violations.yaml",
        "--format",
        "json",
      ]);
    } finally {
      process.stdout.write = orig;
    }
    expect(process.exitCode).toBe(1);
    expect(JSON.parse(writes.join("")).status).toBe("invalid");
  });
});
