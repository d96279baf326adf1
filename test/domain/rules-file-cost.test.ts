/**
 * What reading a rules file costs, as far as issue 17 §3 makes it a requirement: `campaigns:` written as
 * a block sequence is streamed (checked entry by entry as js-yaml reads it: ≤ 1 KB per entry), a clean file
 * read by the fast path is never parsed again with `yaml`, and a problem is located by parsing only the part
 * of the text it is in — never the whole file a second time. Observed through `ParseHooks`: `onEntry` (each
 * streamed entry) and `onReread` (the length of each text `yaml` parses). Expected values are written out
 * by hand; each re-read length is spelled out as the text `yaml` is given.
 */
import { describe, expect, it } from "vitest";
import { parseRulesFile, parseRulesFileSlow, RulesFileError } from "../../src/domain/rules-file.js";

interface Cost {
  /** what `onEntry` was called with, in order */
  entries: number[];
  /** what `onReread` was called with, in order */
  reread: number[];
  /** `line:column path [CODE]` of each problem, or [] for a clean file */
  problems: string[];
}

function costOf(text: string, fileName = "r.yaml", parse = parseRulesFile): Cost {
  const cost: Cost = { entries: [], reread: [], problems: [] };
  try {
    parse(text, fileName, {
      onEntry: (n) => cost.entries.push(n),
      onReread: (chars) => cost.reread.push(chars),
    });
  } catch (err) {
    if (!(err instanceof RulesFileError)) throw err;
    cost.problems = err.problems.map(
      (p) => `${p.location?.line}:${p.location?.column} ${p.path ?? ""} [${p.code}]`,
    );
  }
  return cost;
}

/** `yaml`'s share of a text: its length (each `~` in a part stands for a collection cut out of it). */
const len = (...parts: string[]) => parts.join("").length;

describe("campaigns written as a block sequence are streamed (issue 17: memory per entry)", () => {
  it("calls onEntry with 1, 2, 3 as the entries are read, and parses nothing again with `yaml`", () => {
    const yaml = "profiles: []\ncampaigns:\n  - id: A\n  - id: B\n  - match: 'S*'\n";
    expect(costOf(yaml)).toEqual({ entries: [1, 2, 3], reread: [], problems: [] });
  });

  it("streams the entries of a `.yml` file and of one with no extension alike", () => {
    const yaml = "profiles: []\ncampaigns:\n  - id: A\n  - id: B\n";
    expect(costOf(yaml, "rules.yml").entries).toEqual([1, 2]);
    expect(costOf(yaml, "rules").entries).toEqual([1, 2]);
  });

  it("does not stream a flow list of campaigns, and still reads it without `yaml`", () => {
    expect(costOf("profiles: []\ncampaigns: [{id: A}, {id: B}]\n")).toEqual({
      entries: [],
      reread: [],
      problems: [],
    });
  });

  it("does not stream a JSON file: JSON.parse reads it whole, and a clean one is never parsed by `yaml`", () => {
    const json = '{"profiles": [], "campaigns": [{"id": "A"}, {"id": "B"}]}';
    expect(costOf(json, "r.json")).toEqual({ entries: [], reread: [], problems: [] });
  });

  it("the `yaml` path (parseRulesFileSlow) streams nothing and parses the whole text once", () => {
    const yaml = "profiles: []\ncampaigns:\n  - id: A\n  - id: B\n  - id: C\n";
    expect(costOf(yaml, "r.yaml", parseRulesFileSlow)).toEqual({
      entries: [],
      reread: [54],
      problems: [],
    });
    expect(yaml.length).toBe(54);
  });
});

describe("a clean file gets its entry lines without a second parse", () => {
  it("overrides after streamed campaigns are placed from js-yaml's offsets", () => {
    const yaml =
      "profiles: []\noverrides:\n  - {limit: maxAbandonmentRate, value: 0.05, reason: legal}\ncampaigns:\n  - id: A\n  - id: B\n";
    const reread: number[] = [];
    const file = parseRulesFile(yaml, "r.yaml", { onReread: (n) => reread.push(n) });
    expect(reread).toEqual([]);
    expect(file.campaigns.map((c) => [c.line, c.column])).toEqual([
      [5, 5],
      [6, 5],
    ]);
    expect(file.overrides.map((o) => o.line)).toEqual([3]);
  });

  it("campaigns of a flow list and the overrides after them are placed from js-yaml's offsets", () => {
    const yaml =
      "profiles: []\ncampaigns: [{id: A}, {id: B}]\noverrides:\n  - {limit: maxAbandonmentRate, value: 0.05, reason: a}\n  - {limit: minRetryIntervalMinutes, value: 5, reason: b}\n";
    const reread: number[] = [];
    const file = parseRulesFile(yaml, "r.yaml", { onReread: (n) => reread.push(n) });
    expect(reread).toEqual([]);
    expect(file.campaigns.map((c) => [c.line, c.column])).toEqual([
      [2, 13],
      [2, 22],
    ]);
    expect(file.overrides.map((o) => o.line)).toEqual([4, 5]);
  });
});

