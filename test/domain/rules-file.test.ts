import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/domain/errors.js";
import { parseRulesFile, parseRulesValue, RulesFileError } from "../../src/domain/rules-file.js";
import { policyFromFile } from "../../src/domain/validate.js";
import { propertyRuns } from "../setup/property-runs.js";

const ISSUE_EXAMPLE = `profiles: [US_TCPA, US_REG_F]     # strictest limit wins
licenseTier: ENTERPRISE
limits: {minRetryIntervalMinutes: 10, maxRetryIntervalMinutes: 480}
defaults: {dialingRules: {abandonmentRateThreshold: {maxRate: 0.03, coolDownSec: 300}}}
campaigns:
  - id: CMP-12345
    dialingRules: {dialingMethod: PROGRESSIVE, maxCallsPerAgent: 2,
                   retrySettings: {maxAttempts: 3, intervalMinutes: [15, 60, 240]}}
  - match: "Collections-*"
    dialingRules: {dialingMethod: PREVIEW}
`;

function problemsOf(text: string, fileName = "rules.yaml"): InputError[] {
  try {
    parseRulesFile(text, fileName);
  } catch (err) {
    expect(err).toBeInstanceOf(RulesFileError);
    return [...(err as RulesFileError).problems];
  }
  throw new Error("expected a RulesFileError");
}

