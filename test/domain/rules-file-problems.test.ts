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
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const rows = problems(`${levels.join("\n")}\ncampaigns: []\n`, "lol.yaml");
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

  it("gives a syntax error V8's message without its position, at the position's line and column", () => {
    expect(problems('{\n  "profiles": [],\n  "campaigns": [1x]\n}', "r.json")).toEqual([
      ["r.json:3:18", undefined, "RULES_JSON_SYNTAX", "Expected ',' or ']' after array element"],
    ]);
  });

  it("strips a one-digit position from V8's message too", () => {
    expect(problems('{"a" 1}', "r.json")).toEqual([
      ["r.json:1:6", undefined, "RULES_JSON_SYNTAX", "Expected ':' after property name"],
    ]);
  });

  it("gives no line for a syntax error V8 does not place and the yaml parser finds none in, a repeated key being none", () => {
    expect(problems('{"profiles": [], "profiles": [], "a": x}', "r.json")).toEqual([
      [
        "r.json",
        undefined,
        "RULES_JSON_SYNTAX",
        'Unexpected token \'x\', ..." [], "a": x}" is not valid JSON',
      ],
    ]);
  });

  it("locates with the yaml parser a syntax error V8 gives no position for", () => {
    expect(problems('{"profiles": [],\n "campaigns": [}', "r.json")).toEqual([
      [
        "r.json:2:16",
        undefined,
        "RULES_JSON_SYNTAX",
        'Unexpected token \'}\', ..."paigns": [}" is not valid JSON',
      ],
    ]);
  });

  it("gives no line for a syntax error neither V8 nor the yaml parser can place", () => {
    expect(problems("abc", "r.json")).toEqual([
      ["r.json", undefined, "RULES_JSON_SYNTAX", `Unexpected token 'a', "abc" is not valid JSON`],
    ]);
    expect(problems("", "r.json")).toEqual([
      ["r.json", undefined, "RULES_JSON_SYNTAX", "Unexpected end of JSON input"],
    ]);
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
  it("are the yaml parser's first message line, its code and position", () => {
    expect(problems("profiles: []\ncampaigns: [a: 1\n")).toEqual([
      [
        "r.yaml:3:1",
        undefined,
        "RULES_YAML_BAD_INDENT",
        "Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    ]);
    expect(problems("profiles: []\ncampaigns: []\ncampaigns: []\n")).toEqual([
      ["r.yaml:3:1", undefined, "RULES_YAML_DUPLICATE_KEY", "Map keys must be unique"],
    ]);
  });

  it("include what YAML 1.2 requires even where the content is unambiguous (strict)", () => {
    expect(problems("profiles: []\ncampaigns: []#glued\n")).toEqual([
      [
        "r.yaml:2:14",
        undefined,
        "RULES_YAML_MISSING_CHAR",
        "Comments must be separated from other tokens by white space characters",
      ],
    ]);
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

  it("a wrong key that is not the first of its mapping, on both paths", () => {
    const yaml =
      "profiles: []\ncampaigns:\n  - id: A\n    dialingRules: {maxCallsPerAgent: 2, dialMethod: X, dialingMethod: PREVIEW}\n";
    const expected: Row[] = [
      [
        "r.yaml:4:41",
        "campaigns[0].dialingRules.dialMethod",
        "RULES_UNKNOWN_KEY",
        UNKNOWN_RULE_KEY("dialMethod"),
      ],
    ];
    expect(problems(yaml)).toEqual(expected);
    expect(slowProblems(yaml)).toEqual(expected);
  });

  it("a key without a value in a flow mapping is placed at its mapping", () => {
    const yaml = "profiles: []\ncampaigns:\n  - id: A\n    dialingRules: {maxCallsPerAgent}\n";
    const expected: Row[] = [
      [
        "r.yaml:4:19",
        "campaigns[0].dialingRules.maxCallsPerAgent",
        "RULES_TYPE",
        "expected a number, got null",
      ],
    ];
    expect(problems(yaml)).toEqual(expected);
    expect(slowProblems(yaml)).toEqual(expected);
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

  it("a problem in a middle entry among entries holding collections (fast path)", () => {
    const yaml = [
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
      "",
    ].join("\n");
    const expected: Row[] = [
      [
        "r.yaml:9:25",
        "campaigns[1].dialingRules.maxCallsPerAgent",
        "RULES_OUT_OF_RANGE",
        "-1 is out of range: must be at least 1 and at most 100",
      ],
    ];
    expect(problems(yaml)).toEqual(expected);
    expect(slowProblems(yaml)).toEqual(expected);
  });

  it("a wrong top-level key and a wrong entry key after collections (fast path)", () => {
    const yaml = [
      "profiles: [US_TCPA]",
      "defaults: {dialingRules: {maxCallsPerAgent: 2}}",
      "campaigns:",
      "  - id: A",
      "    dialingRules: {maxCallsPerAgent: 1}",
      "  - id: B",
      "    dialingRule: {maxCallsPerAgent: 1}",
      "limit: {maxRetries: 3}",
      "",
    ].join("\n");
    const expected: Row[] = [
      [
        "r.yaml:7:5",
        "campaigns[1].dialingRule",
        "RULES_UNKNOWN_KEY",
        'unknown key "dialingRule"; allowed here: id, match, dialingRules',
      ],
      [
        "r.yaml:8:1",
        "limit",
        "RULES_UNKNOWN_KEY",
        'unknown key "limit"; allowed here: profiles, licenseTier, limits, overrides, capacity, defaults, campaigns',
      ],
    ];
    expect(problems(yaml)).toEqual(expected);
    expect(slowProblems(yaml)).toEqual(expected);
  });

  it("a problem in a document written as one flow mapping (fast path)", () => {
    const yaml =
      '{profiles: [],\n  campaigns: [{id: A, dialingRules: {maxCallsPerAgent: 1}},\n    {id: B, dialingRules: {maxCallsPerAgent: "x"}}]}\n';
    const expected: Row[] = [
      [
        "r.yaml:3:46",
        "campaigns[1].dialingRules.maxCallsPerAgent",
        "RULES_TYPE",
        'expected a number, got the string "x"',
      ],
    ];
    expect(problems(yaml)).toEqual(expected);
    expect(slowProblems(yaml)).toEqual(expected);
  });

  it("a problem in defaults, next to campaigns (fast path)", () => {
    const yaml =
      "profiles: []\ncampaigns:\n  - id: A\n    dialingRules: {maxCallsPerAgent: 1}\ndefaults:\n  dialingRules:\n    maxCallsPerAgent: 0\n";
    const expected: Row[] = [
      [
        "r.yaml:7:23",
        "defaults.dialingRules.maxCallsPerAgent",
        "RULES_OUT_OF_RANGE",
        "0 is out of range: must be at least 1 and at most 100",
      ],
    ];
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