describe("a problem is located by parsing only the part of the text it is in (issue 17 §3)", () => {
  it("a wrong entry in a 1,000-entry file costs one entry's text, not the file's 52,914 characters", () => {
    const lines = ["profiles: []", "campaigns:"];
    for (let i = 0; i < 1000; i++) {
      lines.push(`  - id: C${i}`, `    dialingRules: {maxCallsPerAgent: ${i === 500 ? 0 : 5}}`);
    }
    const yaml = `${lines.join("\n")}\n`;
    expect(yaml.length).toBe(52_914);
    const cost = costOf(yaml);
    expect(cost.entries).toHaveLength(1000);
    expect(cost.reread).toEqual([len("    ", "id: C500\n    dialingRules: {maxCallsPerAgent: 0}")]);
    expect(cost.reread).toEqual([52]);
    expect(cost.problems).toEqual([
      "1004:38 campaigns[500].dialingRules.maxCallsPerAgent [RULES_OUT_OF_RANGE]",
    ]);
  });

  it("each wrong entry is re-read alone, indented to its own column", () => {
    const yaml = [
      "profiles: []",
      "campaigns:",
      "  - id: A",
      "    dialingRules: {maxCallsPerAgent: 0}",
      "  - id: B",
      "  - id: C",
      "    dialingRules: {maxCallsPerAgent: 101}",
      "",
    ].join("\n");
    expect(costOf(yaml)).toEqual({
      entries: [1, 2, 3],
      // "    id: A\n    dialingRules: {maxCallsPerAgent: 0}", then entry C's text the same way
      reread: [49, 51],
      problems: [
        "4:38 campaigns[0].dialingRules.maxCallsPerAgent [RULES_OUT_OF_RANGE]",
        "7:38 campaigns[2].dialingRules.maxCallsPerAgent [RULES_OUT_OF_RANGE]",
      ],
    });
  });

  it("a repeated id is placed from the repeating entry's text alone", () => {
    const yaml = "profiles: []\ncampaigns:\n  - id: A\n  - id: A\n";
    // "    id: A"
    expect(costOf(yaml)).toEqual({
      entries: [1, 2],
      reread: [9],
      problems: ["4:9 campaigns[1].id [RULES_DUPLICATE_ID]"],
    });
  });

  it("a top-level key is placed from the text with every top-level collection cut to `~`", () => {
    const yaml = "profiles: []\nbogus: 1\ncampaigns:\n  - id: A\n  - id: B\n";
    // "profiles: ~\nbogus: 1\ncampaigns:\n  ~\n"
    expect(costOf(yaml)).toEqual({
      entries: [1, 2],
      reread: [36],
      problems: ["2:1 bogus [RULES_UNKNOWN_KEY]"],
    });
  });

  it("a list that ends the file (no final line break) is cut out too", () => {
    const yaml = "profiles: []\nbogus: 1\ncampaigns:\n  - id: A\n  - id: B";
    // "profiles: ~\nbogus: 1\ncampaigns:\n  ~"
    expect(costOf(yaml).reread).toEqual([35]);
  });

  it("a problem of the whole document cuts every top-level collection, one under a key spelled `undefined` too", () => {
    const yaml = "profiles: []\nundefined: [1]\n";
    expect(costOf(yaml)).toEqual({
      entries: [],
      // "profiles: ~\nundefined: ~\n", once for both: a problem at a key needs none of its value
      reread: [25],
      problems: ["1:1  [RULES_MISSING_KEY]", "2:1 undefined [RULES_UNKNOWN_KEY]"],
    });
  });

  it("a document that is only a null is placed from its own two characters", () => {
    expect(costOf("~\n")).toEqual({ entries: [], reread: [2], problems: ["1:1  [RULES_TYPE]"] });
  });

  it("cuts every sibling collection, in document order even where numeric keys are listed first", () => {
    const yaml = "2: [a]\n1: [b]\nbogus: 0\nprofiles: []\ncampaigns:\n  - id: A\n";
    expect(costOf(yaml)).toEqual({
      entries: [1],
      // one part for the three unknown keys: none of their values is needed
      reread: [len("2: ~\n1: ~\nbogus: 0\nprofiles: ~\ncampaigns:\n  ~\n")],
      problems: ["1:1 2 [RULES_UNKNOWN_KEY]", "2:1 1 [RULES_UNKNOWN_KEY]", "3:1 bogus [RULES_UNKNOWN_KEY]"],
    });
    expect(costOf(yaml).reread).toEqual([46]);
  });

  it("a flow mapping is re-read from its `{`, with no indentation before it", () => {
    const yaml = "profiles: []\ndefaults: {dialingRules: {maxCallsPerAgent: 0}}\n";
    expect(costOf(yaml)).toEqual({
      entries: [],
      // "profiles: ~\ndefaults: ~\n" for the missing key; "{maxCallsPerAgent: 0}" for the value
      reread: [24, 21],
      problems: [
        "1:1  [RULES_MISSING_KEY]",
        "2:45 defaults.dialingRules.maxCallsPerAgent [RULES_OUT_OF_RANGE]",
      ],
    });
  });

  it("a flow sequence is re-read from its `[`, its other items cut", () => {
    const yaml = "profiles: []\ncampaigns: [{id: A}, 5]\n";
    // "[~, 5]"
    expect(costOf(yaml)).toEqual({
      entries: [],
      reread: [6],
      problems: ["2:22 campaigns[1] [RULES_TYPE]"],
    });
  });

  it("a scalar or a key inside a mapping is placed from that mapping, its other collections cut", () => {
    const yaml = "profiles: []\nlimits: {maxCallsPerAgent: 0, bogus: [1]}\n";
    expect(costOf(yaml)).toEqual({
      entries: [],
      // "profiles: ~\nlimits: ~\n"; "{maxCallsPerAgent: 0, bogus: ~}" once for the value and the key
      reread: [22, 31],
      problems: [
        "1:1  [RULES_MISSING_KEY]",
        "2:28 limits.maxCallsPerAgent [RULES_OUT_OF_RANGE]",
        "2:31 limits.bogus [RULES_UNKNOWN_KEY]",
      ],
    });
  });

  it("a JSON file's top-level problem is placed from the text with its collections cut", () => {
    const json = '{"profiles": [], "bogus": {"a": 1}, "campaigns": [{"id": "A"}]}';
    // '{"profiles": ~, "bogus": ~, "campaigns": ~}'
    expect(costOf(json, "r.json")).toEqual({
      entries: [],
      reread: [43],
      problems: ["1:18 bogus [RULES_UNKNOWN_KEY]"],
    });
  });

  it("a wrong entry in a 1,000-entry JSON file costs that entry's text, not the file's 77,932 characters", () => {
    const campaigns = Array.from({ length: 1000 }, (_, i) => ({
      id: `C${i}`,
      dialingRules: { maxCallsPerAgent: i === 500 ? "two" : 5 },
    }));
    const json = JSON.stringify({ profiles: [], campaigns }, null, 1);
    expect(json.length).toBe(77_932);
    const cost = costOf(json, "r.json");
    expect(cost.reread).toEqual([
      len('{\n   "id": "C500",\n   "dialingRules": {\n    "maxCallsPerAgent": "two"\n   }\n  }'),
    ]);
    expect(cost.reread).toEqual([78]);
    expect(cost.problems).toEqual(["3007:25 campaigns[500].dialingRules.maxCallsPerAgent [RULES_TYPE]"]);
  });

  it("each wrong entry of a JSON file is re-read alone, from its `{`", () => {
    const json =
      '{"profiles": [], "campaigns": [{"id": "A", "dialingRules": {"maxCallsPerAgent": 0}}, {"id": "B"}, {"id": "C", "bogus": [1]}]}';
    expect(costOf(json, "r.json")).toEqual({
      entries: [],
      // '{"id": "A", "dialingRules": {"maxCallsPerAgent": 0}}', then '{"id": "C", "bogus": [1]}'
      reread: [52, 25],
      problems: [
        "1:81 campaigns[0].dialingRules.maxCallsPerAgent [RULES_OUT_OF_RANGE]",
        "1:111 campaigns[2].bogus [RULES_UNKNOWN_KEY]",
      ],
    });
  });

  it("a JSON file js-yaml cannot read is parsed by `yaml` once, however many problems it has", () => {
    // `"#` is one of the texts js-yaml and `yaml` read differently (yaml-fast.ts: UNSUPPORTED)
    const json =
      '{"profiles": [], "campaigns": [{"id": "#1", "dialingRules": {"maxCallsPerAgent": 0}}, {"id": "#2", "bogus": 1}]}';
    expect(costOf(json, "r.json")).toEqual({
      entries: [],
      reread: [112],
      problems: [
        "1:82 campaigns[0].dialingRules.maxCallsPerAgent [RULES_OUT_OF_RANGE]",
        "1:100 campaigns[1].bogus [RULES_UNKNOWN_KEY]",
      ],
    });
    expect(json.length).toBe(112);
  });

  it("a JSON syntax error V8 gives no position for is placed by parsing the whole text once", () => {
    const json = '{"profiles": [], "campaigns": [';
    expect(costOf(json, "r.json")).toEqual({
      entries: [],
      reread: [31],
      problems: ["1:32  [RULES_JSON_SYNTAX]"],
    });
  });
});
