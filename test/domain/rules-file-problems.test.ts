/**
 * The problems a rules file is refused with, exactly: their code, message, path and position on every
 * reading path (js-yaml fast path, `yaml` path, JSON.parse, an already-parsed value), how they are
 * sorted and printed, and the entry lines a clean file gets. Expected values are written out by hand.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/domain/errors.js";
import {
  formatProblem,
  parseRulesFile,
  parseRulesFileSlow,
  parseRulesValue,
  RulesFileError,
} from "../../src/domain/rules-file.js";

/** `[location, path, code, message]` of each problem, in the order reported. */
type Row = [string, string | undefined, string, string];

function refusal(parse: () => unknown): RulesFileError {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(RulesFileError);
    return err as RulesFileError;
  }
  throw new Error("expected a RulesFileError");
}

const rowsOf = (err: RulesFileError): Row[] =>
  err.problems.map((p) => {
    const l = p.location;
    const at = [l?.file, l?.line, l?.column].filter((x) => x !== undefined).join(":");
    return [at, p.path, p.code, p.message];
  });

const problems = (text: string, fileName = "r.yaml"): Row[] =>
  rowsOf(refusal(() => parseRulesFile(text, fileName)));
const slowProblems = (text: string, fileName = "r.yaml"): Row[] =>
  rowsOf(refusal(() => parseRulesFileSlow(text, fileName)));

const UNKNOWN_RULE_KEY = (key: string) =>
  `unknown key "${key}"; allowed here: dialingMethod, retrySettings, abandonmentRateThreshold, maxCallsPerAgent`;

describe("formatProblem and the RulesFileError message", () => {
  it("prints file, line and column only when known, and the path only when there is one", () => {
    expect(formatProblem(new InputError("X_CODE", "went wrong"))).toBe("went wrong [X_CODE]");
    expect(formatProblem(new InputError("X_CODE", "went wrong", "a.b", { file: "f.yaml" }))).toBe(
      "f.yaml: a.b: went wrong [X_CODE]",
    );
    expect(
      formatProblem(new InputError("X_CODE", "went wrong", undefined, { file: "f.yaml", line: 4 })),
    ).toBe("f.yaml:4:1: went wrong [X_CODE]");
    expect(
      formatProblem(new InputError("X_CODE", "went wrong", "a", { file: "f.yaml", line: 4, column: 7 })),
    ).toBe("f.yaml:4:7: a: went wrong [X_CODE]");
  });

  it("is one RULES_FILE_INVALID error that counts and lists the problems", () => {
    const err = refusal(() => parseRulesValue({ profiles: 1, campaigns: [] }, "v.json"));
    expect(err.code).toBe("RULES_FILE_INVALID");
    expect(err.fileName).toBe("v.json");
    expect(err.message).toBe(
      "1 problem in v.json:\n  v.json: profiles: expected a list, got the number 1 [RULES_TYPE]",
    );
  });
});

describe("what cannot be read at all", () => {
  it("refuses text that is not a string", () => {
    expect(rowsOf(refusal(() => parseRulesFile(42 as unknown as string, "r.yaml")))).toEqual([
      ["r.yaml", undefined, "RULES_UNREADABLE", "the rules file is not text"],
    ]);
  });

  it("turns a value whose reading throws into RULES_UNREADABLE", () => {
    const hostile = {
      get profiles(): unknown {
        throw new Error("boom");
      },
    };
    expect(rowsOf(refusal(() => parseRulesValue(hostile, "body")))).toEqual([
      ["body", undefined, "RULES_UNREADABLE", "cannot check the rules: boom"],
    ]);
  });

  it("turns an alias bomb the yaml path refuses to expand into RULES_UNREADABLE", () => {
    // ten levels of nine aliases each: 9^10 nodes once expanded
    const names = "abcdefghij";
    const bomb = [...names].map((name, i) =>
      i === 0
        ? "a: &a [x, x, x, x, x, x, x, x, x]"
        : `${name}: &${name} [${`*${names[i - 1]}, `.repeat(8)}*${names[i - 1]}]`,
    );
    const rows = problems(`${bomb.join("\n")}\ncampaigns: []\n`, "lol.yaml");
    expect(rows).toHaveLength(1);
    expect(rows[0]?.slice(0, 3)).toEqual(["lol.yaml", undefined, "RULES_UNREADABLE"]);
    expect(rows[0]?.[3]).toMatch(/^cannot read the rules file: Excessive alias count/);
  });

  it("expands up to 1,000 aliases: 300 campaigns sharing one anchored rule set", () => {
    const entries = Array.from({ length: 300 }, (_, i) =>
      i === 0
        ? "  - id: C0\n    dialingRules: &r {maxCallsPerAgent: 2}\n"
        : `  - id: C${i}\n    dialingRules: *r\n`,
    );
    const file = parseRulesFile(`profiles: []\ncampaigns:\n${entries.join("")}`, "r.yaml");
    expect(file.campaigns).toHaveLength(300);
    expect(file.campaigns[299]?.dialingRules).toEqual({ maxCallsPerAgent: 2 });
    expect(file.campaigns[299]?.line).toBe(601);
  });
});

