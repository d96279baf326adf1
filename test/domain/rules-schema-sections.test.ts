/**
 * The schema of the rules file's sections other than `campaigns` (profiles, limits, overrides, capacity,
 * defaults) and of the document itself, checked on plain values with checkRulesValue: each problem's exact
 * code, path and message, that a problem never stops the check of the rest, and the shape of the file built
 * when there is none. (The entries of `campaigns` and the positions of problems: rules-file*.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { checkRulesValue, StreamedEntries } from "../../src/domain/rules-schema.js";

/** The issues of a document with `profiles: []`, `campaigns: []` and the given sections. */
function issuesOf(sections: Record<string, unknown>) {
  return checkRulesValue({ profiles: [], campaigns: [], ...sections }, "rules.yaml").issues;
}

/** The file built from a document with `profiles: []`, `campaigns: []` and the given sections. */
function fileOf(sections: Record<string, unknown>) {
  const checked = checkRulesValue({ profiles: [], campaigns: [], ...sections }, "rules.yaml");
  expect(checked.issues).toEqual([]);
  if (!checked.file) throw new Error("expected a file");
  return checked.file;
}

const range = (path: (string | number)[], message: string) => ({ path, code: "RULES_OUT_OF_RANGE", message });
const notInteger = (path: (string | number)[], value: number) => ({
  path,
  code: "RULES_NOT_INTEGER",
  message: `expected a whole number, got ${value}`,
});

describe("the document", () => {
  it("that is not a mapping gives one issue at the root naming the allowed keys", () => {
    expect(checkRulesValue(5, "rules.yaml")).toEqual({
      issues: [
        {
          path: [],
          code: "RULES_TYPE",
          message:
            "expected a mapping with keys profiles, licenseTier, limits, overrides, capacity, defaults, campaigns, got the number 5",
        },
      ],
      more: 0,
    });
  });

  it("without campaigns gives only the missing-key issue (no check of an absent list)", () => {
    expect(checkRulesValue({ profiles: [] }, "rules.yaml")).toEqual({
      issues: [{ path: [], code: "RULES_MISSING_KEY", message: 'missing required key "campaigns"' }],
      more: 0,
    });
  });

  it("with only the required keys gives exactly the file name, empty sections and no issue", () => {
    expect(checkRulesValue({ profiles: [], campaigns: [] }, "rules.yaml")).toStrictEqual({
      file: { fileName: "rules.yaml", profiles: [], limits: {}, overrides: [], defaults: {}, campaigns: [] },
      issues: [],
    });
  });

  it("with a licence tier and a capacity carries both", () => {
    expect(fileOf({ licenseTier: "PROFESSIONAL", capacity: { agents: 3 } })).toStrictEqual({
      fileName: "rules.yaml",
      profiles: [],
      licenseTier: "PROFESSIONAL",
      limits: {},
      overrides: [],
      capacity: { agents: 3 },
      defaults: {},
      campaigns: [],
    });
  });
});

describe("profiles", () => {
  it("that is not a list is one issue at profiles", () => {
    expect(issuesOf({ profiles: "US_TCPA" })).toEqual([
      { path: ["profiles"], code: "RULES_TYPE", message: 'expected a list, got the string "US_TCPA"' },
    ]);
  });

  it("with more than twice the number of profiles is one issue at profiles", () => {
    expect(issuesOf({ profiles: new Array(21).fill("FR") })).toEqual([
      range(["profiles"], "has 21 items, at most 20 allowed"),
    ]);
  });

  it("with two unknown names gives two unknown-name issues and no duplicate", () => {
    const options =
      "US_TCPA, US_TSR, US_REG_F, US_FL, US_OK, US_MD, US_MA_COLLECTIONS, UK_OFCOM, CA_CRTC, FR";
    expect(issuesOf({ profiles: ["US_XX", 7, "FR"] })).toEqual([
      {
        path: ["profiles", 0],
        code: "RULES_BAD_ENUM",
        message: `expected one of ${options}, got the string "US_XX"`,
      },
      {
        path: ["profiles", 1],
        code: "RULES_BAD_ENUM",
        message: `expected one of ${options}, got the number 7`,
      },
    ]);
  });

  it("listing a profile twice is an issue at the second one", () => {
    expect(issuesOf({ profiles: ["FR", "US_TCPA", "FR"] })).toEqual([
      { path: ["profiles", 2], code: "RULES_DUPLICATE_PROFILE", message: "profile FR is listed twice" },
    ]);
  });
});