describe("parseRulesFile", () => {
  it("reads the issue's example", () => {
    const file = parseRulesFile(ISSUE_EXAMPLE, "rules.yaml");
    expect(file.profiles).toEqual(["US_TCPA", "US_REG_F"]);
    expect(file.licenseTier).toBe("ENTERPRISE");
    expect(file.limits).toEqual({ minRetryIntervalMinutes: 10, maxRetryIntervalMinutes: 480 });
    expect(file.defaults).toEqual({ abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 } });
    expect(file.campaigns).toHaveLength(2);
    expect(file.campaigns[0]).toMatchObject({
      index: 0,
      selector: { kind: "id", id: "CMP-12345" },
      label: "campaigns[0] (id CMP-12345)",
      line: 6,
      column: 5,
    });
    expect(file.campaigns[1]).toMatchObject({
      selector: { kind: "match", pattern: "Collections-*" },
      label: 'campaigns[1] (match "Collections-*")',
      dialingRules: { dialingMethod: "PREVIEW" },
    });
  });

  it("accepts JSON", () => {
    const json = JSON.stringify({
      profiles: ["FR"],
      campaigns: [{ id: "A", dialingRules: { maxCallsPerAgent: 1 } }],
    });
    const file = parseRulesFile(json, "rules.json");
    expect(file.profiles).toEqual(["FR"]);
    expect(file.campaigns[0]?.dialingRules).toEqual({ maxCallsPerAgent: 1 });
  });

  it("puts the profiles in canonical order whatever the file's order", () => {
    const a = parseRulesFile("profiles: [US_REG_F, US_TCPA]\ncampaigns: []\n", "a.yaml");
    const b = parseRulesFile("profiles: [US_TCPA, US_REG_F]\ncampaigns: []\n", "b.yaml");
    expect(a.profiles).toEqual(b.profiles);
  });

  it.each([
    ["unknown top-level key", "campaigns: []\nprofile: [US_TCPA]\n", "RULES_UNKNOWN_KEY", "profile", 2, 1],
    [
      "unknown rule key",
      "campaigns:\n  - id: A\n    dialingRules: {dialMethod: PREVIEW}\n",
      "RULES_UNKNOWN_KEY",
      "campaigns[0].dialingRules.dialMethod",
      3,
      20,
    ],
    [
      "wrong type",
      'campaigns:\n  - id: A\n    dialingRules: {maxCallsPerAgent: "2"}\n',
      "RULES_TYPE",
      "campaigns[0].dialingRules.maxCallsPerAgent",
      3,
      38,
    ],
    [
      "NaN",
      "campaigns:\n  - id: A\n    dialingRules: {abandonmentRateThreshold: {maxRate: .nan, coolDownSec: 1}}\n",
      "RULES_NOT_FINITE",
      "campaigns[0].dialingRules.abandonmentRateThreshold.maxRate",
      3,
      56,
    ],
    [
      "Infinity",
      "campaigns:\n  - id: A\n    dialingRules: {retrySettings: {maxAttempts: .inf, intervalMinutes: []}}\n",
      "RULES_NOT_FINITE",
      "campaigns[0].dialingRules.retrySettings.maxAttempts",
      3,
      49,
    ],
    [
      "negative",
      "campaigns:\n  - id: A\n    dialingRules: {maxCallsPerAgent: -1}\n",
      "RULES_OUT_OF_RANGE",
      "campaigns[0].dialingRules.maxCallsPerAgent",
      3,
      38,
    ],
    [
      "absurd retries",
      "campaigns:\n  - id: A\n    dialingRules: {retrySettings: {maxAttempts: 1000000000, intervalMinutes: [1]}}\n",
      "RULES_OUT_OF_RANGE",
      "campaigns[0].dialingRules.retrySettings.maxAttempts",
      3,
      49,
    ],
    [
      "fractional minutes",
      "campaigns:\n  - id: A\n    dialingRules: {retrySettings: {maxAttempts: 1, intervalMinutes: [1.5]}}\n",
      "RULES_NOT_INTEGER",
      "campaigns[0].dialingRules.retrySettings.intervalMinutes[0]",
      3,
      70,
    ],
    ["both id and match", "campaigns:\n  - id: A\n    match: 'B*'\n", "RULES_SELECTOR", "campaigns[0]", 2, 5],
    ["neither id nor match", "campaigns:\n  - dialingRules: {}\n", "RULES_SELECTOR", "campaigns[0]", 2, 5],
    ["duplicate id", "campaigns:\n  - id: A\n  - id: A\n", "RULES_DUPLICATE_ID", "campaigns[1].id", 3, 9],
    ["bad glob", "campaigns:\n  - match: 'Coll[ections'\n", "RULES_BAD_GLOB", "campaigns[0].match", 2, 12],
    ["empty glob", "campaigns:\n  - match: ''\n", "RULES_EMPTY", "campaigns[0].match", 2, 12],
    ["unknown profile", "profiles: [US_XX]\ncampaigns: []\n", "RULES_BAD_ENUM", "profiles[0]", 1, 12],
    ["bad licence tier", "licenseTier: GOLD\ncampaigns: []\n", "RULES_BAD_ENUM", "licenseTier", 1, 14],
    [
      "incomplete nested object",
      "campaigns:\n  - id: A\n    dialingRules: {abandonmentRateThreshold: {maxRate: 0.03}}\n",
      "RULES_MISSING_KEY",
      "campaigns[0].dialingRules.abandonmentRateThreshold",
      3,
      46,
    ],
    [
      "override without reason",
      "overrides:\n  - {limit: maxAbandonmentRate, value: 0.05}\ncampaigns: []\n",
      "RULES_OVERRIDE_REASON",
      "overrides[0]",
      2,
      5,
    ],
    [
      "override with blank reason",
      "overrides:\n  - {limit: maxAbandonmentRate, value: 0.05, reason: '  '}\ncampaigns: []\n",
      "RULES_OVERRIDE_REASON",
      "overrides[0].reason",
      2,
      54,
    ],
    [
      "override of an unknown limit",
      "overrides:\n  - {limit: ringTime, value: 5, reason: x}\ncampaigns: []\n",
      "RULES_BAD_ENUM",
      "overrides[0].limit",
      2,
      13,
    ],
    ["missing campaigns", "profiles: []\n", "RULES_MISSING_KEY", undefined, 1, 1],
    ["missing profiles", "campaigns: []\n", "RULES_MISSING_PROFILES", "profiles", 1, 1],
  ])("%s → %s at the right place", (_name, text, code, path, line, column) => {
    const problems = problemsOf(text);
    const p = problems.find((x) => x.code === code);
    expect(p, JSON.stringify(problems.map((x) => [x.code, x.path]))).toBeDefined();
    expect(p?.path).toBe(path);
    expect(p?.location).toEqual({ file: "rules.yaml", line, column });
  });

  it("reports YAML syntax errors and duplicate keys with positions", () => {
    expect(problemsOf("campaigns: [\n")[0]?.location?.line).toBeGreaterThanOrEqual(1);
    const dup = problemsOf("campaigns: []\ncampaigns: []\n");
    expect(dup[0]?.code).toBe("RULES_YAML_DUPLICATE_KEY");
    expect(dup[0]?.location).toMatchObject({ file: "rules.yaml", line: 2, column: 1 });
  });

  it("reports JSON syntax errors with a position", () => {
    const [p] = problemsOf('{"campaigns": [}', "rules.json");
    expect(p?.code).toBe("RULES_JSON_SYNTAX");
    expect(p?.location).toMatchObject({ file: "rules.json", line: 1 });
  });

  it("locates schema errors in JSON files too", () => {
    const [p] = problemsOf(
      '{\n  "profiles": [],\n  "campaigns": [\n    {"id": "A", "bogus": 1}\n  ]\n}\n',
      "rules.json",
    );
    expect(p).toMatchObject({ code: "RULES_UNKNOWN_KEY", path: "campaigns[0].bogus" });
    expect(p?.location).toMatchObject({ line: 4, column: 17 });
  });

  it("lists every problem at once, in document order, and says so in one message", () => {
    const text = `profiles: [US_TCPA, NOPE]
campaigns:
  - id: A
    dialingRules: {maxCallsPerAgent: 0}
  - id: A
  - match: "x[" 
`;
    const problems = problemsOf(text);
    expect(problems.map((p) => p.code)).toEqual([
      "RULES_BAD_ENUM",
      "RULES_OUT_OF_RANGE",
      "RULES_DUPLICATE_ID",
      "RULES_BAD_GLOB",
    ]);
    try {
      parseRulesFile(text, "rules.yaml");
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain("4 problems in rules.yaml");
      expect((err as Error).message).toContain("rules.yaml:4:38: campaigns[0].dialingRules.maxCallsPerAgent");
    }
  });

  it("names the first entry with an id at each later one, whatever the order of the ids", () => {
    const text =
      "profiles: []\ncampaigns:\n  - id: B\n  - id: A\n  - id: B\n  - id: C\n  - id: A\n  - id: B\n";
    expect(problemsOf(text).map((p) => [p.path, p.location?.line, p.message])).toEqual([
      ["campaigns[2].id", 5, "id B is already used by campaigns[0]; merge the two entries"],
      ["campaigns[4].id", 7, "id A is already used by campaigns[1]; merge the two entries"],
      ["campaigns[5].id", 8, "id B is already used by campaigns[0]; merge the two entries"],
    ]);
  });

  it("never throws anything but RulesFileError for arbitrary text (property)", () => {
    const yamlish = fc.stringMatching(/^[a-zA-Z0-9:\-[\]{}'", .#&*!|>\n]*$/);
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), yamlish),
        fc.boolean(),
        (text, json) => {
          try {
            parseRulesFile(text, json ? "f.json" : "f.yaml");
          } catch (err) {
            if (!(err instanceof RulesFileError)) throw err;
            expect(err.problems.length).toBeGreaterThan(0);
            for (const p of err.problems) expect(p).toBeInstanceOf(InputError);
          }
        },
      ),
      { numRuns: propertyRuns(500) },
    );
  });

  it("never throws anything but RulesFileError for arbitrary values (property)", () => {
    const ruleish = fc.record(
      {
        profiles: fc.array(fc.oneof(fc.constantFrom("US_TCPA", "FR", "X"), fc.anything())),
        licenseTier: fc.oneof(fc.constantFrom("ENTERPRISE", "GOLD"), fc.anything()),
        campaigns: fc.array(
          fc.record(
            {
              id: fc.oneof(fc.string(), fc.anything()),
              match: fc.oneof(fc.string(), fc.anything()),
              dialingRules: fc.oneof(
                fc.record(
                  {
                    dialingMethod: fc.oneof(fc.constantFrom("PREVIEW", "POWER"), fc.anything()),
                    maxCallsPerAgent: fc.oneof(fc.double(), fc.integer(), fc.anything()),
                    retrySettings: fc.anything(),
                  },
                  { requiredKeys: [] },
                ),
                fc.anything(),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
        overrides: fc.anything(),
        limits: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), ruleish), (value) => {
        try {
          parseRulesValue(value, "v");
        } catch (err) {
          if (!(err instanceof RulesFileError)) throw err;
        }
      }),
      { numRuns: propertyRuns(500) },
    );
  });
});

describe("profiles: is required", () => {
  const POWER_HALF = `campaigns:
  - id: A
    dialingRules: {dialingMethod: POWER, abandonmentRateThreshold: {maxRate: 0.5, coolDownSec: 0}}
`;
  it("a file without it is refused, saying how to fix it (reproduction: it validated maxRate 0.5 as valid)", () => {
    const [p, ...rest] = problemsOf(POWER_HALF);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ code: "RULES_MISSING_PROFILES", path: "profiles" });
    expect(p?.message).toContain("profiles: []");
  });
  it("`profiles: []` written explicitly parses, and the policy warns that only structural checks run", () => {
    const file = parseRulesFile(`profiles: []\n${POWER_HALF}`, "rules.yaml");
    expect(policyFromFile(file).findings).toContainEqual(
      expect.objectContaining({ severity: "warning", code: "POLICY_NO_PROFILE", path: "profiles" }),
    );
  });
});
