/**
 * The schema's checks of values, dialing rules and `campaigns` entries, pinned by their exact problems
 * (path, code, message): each message names what was expected and what was found, and a wrong value is
 * reported once, without follow-on problems from checking what is not there.
 */
import { describe, expect, it } from "vitest";
import { parseRulesValue, RulesFileError } from "../../src/domain/rules-file.js";

type Problem = [path: string | undefined, code: string, message: string];

function problemsOf(value: unknown): Problem[] {
  try {
    parseRulesValue(value, "rules.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(RulesFileError);
    return (err as RulesFileError).problems.map((p) => [p.path, p.code, p.message]);
  }
  throw new Error("expected a RulesFileError");
}

const withEntries = (...campaigns: unknown[]) => ({ profiles: [], campaigns });
const withRules = (dialingRules: unknown) => withEntries({ id: "A", dialingRules });
const RULES = "campaigns[0].dialingRules";
const TOP_KEYS = "profiles, licenseTier, limits, overrides, capacity, defaults, campaigns";
const S40 = "0123456789".repeat(4);

describe("a value of the wrong type: the message names what was expected and describes what was found", () => {
  it.each<[string, unknown, Problem]>([
    [
      "a document that is null",
      null,
      [undefined, "RULES_TYPE", `expected a mapping with keys ${TOP_KEYS}, got null`],
    ],
    [
      "a document that is a list",
      [],
      [undefined, "RULES_TYPE", `expected a mapping with keys ${TOP_KEYS}, got a list`],
    ],
    [
      "a document that is a string",
      "campaigns",
      [undefined, "RULES_TYPE", `expected a mapping with keys ${TOP_KEYS}, got the string "campaigns"`],
    ],
    [
      "an entry that is a number",
      withEntries(5),
      [
        "campaigns[0]",
        "RULES_TYPE",
        "expected a mapping with keys id, match, dialingRules, got the number 5",
      ],
    ],
    [
      "an entry that is a boolean",
      withEntries(true),
      ["campaigns[0]", "RULES_TYPE", "expected a mapping with keys id, match, dialingRules, got boolean"],
    ],
    [
      "dialing rules that are a list",
      withRules([1]),
      [
        RULES,
        "RULES_TYPE",
        "expected a mapping with keys dialingMethod, retrySettings, abandonmentRateThreshold, maxCallsPerAgent, got a list",
      ],
    ],
    [
      "retry settings that are a number",
      withRules({ retrySettings: 5 }),
      [
        `${RULES}.retrySettings`,
        "RULES_TYPE",
        "expected a mapping with keys maxAttempts, intervalMinutes, got the number 5",
      ],
    ],
    [
      "an abandonment threshold that is null",
      withRules({ abandonmentRateThreshold: null }),
      [
        `${RULES}.abandonmentRateThreshold`,
        "RULES_TYPE",
        "expected a mapping with keys maxRate, coolDownSec, got null",
      ],
    ],
    [
      "an id that is a number",
      withEntries({ id: 5 }),
      ["campaigns[0].id", "RULES_TYPE", "expected a string, got the number 5"],
    ],
    [
      "an id that is null",
      withEntries({ id: null }),
      ["campaigns[0].id", "RULES_TYPE", "expected a string, got null"],
    ],
    [
      "an id that is a mapping",
      withEntries({ id: {} }),
      ["campaigns[0].id", "RULES_TYPE", "expected a string, got a mapping"],
    ],
    [
      "an id that is a list",
      withEntries({ id: [] }),
      ["campaigns[0].id", "RULES_TYPE", "expected a string, got a list"],
    ],
    [
      "an id that is a boolean",
      withEntries({ id: false }),
      ["campaigns[0].id", "RULES_TYPE", "expected a string, got boolean"],
    ],
    [
      "a match that is a number (no glob check on it)",
      withEntries({ match: 5 }),
      ["campaigns[0].match", "RULES_TYPE", "expected a string, got the number 5"],
    ],
    [
      "a number given as a string",
      withRules({ maxCallsPerAgent: "2" }),
      [`${RULES}.maxCallsPerAgent`, "RULES_TYPE", 'expected a number, got the string "2"'],
    ],
    [
      "a string of 40 characters, quoted whole",
      withRules({ maxCallsPerAgent: S40 }),
      [`${RULES}.maxCallsPerAgent`, "RULES_TYPE", `expected a number, got the string "${S40}"`],
    ],
    [
      "a string of 41 characters, cut after 40",
      withRules({ maxCallsPerAgent: `${S40}XYZ` }),
      [`${RULES}.maxCallsPerAgent`, "RULES_TYPE", `expected a number, got the string "${S40}…"`],
    ],
    [
      "a method that is a number",
      withRules({ dialingMethod: 1 }),
      [
        `${RULES}.dialingMethod`,
        "RULES_BAD_ENUM",
        "expected one of PREDICTIVE, PROGRESSIVE, POWER, PREVIEW, got the number 1",
      ],
    ],
    [
      "a method that is a boolean",
      withRules({ dialingMethod: true }),
      [
        `${RULES}.dialingMethod`,
        "RULES_BAD_ENUM",
        "expected one of PREDICTIVE, PROGRESSIVE, POWER, PREVIEW, got boolean",
      ],
    ],
    [
      "campaigns that are a mapping",
      { profiles: [], campaigns: { id: "A" } },
      ["campaigns", "RULES_TYPE", "expected a list, got a mapping"],
    ],
    [
      "campaigns that are a string",
      { profiles: [], campaigns: "A" },
      ["campaigns", "RULES_TYPE", 'expected a list, got the string "A"'],
    ],
    [
      "intervals that are a string (no interval is checked then)",
      withRules({ retrySettings: { maxAttempts: 1, intervalMinutes: "60" } }),
      [`${RULES}.retrySettings.intervalMinutes`, "RULES_TYPE", 'expected a list, got the string "60"'],
    ],
  ])("%s", (_, value, problem) => {
    expect(problemsOf(value)).toEqual([problem]);
  });
});

describe("numbers: whole where counted, and within their bounds", () => {
  it.each<[string, unknown, Problem]>([
    [
      "maxCallsPerAgent 1.5",
      withRules({ maxCallsPerAgent: 1.5 }),
      [`${RULES}.maxCallsPerAgent`, "RULES_NOT_INTEGER", "expected a whole number, got 1.5"],
    ],
    [
      "maxAttempts 2.5",
      withRules({ retrySettings: { maxAttempts: 2.5, intervalMinutes: [] } }),
      [`${RULES}.retrySettings.maxAttempts`, "RULES_NOT_INTEGER", "expected a whole number, got 2.5"],
    ],
    [
      "coolDownSec 0.5",
      withRules({ abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 0.5 } }),
      [
        `${RULES}.abandonmentRateThreshold.coolDownSec`,
        "RULES_NOT_INTEGER",
        "expected a whole number, got 0.5",
      ],
    ],
    [
      "coolDownSec -1",
      withRules({ abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: -1 } }),
      [
        `${RULES}.abandonmentRateThreshold.coolDownSec`,
        "RULES_OUT_OF_RANGE",
        "-1 is out of range: must be at least 0 and at most 86400",
      ],
    ],
    [
      "a retry interval of -5, at its index",
      withRules({ retrySettings: { maxAttempts: 2, intervalMinutes: [60, -5] } }),
      [
        `${RULES}.retrySettings.intervalMinutes[1]`,
        "RULES_OUT_OF_RANGE",
        "-5 is out of range: must be at least 0 and at most 525600",
      ],
    ],
    [
      "maxRate 1.5",
      withRules({ abandonmentRateThreshold: { maxRate: 1.5, coolDownSec: 300 } }),
      [
        `${RULES}.abandonmentRateThreshold.maxRate`,
        "RULES_OUT_OF_RANGE",
        "1.5 is out of range: must be at least 0 and at most 1",
      ],
    ],
    [
      "maxCallsPerAgent Infinity",
      withRules({ maxCallsPerAgent: Number.POSITIVE_INFINITY }),
      [`${RULES}.maxCallsPerAgent`, "RULES_NOT_FINITE", "Infinity is not a finite number"],
    ],
    [
      "connectRate 0 (its lower bound is exclusive)",
      { ...withEntries(), capacity: { connectRate: 0 } },
      [
        "capacity.connectRate",
        "RULES_OUT_OF_RANGE",
        "0 is out of range: must be greater than 0 and at most 1",
      ],
    ],
    [
      "101 retry intervals",
      withRules({ retrySettings: { maxAttempts: 1, intervalMinutes: Array<number>(101).fill(60) } }),
      [`${RULES}.retrySettings.intervalMinutes`, "RULES_OUT_OF_RANGE", "has 101 items, at most 100 allowed"],
    ],
  ])("%s is refused", (_, value, problem) => {
    expect(problemsOf(value)).toEqual([problem]);
  });

  it("accepts each bound itself where it is inclusive", () => {
    const file = parseRulesValue(
      {
        ...withRules({
          maxCallsPerAgent: 100,
          retrySettings: { maxAttempts: 0, intervalMinutes: Array<number>(100).fill(0) },
          abandonmentRateThreshold: { maxRate: 1, coolDownSec: 86_400 },
        }),
        capacity: { connectRate: 1 },
      },
      "rules.yaml",
    );
    expect(file.capacity).toEqual({ connectRate: 1 });
    expect(file.campaigns[0]?.dialingRules.retrySettings?.intervalMinutes).toHaveLength(100);
    expect(file.campaigns[0]?.dialingRules.abandonmentRateThreshold).toEqual({
      maxRate: 1,
      coolDownSec: 86_400,
    });
  });
});