describe("JSON files", () => {
  it("reads a name that only contains .json (rules.json.yaml) as YAML", () => {
    const file = parseRulesFile("profiles: []\ncampaigns:\n  - id: A\n", "rules.json.yaml");
    expect(file.campaigns[0]?.line).toBe(3);
  });

  it("reads a clean JSON file with JSON.parse alone: its entries get no line", () => {
    const json = JSON.stringify(
      {
        profiles: [],
        campaigns: [{ id: "A" }],
        overrides: [{ limit: "maxAbandonmentRate", value: 0.05, reason: "legal" }],
      },
      null,
      2,
    );
    const file = parseRulesFile(json, "r.json");
    expect(file.campaigns[0]?.line).toBeUndefined();
    expect(file.campaigns[0]?.column).toBeUndefined();
    expect(file.overrides[0]?.line).toBeUndefined();
  });

  // V8's (Node 20) messages, without the " in JSON at position N" they may end with
  it.each<[string, string, Row]>([
    [
      "at V8's position, on a later line",
      '{\n  "profiles": [],\n  "campaigns": [1x]\n}',
      ["r.json:3:18", undefined, "RULES_JSON_SYNTAX", "Expected ',' or ']' after array element"],
    ],
    [
      "at V8's one-digit position",
      '{"a" 1}',
      ["r.json:1:6", undefined, "RULES_JSON_SYNTAX", "Expected ':' after property name"],
    ],
    [
      "at the yaml parser's first error when V8 names no position",
      '{"profiles": [],\n "campaigns": [}',
      [
        "r.json:2:16",
        undefined,
        "RULES_JSON_SYNTAX",
        `Unexpected token '}', ..."paigns": [}" is not valid JSON`,
      ],
    ],
    [
      "nowhere when the yaml parser finds no error either (a repeated key is none)",
      '{"profiles": [], "profiles": [], "a": x}',
      ["r.json", undefined, "RULES_JSON_SYNTAX", `Unexpected token 'x', ..." [], "a": x}" is not valid JSON`],
    ],
    [
      "nowhere for text that is no JSON at all",
      "abc",
      ["r.json", undefined, "RULES_JSON_SYNTAX", `Unexpected token 'a', "abc" is not valid JSON`],
    ],
    [
      "nowhere for an empty file",
      "",
      ["r.json", undefined, "RULES_JSON_SYNTAX", "Unexpected end of JSON input"],
    ],
  ])("places a JSON syntax error %s", (_name, json, row) => {
    expect(problems(json, "r.json")).toEqual([row]);
  });

  it("locates a problem of a JSON file with a repeated key (JSON.parse keeps the last, js-yaml refuses it)", () => {
    const json =
      '{"profiles": [],\n "campaigns": [],\n "campaigns": [{"id": "A",\n   "dialingRules": {"dialMethod": 1}}]}';
    expect(problems(json, "r.json")).toEqual([
      [
        "r.json:4:21",
        "campaigns[0].dialingRules.dialMethod",
        "RULES_UNKNOWN_KEY",
        UNKNOWN_RULE_KEY("dialMethod"),
      ],
    ]);
  });
});

