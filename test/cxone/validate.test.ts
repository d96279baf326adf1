/** `dialrules validate --platform cxone`: what CXone cannot store, reported offline (no platform access). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { runValidate } from "../../src/cli/commands/validate.js";

const RULES = `profiles: [US_TCPA]
licenseTier: ENTERPRISE
defaults:
  dialingRules:
    abandonmentRateThreshold: {maxRate: 0.0295, coolDownSec: 300}
campaigns:
  - id: "4100001"
    dialingRules: {dialingMethod: PROGRESSIVE, maxCallsPerAgent: 1}
  - match: "PC-*"
    dialingRules: {retrySettings: {maxAttempts: 2, intervalMinutes: [60, 1440]}}
`;

async function validate(platform?: string, rules = RULES) {
  const file = join(mkdtempSync(join(tmpdir(), "dialrules-val-")), "rules.yaml");
  writeFileSync(file, rules);
  let stdout = "";
  const code = await runValidate(
    { file, format: "json", ...(platform ? { platform } : {}) },
    { stdout: (t) => (stdout += t), stderr: () => undefined },
  );
  return {
    code,
    report: JSON.parse(stdout) as { valid: boolean; findings?: unknown } & Record<string, unknown>,
  };
}

it("reports unwritable fields, irregular intervals, a cool-down and extra precision, each where it was written", async () => {
  const plain = await validate();
  expect(plain.code).toBe(0);
  const { code, report } = await validate("cxone");
  expect(code).toBe(1);
  const text = JSON.stringify(report);
  const found = [...text.matchAll(/"code":"(PLATFORM_[A-Z_]+)","path":"([^"]+)"/g)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
  expect(found.sort()).toEqual([
    "PLATFORM_CANNOT_STORE campaigns[1].dialingRules.retrySettings.intervalMinutes",
    "PLATFORM_CANNOT_STORE defaults.dialingRules.abandonmentRateThreshold.coolDownSec",
    "PLATFORM_CANNOT_STORE defaults.dialingRules.abandonmentRateThreshold.maxRate",
    "PLATFORM_FIELD_NOT_WRITABLE campaigns[0].dialingRules.dialingMethod",
  ]);
  expect(text).toContain("CXone stores the abandon rate with one decimal of a percent");
  // Every platform finding is an error; the defaults' findings are not repeated under each entry.
  expect(report.summary).toEqual({ errors: 4, warnings: 3, entries: 2 });
  const groups = report.groups as { group: string; findings: Record<string, unknown>[] }[];
  expect(groups.find((g) => g.group.startsWith("campaigns[0]"))?.findings).toEqual([
    {
      severity: "error",
      code: "PLATFORM_FIELD_NOT_WRITABLE",
      path: "campaigns[0].dialingRules.dialingMethod",
      message:
        "the cxone platform has no setting for dialingMethod; change it in the platform's own admin tool or remove it from the rules file",
      citation: null,
    },
  ]);
  expect(groups.find((g) => g.group === "defaults")?.findings.map((f) => f.severity)).toEqual([
    "error",
    "error",
  ]);
});

it("rules CXone can store exactly are valid for it, warnings and all", async () => {
  const storable = `profiles: [US_TCPA]
licenseTier: ENTERPRISE
campaigns:
  - id: "4100001"
    dialingRules: {maxCallsPerAgent: 1, abandonmentRateThreshold: {maxRate: 0.029, coolDownSec: 0}}
`;
  const { code, report } = await validate("cxone", storable);
  expect(code).toBe(0);
  expect(report).toMatchObject({ valid: true, summary: { errors: 0, warnings: 3, entries: 1 } });
});