describe("limits", () => {
  it("that is not a mapping is one issue at limits", () => {
    expect(issuesOf({ limits: 5 })).toEqual([
      {
        path: ["limits"],
        code: "RULES_TYPE",
        message:
          "expected a mapping with keys maxAbandonmentRate, minRetryIntervalMinutes, maxRetryIntervalMinutes, maxRetries, maxCallsPerAgent, frequency, got the number 5",
      },
    ]);
  });

  it("with an unknown key reports it under limits", () => {
    expect(issuesOf({ limits: { maxRate: 0.03 } })).toEqual([
      {
        path: ["limits", "maxRate"],
        code: "RULES_UNKNOWN_KEY",
        message:
          'unknown key "maxRate"; allowed here: maxAbandonmentRate, minRetryIntervalMinutes, maxRetryIntervalMinutes, maxRetries, maxCallsPerAgent, frequency',
        atKey: true,
      },
    ]);
  });

  it("reads every limit at its bounds", () => {
    const limits = {
      maxAbandonmentRate: 1,
      minRetryIntervalMinutes: 0,
      maxRetryIntervalMinutes: 525_600,
      maxRetries: 100,
      maxCallsPerAgent: 100,
      frequency: [
        { maxAttempts: 1, windowMinutes: 1 },
        { maxAttempts: 1000, windowMinutes: 525_600 },
      ],
    };
    expect(fileOf({ limits }).limits).toStrictEqual(limits);
  });

  it.each([
    ["maxAbandonmentRate", 1.5, "1.5 is out of range: must be at least 0 and at most 1"],
    ["minRetryIntervalMinutes", -1, "-1 is out of range: must be at least 0 and at most 525600"],
    ["maxRetryIntervalMinutes", 525_601, "525601 is out of range: must be at least 0 and at most 525600"],
    ["maxRetries", 101, "101 is out of range: must be at least 0 and at most 100"],
    ["maxRetries", -1, "-1 is out of range: must be at least 0 and at most 100"],
    ["maxCallsPerAgent", 0, "0 is out of range: must be at least 1 and at most 100"],
    ["maxCallsPerAgent", 101, "101 is out of range: must be at least 1 and at most 100"],
  ])("%s: %s is out of range at limits.%s", (key, value, message) => {
    expect(issuesOf({ limits: { [key]: value } })).toEqual([range(["limits", key], message)]);
  });

  it.each([["minRetryIntervalMinutes"], ["maxRetryIntervalMinutes"], ["maxRetries"], ["maxCallsPerAgent"]])(
    "%s must be a whole number",
    (key) => {
      expect(issuesOf({ limits: { [key]: 2.5 } })).toEqual([notInteger(["limits", key], 2.5)]);
    },
  );

  it("each wrong limit is reported, and the others still checked", () => {
    expect(
      issuesOf({ limits: { maxAbandonmentRate: "3%", maxRetries: 1, minRetryIntervalMinutes: 1.5 } }),
    ).toEqual([
      {
        path: ["limits", "maxAbandonmentRate"],
        code: "RULES_TYPE",
        message: 'expected a number, got the string "3%"',
      },
      notInteger(["limits", "minRetryIntervalMinutes"], 1.5),
    ]);
  });

  it("frequency that is not a list is one issue at limits.frequency", () => {
    expect(issuesOf({ limits: { frequency: "7 in 7 days" } })).toEqual([
      {
        path: ["limits", "frequency"],
        code: "RULES_TYPE",
        message: 'expected a list, got the string "7 in 7 days"',
      },
    ]);
  });

  it("frequency with more than 20 rules is one issue at limits.frequency", () => {
    const rule = { maxAttempts: 7, windowMinutes: 10_080 };
    expect(issuesOf({ limits: { frequency: new Array(21).fill(rule) } })).toEqual([
      range(["limits", "frequency"], "has 21 items, at most 20 allowed"),
    ]);
  });

  it("a frequency rule that is not a mapping is an issue at its index, and the next rule is still checked", () => {
    expect(issuesOf({ limits: { frequency: [5, { maxAttempts: 7 }] } })).toEqual([
      {
        path: ["limits", "frequency", 0],
        code: "RULES_TYPE",
        message: "expected a mapping with keys maxAttempts, windowMinutes, got the number 5",
      },
      {
        path: ["limits", "frequency", 1],
        code: "RULES_MISSING_KEY",
        message: 'missing required key "windowMinutes"',
      },
      {
        path: ["limits", "frequency", 1, "windowMinutes"],
        code: "RULES_TYPE",
        message: "expected a number, got undefined",
      },
    ]);
  });

  it("a frequency rule with an unknown key reports it at the key", () => {
    expect(issuesOf({ limits: { frequency: [{ maxAttempts: 7, windowMinutes: 60, perDay: 1 }] } })).toEqual([
      {
        path: ["limits", "frequency", 0, "perDay"],
        code: "RULES_UNKNOWN_KEY",
        message: 'unknown key "perDay"; allowed here: maxAttempts, windowMinutes',
        atKey: true,
      },
    ]);
  });

  it.each([
    [
      { maxAttempts: 0, windowMinutes: 60 },
      "maxAttempts",
      "0 is out of range: must be at least 1 and at most 1000",
    ],
    [
      { maxAttempts: 1001, windowMinutes: 60 },
      "maxAttempts",
      "1001 is out of range: must be at least 1 and at most 1000",
    ],
    [
      { maxAttempts: 7, windowMinutes: 0 },
      "windowMinutes",
      "0 is out of range: must be at least 1 and at most 525600",
    ],
  ])("frequency rule %j: %s out of range", (rule, key, message) => {
    expect(issuesOf({ limits: { frequency: [rule] } })).toEqual([
      range(["limits", "frequency", 0, key], message),
    ]);
  });

  it("a frequency rule's attempts must be a whole number", () => {
    expect(issuesOf({ limits: { frequency: [{ maxAttempts: 1.5, windowMinutes: 60 }] } })).toEqual([
      notInteger(["limits", "frequency", 0, "maxAttempts"], 1.5),
    ]);
  });
});