describe("YAML syntax errors", () => {
  // the yaml parser's first message line, its code and position; strict: what YAML 1.2 requires even
  // where the content is unambiguous (a comment glued to a bracket)
  it.each<[string, Row]>([
    [
      "profiles: []\ncampaigns: [a: 1\n",
      [
        "r.yaml:3:1",
        undefined,
        "RULES_YAML_BAD_INDENT",
        "Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    ],
    [
      "profiles: []\ncampaigns: []\ncampaigns: []\n",
      ["r.yaml:3:1", undefined, "RULES_YAML_DUPLICATE_KEY", "Map keys must be unique"],
    ],
    [
      "profiles: []\ncampaigns: []#glued\n",
      [
        "r.yaml:2:14",
        undefined,
        "RULES_YAML_MISSING_CHAR",
        "Comments must be separated from other tokens by white space characters",
      ],
    ],
  ])("%j", (yaml, row) => {
    expect(problems(yaml)).toEqual([row]);
  });
});

describe("where a problem is located", () => {
  it("a problem in an empty document has no line, on both paths", () => {
    for (const rows of [problems("# nothing here\n"), slowProblems("# nothing here\n")]) {
      expect(rows).toHaveLength(1);
      expect(rows[0]?.slice(0, 3)).toEqual(["r.yaml", undefined, "RULES_TYPE"]);
    }
  });

  it("a key named `undefined` is placed at itself, not at a collection key (which is placed at the document)", () => {
    const allowed = "allowed here: profiles, licenseTier, limits, overrides, capacity, defaults, campaigns";
    expect(problems("profiles: []\ncampaigns: []\nundefined: 1\n? [x]\n: 2\n")).toEqual([
      ["r.yaml:1:1", "[ x ]", "RULES_UNKNOWN_KEY", `unknown key "[ x ]"; ${allowed}`],
      ["r.yaml:3:1", "undefined", "RULES_UNKNOWN_KEY", `unknown key "undefined"; ${allowed}`],
    ]);
  });

  it("a problem reached through an alias is placed at the anchored value", () => {
    const yaml =
      'profiles: []\ncampaigns:\n  - id: A\n    dialingRules: &r {maxCallsPerAgent: "2"}\n  - id: B\n    dialingRules: *r\n';
    const message = 'expected a number, got the string "2"';
    expect(problems(yaml)).toEqual([
      ["r.yaml:4:41", "campaigns[0].dialingRules.maxCallsPerAgent", "RULES_TYPE", message],
      ["r.yaml:4:41", "campaigns[1].dialingRules.maxCallsPerAgent", "RULES_TYPE", message],
    ]);
  });

  const TYPE_X = 'expected a number, got the string "x"';
  const OUT_OF_RANGE = (n: number) => `${n} is out of range: must be at least 1 and at most 100`;
  const UNKNOWN_TOP_KEY = (key: string) =>
    `unknown key "${key}"; allowed here: profiles, licenseTier, limits, overrides, capacity, defaults, campaigns`;
  it.each<[string, string[], Row[]]>([
    [
      "a wrong key that is neither the first nor the last of its mapping",
      [
        "profiles: []",
        "campaigns:",
        "  - id: A",
        "    dialingRules: {maxCallsPerAgent: 2, dialMethod: X, dialingMethod: PREVIEW}",
      ],
      [
        [
          "r.yaml:4:41",
          "campaigns[0].dialingRules.dialMethod",
          "RULES_UNKNOWN_KEY",
          UNKNOWN_RULE_KEY("dialMethod"),
        ],
      ],
    ],
    [
      "a key without a value in a flow mapping, at its mapping",
      ["profiles: []", "campaigns:", "  - id: A", "    dialingRules: {maxCallsPerAgent}"],
      [
        [
          "r.yaml:4:19",
          "campaigns[0].dialingRules.maxCallsPerAgent",
          "RULES_TYPE",
          "expected a number, got null",
        ],
      ],
    ],
    [
      "a problem in a middle entry among entries holding collections",
      [
        "profiles: [US_TCPA]",
        "limits: {maxRetries: 3, frequency: [{maxAttempts: 2, windowMinutes: 60}]}",
        "campaigns:",
        "  - id: A",
        "    dialingRules: {retrySettings: {maxAttempts: 1, intervalMinutes: [5]}}",
        "  - id: B",
        "    dialingRules:",
        "      retrySettings: {maxAttempts: 1, intervalMinutes: [5]}",
        "      maxCallsPerAgent: -1",
        "  - id: C",
        "    dialingRules: {dialingMethod: PREVIEW}",
      ],
      [["r.yaml:9:25", "campaigns[1].dialingRules.maxCallsPerAgent", "RULES_OUT_OF_RANGE", OUT_OF_RANGE(-1)]],
    ],
    [
      "a wrong entry key and a wrong top-level key after collections",
      [
        "profiles: [US_TCPA]",
        "defaults: {dialingRules: {maxCallsPerAgent: 2}}",
        "campaigns:",
        "  - id: A",
        "    dialingRules: {maxCallsPerAgent: 1}",
        "  - id: B",
        "    dialingRule: {maxCallsPerAgent: 1}",
        "limit: {maxRetries: 3}",
      ],
      [
        [
          "r.yaml:7:5",
          "campaigns[1].dialingRule",
          "RULES_UNKNOWN_KEY",
          'unknown key "dialingRule"; allowed here: id, match, dialingRules',
        ],
        ["r.yaml:8:1", "limit", "RULES_UNKNOWN_KEY", UNKNOWN_TOP_KEY("limit")],
      ],
    ],
    [
      "a problem in a document written as one flow mapping",
      [
        "{profiles: [],",
        "  campaigns: [{id: A, dialingRules: {maxCallsPerAgent: 1}},",
        '    {id: B, dialingRules: {maxCallsPerAgent: "x"}}]}',
      ],
      [["r.yaml:3:46", "campaigns[1].dialingRules.maxCallsPerAgent", "RULES_TYPE", TYPE_X]],
    ],
    [
      "a problem in defaults, next to campaigns",
      [
        "profiles: []",
        "campaigns:",
        "  - id: A",
        "    dialingRules: {maxCallsPerAgent: 1}",
        "defaults:",
        "  dialingRules:",
        "    maxCallsPerAgent: 0",
      ],
      [["r.yaml:7:23", "defaults.dialingRules.maxCallsPerAgent", "RULES_OUT_OF_RANGE", OUT_OF_RANGE(0)]],
    ],
  ])("%s, the same on both paths", (_name, lines, expected) => {
    const yaml = `${lines.join("\n")}\n`;
    expect(problems(yaml)).toEqual(expected);
    expect(slowProblems(yaml)).toEqual(expected);
  });
});

describe("the order problems are listed in", () => {
  it("by line, then by column, whatever order the checks found them in", () => {
    const yaml =
      'profiles: []\ncampaigns:\n  - id: A\n    dialingRules: {dialMethod: X, maxCallsPerAgent: "2"}\n';
    expect(problems(yaml)).toEqual([
      [
        "r.yaml:4:20",
        "campaigns[0].dialingRules.dialMethod",
        "RULES_UNKNOWN_KEY",
        UNKNOWN_RULE_KEY("dialMethod"),
      ],
      [
        "r.yaml:4:53",
        "campaigns[0].dialingRules.maxCallsPerAgent",
        "RULES_TYPE",
        'expected a number, got the string "2"',
      ],
    ]);
  });

  it("by path when there is no line (an already-parsed value), each located at the file alone", () => {
    const err = refusal(() => parseRulesValue({ profiles: 1, campaigns: 2 }, "body"));
    expect(err.problems.map((p) => p.location)).toEqual([{ file: "body" }, { file: "body" }]);
    expect(rowsOf(err)).toEqual([
      ["body", "campaigns", "RULES_TYPE", "expected a list, got the number 2"],
      ["body", "profiles", "RULES_TYPE", "expected a list, got the number 1"],
    ]);
  });
});

describe("entry lines of a clean file", () => {
  it("overrides after a flow list of campaigns each get their own line", () => {
    const yaml =
      "profiles: []\ncampaigns: [{id: A}, {id: B}]\noverrides:\n  - {limit: maxAbandonmentRate, value: 0.05, reason: a}\n  - {limit: minRetryIntervalMinutes, value: 5, reason: b}\n";
    const file = parseRulesFile(yaml, "r.yaml");
    expect(file.campaigns.map((c) => [c.line, c.column])).toEqual([
      [2, 13],
      [2, 22],
    ]);
    expect(file.overrides.map((o) => o.line)).toEqual([4, 5]);
  });

  it("the last entry of a file without a final line break", () => {
    const file = parseRulesFile("profiles: []\ncampaigns:\n  - id: A\n  - id: B", "r.yaml");
    expect(file.campaigns.map((c) => [c.line, c.column])).toEqual([
      [3, 5],
      [4, 5],
    ]);
  });
});