describe("texts: not blank, at most 200 characters", () => {
  it("refuses an id of spaces only", () => {
    expect(problemsOf(withEntries({ id: "   " }))).toEqual([
      ["campaigns[0].id", "RULES_EMPTY", "must not be empty"],
    ]);
  });

  it("refuses an id of 201 characters and keeps one of 200", () => {
    expect(problemsOf(withEntries({ id: "x".repeat(201) }))).toEqual([
      ["campaigns[0].id", "RULES_TOO_LONG", "longer than 200 characters"],
    ]);
    const file = parseRulesValue(withEntries({ id: "x".repeat(200) }), "rules.yaml");
    expect(file.campaigns[0]?.selector).toEqual({ kind: "id", id: "x".repeat(200) });
  });
});

describe("required keys: each missing one reported once at its mapping, and nothing checked in its place", () => {
  it.each<[string, unknown, Problem]>([
    [
      "retry settings without intervalMinutes",
      withRules({ retrySettings: { maxAttempts: 2 } }),
      [`${RULES}.retrySettings`, "RULES_MISSING_KEY", 'missing required key "intervalMinutes"'],
    ],
    [
      "retry settings without maxAttempts",
      withRules({ retrySettings: { intervalMinutes: [60] } }),
      [`${RULES}.retrySettings`, "RULES_MISSING_KEY", 'missing required key "maxAttempts"'],
    ],
    [
      "an abandonment threshold without coolDownSec",
      withRules({ abandonmentRateThreshold: { maxRate: 0.03 } }),
      [`${RULES}.abandonmentRateThreshold`, "RULES_MISSING_KEY", 'missing required key "coolDownSec"'],
    ],
    [
      "an abandonment threshold without maxRate",
      withRules({ abandonmentRateThreshold: { coolDownSec: 300 } }),
      [`${RULES}.abandonmentRateThreshold`, "RULES_MISSING_KEY", 'missing required key "maxRate"'],
    ],
  ])("%s", (_, value, problem) => {
    expect(problemsOf(value)).toEqual([problem]);
  });
});