const LIMIT_NAMES =
  "maxAbandonmentRate, minRetryIntervalMinutes, maxRetryIntervalMinutes, maxCallsPerAgent.PROGRESSIVE, maxCallsPerAgent.POWER, maxCallsPerAgent.PREDICTIVE, frequency.US_REG_F, frequency.US_FL, frequency.US_OK, frequency.US_MD, frequency.US_MA_COLLECTIONS, frequency.FR";

describe("overrides", () => {
  const override = (limit: string, value: unknown) => ({ limit, value, reason: "approved by counsel" });

  it("that is not a list is one issue at overrides", () => {
    expect(issuesOf({ overrides: { limit: "maxAbandonmentRate" } })).toEqual([
      { path: ["overrides"], code: "RULES_TYPE", message: "expected a list, got a mapping" },
    ]);
  });

  it("with more than 50 is one issue at overrides", () => {
    const list = new Array(51).fill(override("maxAbandonmentRate", 0.05));
    expect(issuesOf({ overrides: list })).toEqual([range(["overrides"], "has 51 items, at most 50 allowed")]);
  });

  it("an override that is not a mapping is an issue at its index, and the next one is still checked", () => {
    expect(
      issuesOf({ overrides: ["maxAbandonmentRate", { limit: "maxRetryIntervalMinutes", reason: "x" }] }),
    ).toEqual([
      {
        path: ["overrides", 0],
        code: "RULES_TYPE",
        message: 'expected a mapping with keys limit, value, reason, got the string "maxAbandonmentRate"',
      },
      { path: ["overrides", 1], code: "RULES_MISSING_KEY", message: 'missing required key "value"' },
    ]);
  });

  it("an override with an unknown key reports it at the key", () => {
    expect(issuesOf({ overrides: [{ ...override("maxAbandonmentRate", 0.05), until: "2027" }] })).toEqual([
      {
        path: ["overrides", 0, "until"],
        code: "RULES_UNKNOWN_KEY",
        message: 'unknown key "until"; allowed here: limit, value, reason',
        atKey: true,
      },
    ]);
  });

  it("reads every limit an override may loosen, each at the largest value it allows", () => {
    const overrides = [
      override("maxAbandonmentRate", 1),
      override("minRetryIntervalMinutes", 525_600),
      override("maxRetryIntervalMinutes", 525_600),
      override("maxCallsPerAgent.PROGRESSIVE", 100),
      override("maxCallsPerAgent.POWER", 100),
      override("maxCallsPerAgent.PREDICTIVE", 100),
      override("frequency.US_REG_F", 1000),
      override("frequency.US_FL", 1000),
      override("frequency.US_OK", 1000),
      override("frequency.US_MD", 1000),
      override("frequency.US_MA_COLLECTIONS", 1000),
      override("frequency.FR", 1000),
    ];
    expect(fileOf({ overrides }).overrides).toStrictEqual(overrides);
  });

  it.each(["US_TCPA", "US_TSR", "UK_OFCOM", "CA_CRTC"])(
    "frequency.%s is no limit: that profile has no frequency rule",
    (profile) => {
      expect(issuesOf({ overrides: [override(`frequency.${profile}`, 3)] })).toEqual([
        {
          path: ["overrides", 0, "limit"],
          code: "RULES_BAD_ENUM",
          message: `expected one of ${LIMIT_NAMES}, got the string "frequency.${profile}"`,
        },
      ]);
    },
  );

  it.each([
    ["maxAbandonmentRate", 1.01, "1.01 is out of range: must be at least 0 and at most 1"],
    ["minRetryIntervalMinutes", -1, "-1 is out of range: must be at least 0 and at most 525600"],
    ["maxRetryIntervalMinutes", 525_601, "525601 is out of range: must be at least 0 and at most 525600"],
    ["maxCallsPerAgent.PROGRESSIVE", 0, "0 is out of range: must be at least 1 and at most 100"],
    ["maxCallsPerAgent.POWER", 101, "101 is out of range: must be at least 1 and at most 100"],
    ["frequency.US_REG_F", 0, "0 is out of range: must be at least 1 and at most 1000"],
    ["frequency.FR", 1001, "1001 is out of range: must be at least 1 and at most 1000"],
  ])("%s: value %s is out of range", (limit, value, message) => {
    expect(issuesOf({ overrides: [override(limit, value)] })).toEqual([
      range(["overrides", 0, "value"], message),
    ]);
  });

  it("an interval override at 0 minutes is allowed (not the ceiling's or frequency's lower bound)", () => {
    expect(fileOf({ overrides: [override("minRetryIntervalMinutes", 0)] }).overrides).toStrictEqual([
      override("minRetryIntervalMinutes", 0),
    ]);
  });

  it.each([
    "minRetryIntervalMinutes",
    "maxRetryIntervalMinutes",
    "maxCallsPerAgent.PREDICTIVE",
    "frequency.US_MD",
  ])("%s: the value must be a whole number", (limit) => {
    expect(issuesOf({ overrides: [override(limit, 2.5)] })).toEqual([
      notInteger(["overrides", 0, "value"], 2.5),
    ]);
  });

  it("a reason that is not a string is an issue at reason", () => {
    expect(issuesOf({ overrides: [{ limit: "maxAbandonmentRate", value: 0.05, reason: 5 }] })).toEqual([
      {
        path: ["overrides", 0, "reason"],
        code: "RULES_TYPE",
        message: "expected a string, got the number 5",
      },
    ]);
  });

  it("overriding a limit twice is an issue at the second one's limit, naming the first", () => {
    expect(
      issuesOf({
        overrides: [
          override("maxAbandonmentRate", 0.05),
          override("frequency.FR", 5),
          override("maxAbandonmentRate", 0.04),
        ],
      }),
    ).toEqual([
      {
        path: ["overrides", 2, "limit"],
        code: "RULES_DUPLICATE_OVERRIDE",
        message: "maxAbandonmentRate is already overridden by overrides[0]",
      },
    ]);
  });

  it("two overrides without a valid limit are not duplicates of each other", () => {
    expect(
      issuesOf({
        overrides: [override("ringTime", 5), { value: 5, reason: "x" }, { value: 6, reason: "y" }],
      }),
    ).toEqual([
      {
        path: ["overrides", 0, "limit"],
        code: "RULES_BAD_ENUM",
        message: `expected one of ${LIMIT_NAMES}, got the string "ringTime"`,
      },
      { path: ["overrides", 1], code: "RULES_MISSING_KEY", message: 'missing required key "limit"' },
      { path: ["overrides", 2], code: "RULES_MISSING_KEY", message: 'missing required key "limit"' },
    ]);
  });
});

describe("capacity", () => {
  it("that is not a mapping is one issue at capacity", () => {
    expect(issuesOf({ capacity: [] })).toEqual([
      {
        path: ["capacity"],
        code: "RULES_TYPE",
        message: "expected a mapping with keys agents, avgHandleTimeSec, connectRate, got a list",
      },
    ]);
  });

  it("with an unknown key reports it at the key", () => {
    expect(issuesOf({ capacity: { lines: 3 } })).toEqual([
      {
        path: ["capacity", "lines"],
        code: "RULES_UNKNOWN_KEY",
        message: 'unknown key "lines"; allowed here: agents, avgHandleTimeSec, connectRate',
        atKey: true,
      },
    ]);
  });

  it("reads each figure at its bounds (a handle time may be fractional)", () => {
    expect(fileOf({ capacity: { agents: 1, avgHandleTimeSec: 1.5, connectRate: 1 } }).capacity).toStrictEqual(
      {
        agents: 1,
        avgHandleTimeSec: 1.5,
        connectRate: 1,
      },
    );
    expect(
      fileOf({ capacity: { agents: 100_000, avgHandleTimeSec: 86_400, connectRate: 0.001 } }).capacity,
    ).toStrictEqual({ agents: 100_000, avgHandleTimeSec: 86_400, connectRate: 0.001 });
  });

  it.each([
    ["agents", 0, "0 is out of range: must be at least 1 and at most 100000"],
    ["agents", 100_001, "100001 is out of range: must be at least 1 and at most 100000"],
    ["avgHandleTimeSec", 0.5, "0.5 is out of range: must be at least 1 and at most 86400"],
    ["avgHandleTimeSec", 86_401, "86401 is out of range: must be at least 1 and at most 86400"],
    ["connectRate", 0, "0 is out of range: must be greater than 0 and at most 1"],
    ["connectRate", 1.5, "1.5 is out of range: must be greater than 0 and at most 1"],
  ])("%s: %s is out of range", (key, value, message) => {
    expect(issuesOf({ capacity: { [key]: value } })).toEqual([range(["capacity", key], message)]);
  });

  it("agents must be a whole number", () => {
    expect(issuesOf({ capacity: { agents: 2.5 } })).toEqual([notInteger(["capacity", "agents"], 2.5)]);
  });
});