describe("a required key whose value is undefined (a value built in code, not read from a file)", () => {
  it("is reported missing, and its value's type too", () => {
    expect(problemsOf({ profiles: [], campaigns: undefined })).toEqual([
      [undefined, "RULES_MISSING_KEY", 'missing required key "campaigns"'],
      ["campaigns", "RULES_TYPE", "expected a list, got undefined"],
    ]);
  });
});

describe("campaigns entries", () => {
  it("an entry with neither id nor match gets one problem, at the entry", () => {
    expect(problemsOf(withEntries({ dialingRules: {} }))).toEqual([
      [
        "campaigns[0]",
        "RULES_SELECTOR",
        'an entry needs "id" (a campaign id) or "match" (a glob on campaign names)',
      ],
    ]);
  });

  it("an entry with both id and match gets one problem, at the entry", () => {
    expect(problemsOf(withEntries({ id: "A", match: "B*" }))).toEqual([
      [
        "campaigns[0]",
        "RULES_SELECTOR",
        'an entry has either "id" or "match", not both: split it into two entries',
      ],
    ]);
  });

  it("an unbalanced glob is refused with picomatch's reason", () => {
    expect(problemsOf(withEntries({ match: "Sales-[a" }))).toEqual([
      [
        "campaigns[0].match",
        "RULES_BAD_GLOB",
        'invalid glob "Sales-[a": Missing closing: "]" - use "\\\\]" to match literal characters',
      ],
    ]);
  });

  it("two ids of the wrong type are not taken for a repeated id", () => {
    expect(problemsOf(withEntries({ id: 5 }, { id: 5 }))).toEqual([
      ["campaigns[0].id", "RULES_TYPE", "expected a string, got the number 5"],
      ["campaigns[1].id", "RULES_TYPE", "expected a string, got the number 5"],
    ]);
  });

  it("a repeated match pattern is reported at the later entry, naming the first", () => {
    expect(problemsOf(withEntries({ match: "Sales-*" }, { id: "A" }, { match: "Sales-*" }))).toEqual([
      [
        "campaigns[2].match",
        "RULES_DUPLICATE_MATCH",
        'pattern "Sales-*" is already used by campaigns[0]; merge the two entries',
      ],
    ]);
  });

  it("entries checked from a value carry no line or column", () => {
    const file = parseRulesValue(
      withEntries({ id: "A" }, { match: "B*", dialingRules: { maxCallsPerAgent: 2 } }),
      "r.json",
    );
    expect(file.campaigns).toStrictEqual([
      { index: 0, selector: { kind: "id", id: "A" }, dialingRules: {}, label: "campaigns[0] (id A)" },
      {
        index: 1,
        selector: { kind: "match", pattern: "B*" },
        dialingRules: { maxCallsPerAgent: 2 },
        label: 'campaigns[1] (match "B*")',
      },
    ]);
  });

  const dup = (at: number, id: string, first: number): Problem => [
    `campaigns[${at}].id`,
    "RULES_DUPLICATE_ID",
    `id ${id} is already used by campaigns[${first}]; merge the two entries`,
  ];
  it.each<[string, string[], Problem[]]>([
    ["one id four times", ["A", "A", "A", "A"], [dup(1, "A", 0), dup(2, "A", 0), dup(3, "A", 0)]],
    ["two ids interleaved", ["B", "A", "B", "A", "B"], [dup(2, "B", 0), dup(3, "A", 1), dup(4, "B", 0)]],
    [
      "three ids, descending then mixed",
      ["C", "B", "A", "C", "A", "B", "A", "D", "C"],
      [dup(3, "C", 0), dup(4, "A", 2), dup(5, "B", 1), dup(6, "A", 2), dup(8, "C", 0)],
    ],
    [
      "ascending repeats after singles",
      ["E", "D", "C", "B", "A", "A", "B", "C", "D", "E", "A"],
      [dup(10, "A", 4), dup(5, "A", 4), dup(6, "B", 3), dup(7, "C", 2), dup(8, "D", 1), dup(9, "E", 0)],
    ],
  ])("each repeat of an id names its first entry: %s", (_, ids, problems) => {
    expect(problemsOf(withEntries(...ids.map((id) => ({ id }))))).toEqual(problems);
  });
});

describe("repeated ids in a long list (sorted in runs that are merged)", () => {
  // 70 entries: entry i and entry 35 + i share an id; the ids are in a scrambled order within each half
  const idOf = (i: number) => `C${String((i * 13) % 35).padStart(2, "0")}`;
  it("each id's second entry names its first", () => {
    const ids = Array.from({ length: 70 }, (_, i) => idOf(i % 35));
    const expected = Array.from(
      { length: 35 },
      (_, i): Problem => [
        `campaigns[${35 + i}].id`,
        "RULES_DUPLICATE_ID",
        `id ${idOf(i)} is already used by campaigns[${i}]; merge the two entries`,
      ],
    );
    expect(problemsOf(withEntries(...ids.map((id) => ({ id }))))).toEqual(expected);
  });
});