describe("defaults", () => {
  it("that is not a mapping is one issue at defaults", () => {
    expect(issuesOf({ defaults: 5 })).toEqual([
      {
        path: ["defaults"],
        code: "RULES_TYPE",
        message: "expected a mapping with keys dialingRules, got the number 5",
      },
    ]);
  });

  it("without dialingRules is no rule at all", () => {
    expect(fileOf({ defaults: {} }).defaults).toStrictEqual({});
  });

  it("with dialingRules reads them", () => {
    expect(fileOf({ defaults: { dialingRules: { maxCallsPerAgent: 2 } } }).defaults).toStrictEqual({
      maxCallsPerAgent: 2,
    });
  });
});

describe("campaigns checked as they were read (StreamedEntries)", () => {
  it("are taken, with their issues, when the list is the document's campaigns", () => {
    const list: unknown[] = [{}, {}];
    const entries = new StreamedEntries();
    entries.add(0, { id: "A" }, 3, 5);
    entries.add(1, { id: 7 }, 4, 5);
    expect(checkRulesValue({ profiles: [], campaigns: list }, "rules.yaml", { list, entries })).toEqual({
      issues: [
        { path: ["campaigns", 1, "id"], code: "RULES_TYPE", message: "expected a string, got the number 7" },
      ],
      more: 0,
    });
  });

  it("give the entries with their lines when there is no issue", () => {
    const list: unknown[] = [{}];
    const entries = new StreamedEntries();
    entries.add(0, { id: "A" }, 3, 5);
    const checked = checkRulesValue({ profiles: [], campaigns: list }, "rules.yaml", { list, entries });
    expect(checked.file?.campaigns).toStrictEqual([
      {
        index: 0,
        selector: { kind: "id", id: "A" },
        dialingRules: {},
        label: "campaigns[0] (id A)",
        line: 3,
        column: 5,
      },
    ]);
  });

  it("are ignored when the document's campaigns is another list: that one is checked", () => {
    const entries = new StreamedEntries();
    entries.add(0, { id: "A" });
    const value = { profiles: [], campaigns: [{ id: 7 }] };
    expect(checkRulesValue(value, "rules.yaml", { list: [{}], entries })).toEqual({
      issues: [
        { path: ["campaigns", 0, "id"], code: "RULES_TYPE", message: "expected a string, got the number 7" },
      ],
      more: 0,
    });
  });

  it("are refused, like an unstreamed list, when the list has more than 100,000 items", () => {
    const list: unknown[] = new Array(100_001);
    expect(
      checkRulesValue({ profiles: [], campaigns: list }, "rules.yaml", {
        list,
        entries: new StreamedEntries(),
      }),
    ).toEqual({ issues: [range(["campaigns"], "has 100001 items, at most 100000 allowed")], more: 0 });
  });
});
