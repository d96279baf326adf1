/**
 * Files made to be expensive (issue 17 §3: "any file within the size cap, valid or not, in linear time"):
 * a mapping of thousands of unknown keys, repeated keys where `yaml`'s own check is quadratic, a part too
 * long to re-read. Before, 1,000 unknown top-level keys took 8–10 s to report and 4,000 over two minutes
 * (each problem re-parsed its part, and looked its key up among all the others); a 256 KB request body was
 * minutes of a server's parse worker. The costs are pinned through `ParseHooks.onReread`, not timed.
 */
import { describe, expect, it } from "vitest";
import {
  LOCATE_PART_MAX_CHARS,
  MAX_PROBLEMS,
  parseRulesFile,
  parseRulesValue,
  RulesFileError,
} from "../../src/domain/rules-file.js";

interface Cost {
  reread: number[];
  problems: string[];
}

function costOf(text: string, fileName: string): Cost {
  const cost: Cost = { reread: [], problems: [] };
  try {
    parseRulesFile(text, fileName, { onReread: (chars) => cost.reread.push(chars) });
  } catch (err) {
    if (!(err instanceof RulesFileError)) throw err;
    cost.problems = err.problems.map(
      (p) =>
        `${p.location?.line ?? "-"}:${p.location?.column ?? "-"} ${p.path ?? ""} [${p.code}] ${p.message}`,
    );
  }
  return cost;
}

const unknownKey = (key: string) =>
  `[RULES_UNKNOWN_KEY] unknown key "${key}"; allowed here: profiles, licenseTier, limits, overrides, capacity, defaults, campaigns`;

describe("a file of many problems", () => {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}`);

  it("lists the first 1,000 located, counts the rest, and re-reads one part for all of a mapping's keys", () => {
    const yaml = `profiles: []\ncampaigns: []\n${keys(5_000)
      .map((k) => `${k}: [1]\n`)
      .join("")}`;
    const cost = costOf(yaml, "r.yaml");
    expect(MAX_PROBLEMS).toBe(1_000);
    expect(cost.problems).toHaveLength(1_001);
    expect(cost.problems.slice(0, 2)).toEqual([`3:1 k0 ${unknownKey("k0")}`, `4:1 k1 ${unknownKey("k1")}`]);
    expect(cost.problems[999]).toBe(`1002:1 k999 ${unknownKey("k999")}`);
    expect(cost.problems[1_000]).toBe(
      "-:-  [RULES_MORE_PROBLEMS] 4000 more problems not listed (the first 1000 are): fix those and check again",
    );
    // the document with every value cut out: "profiles: ~\ncampaigns: ~\nk0: ~\n…"
    expect(cost.reread).toEqual([
      `profiles: ~\ncampaigns: ~\n${keys(5_000)
        .map((k) => `${k}: ~\n`)
        .join("")}`.length,
    ]);
  });

  it("does the same for a JSON file, after JSON.parse", () => {
    const json = JSON.stringify({
      profiles: [],
      campaigns: [],
      ...Object.fromEntries(keys(1_001).map((k) => [k, 1])),
    });
    const cost = costOf(json, "r.json");
    expect(cost.problems).toHaveLength(1_001);
    expect(cost.problems[0]).toBe(`1:31 k0 ${unknownKey("k0")}`);
    expect(cost.problems[1_000]).toMatch(/^-:- {2}\[RULES_MORE_PROBLEMS\] 1 more problem not listed/);
    expect(cost.reread).toHaveLength(1);
  });

  it("keys of a nested mapping share its part too", () => {
    const yaml = `profiles: []\ncampaigns: []\ndefaults:\n  dialingRules:\n${keys(1_500)
      .map((k) => `    ${k}: 1\n`)
      .join("")}`;
    const cost = costOf(yaml, "r.yaml");
    expect(cost.problems).toHaveLength(1_001);
    expect(cost.problems[0]).toMatch(/^5:5 defaults\.dialingRules\.k0 \[RULES_UNKNOWN_KEY\]/);
    expect(cost.reread).toHaveLength(1);
  });

  it("leaves a problem unlocated where its part is longer than a request body, rather than re-read it", () => {
    const many = keys(30_000);
    const yaml = `profiles: []\ncampaigns: []\n${many.map((k) => `${k}: 1\n`).join("")}`;
    expect(`profiles: ~\ncampaigns: ~\n${many.map((k) => `${k}: 1\n`).join("")}`.length).toBeGreaterThan(
      LOCATE_PART_MAX_CHARS,
    );
    const cost = costOf(yaml, "r.yaml");
    expect(cost.reread).toEqual([]);
    expect(cost.problems[0]).toBe(`-:- k0 ${unknownKey("k0")}`);
    expect(cost.problems).toHaveLength(1_001);
  });

  it("counts past 1,000 for a value with no text (a request body) as well", () => {
    const value = { profiles: [], campaigns: [], ...Object.fromEntries(keys(1_200).map((k) => [k, 1])) };
    try {
      parseRulesValue(value, "body");
      expect.unreachable();
    } catch (err) {
      if (!(err instanceof RulesFileError)) throw err;
      expect(err.problems).toHaveLength(1_001);
      expect(err.problems[1_000]?.message).toBe(
        "200 more problems not listed (the first 1000 are): fix those and check again",
      );
      expect(err.problems[1_000]?.location).toEqual({ file: "body" });
    }
  });
});

describe("streamed entries' problems past 1,000", () => {
  it("are counted with the rest of the file's", () => {
    const entries = Array.from({ length: 1_200 }, (_, i) => `  - id: C${i}\n    bogus: 1\n`).join("");
    const cost = costOf(`profiles: []\nbogus: 1\ncampaigns:\n${entries}`, "r.yaml");
    expect(cost.problems).toHaveLength(1_001);
    expect(cost.problems[0]).toMatch(/^2:1 bogus \[RULES_UNKNOWN_KEY\]/);
    expect(cost.problems[1_000]).toMatch(/ 201 more problems not listed /);
  });
});

describe("repeated keys where the fast path cannot read the file (an anchor sends it to `yaml`)", () => {
  it("are found in linear time, with yaml's code, message and position, however large the mapping", () => {
    const filler = Array.from({ length: 3_000 }, (_, i) => `k${i}: 1\n`).join("");
    const yaml = `a: &x 1\nprofiles: []\ncampaigns: []\n${filler}k5: 2\nprofiles: []\n`;
    const cost = costOf(yaml, "r.yaml");
    expect(cost.problems).toEqual([
      "3004:1  [RULES_YAML_DUPLICATE_KEY] Map keys must be unique",
      "3005:1  [RULES_YAML_DUPLICATE_KEY] Map keys must be unique",
    ]);
  });

  it("in a small mapping are yaml's own errors", () => {
    expect(costOf("a: &x 1\nprofiles: []\nprofiles: []\ncampaigns: []\n", "r.yaml").problems).toEqual([
      "3:1  [RULES_YAML_DUPLICATE_KEY] Map keys must be unique",
    ]);
  });

  it("exactly 1,000 are all listed, with nothing counted", () => {
    // the first `profiles` and 1,000 repeats of it
    const repeats = Array.from({ length: 1_001 }, () => "profiles: []\n").join("");
    const cost = costOf(`a: &x 1\ncampaigns: []\n${repeats}`, "r.yaml");
    expect(cost.problems).toHaveLength(1_000);
    expect(cost.problems.filter((p) => p.includes("RULES_MORE_PROBLEMS"))).toEqual([]);
  });

  it("past 1,000 are counted as the others are: the first 1,000 listed, then one problem for the rest", () => {
    const repeats = Array.from({ length: 1_200 }, () => "profiles: []\n").join("");
    const cost = costOf(`a: &x 1\ncampaigns: []\n${repeats}`, "r.yaml");
    expect(cost.problems).toHaveLength(1_001);
    expect(cost.problems[0]).toBe("4:1  [RULES_YAML_DUPLICATE_KEY] Map keys must be unique");
    expect(cost.problems[1_000]).toBe(
      "-:-  [RULES_MORE_PROBLEMS] 199 more problems not listed (the first 1000 are): fix those and check again",
    );
  });
});

describe("a problem deep in a mapping", () => {
  it("is placed inside the child collection it is in, which stays in the part re-read", () => {
    const yaml =
      "profiles: []\ncampaigns: []\ndefaults:\n  dialingRules:\n    maxCallsPerAgent: 1\n    retrySettings:\n      maxAttempts: x\n      intervalMinutes: [60]\n";
    const cost = costOf(yaml, "r.yaml");
    expect(cost.problems).toEqual([
      '7:20 defaults.dialingRules.retrySettings.maxAttempts [RULES_TYPE] expected a number, got the string "x"',
    ]);
    // the dialingRules mapping (to its last character), its retrySettings kept whole
    expect(cost.reread).toEqual([
      "    maxCallsPerAgent: 1\n    retrySettings:\n      maxAttempts: x\n      intervalMinutes: [60]".length,
    ]);
  });
});

describe("a part exactly as long as the limit", () => {
  it("is re-read; one character more and it is not", () => {
    const head = "profiles: []\ncampaigns: []\nbogus: ";
    const partHead = "profiles: ~\ncampaigns: ~\nbogus: ";
    const n = LOCATE_PART_MAX_CHARS - partHead.length - 1;
    const at = costOf(`${head}${"x".repeat(n)}\n`, "r.yaml");
    expect(at.reread).toEqual([LOCATE_PART_MAX_CHARS]);
    expect(at.problems[0]).toMatch(/^3:1 bogus \[RULES_UNKNOWN_KEY\]/);
    const over = costOf(`${head}${"x".repeat(n + 1)}\n`, "r.yaml");
    expect(over.reread).toEqual([]);
    expect(over.problems[0]).toMatch(/^-:- bogus \[RULES_UNKNOWN_KEY\]/);
  });
});

describe("a JSON file long enough to be counted", () => {
  it("whose root is a list, or that has no campaigns list, gets the schema's problems", () => {
    const list = `[${Array.from({ length: 120_000 }, () => "1").join(",")}]`;
    expect(list.length).toBeGreaterThan(200_000);
    expect(costOf(list, "r.json").problems).toEqual([
      "1:1  [RULES_TYPE] expected a mapping with keys profiles, licenseTier, limits, overrides, capacity, defaults, campaigns, got a list",
    ]);
    const noList = JSON.stringify({ profiles: [], campaigns: 5, pad: "x".repeat(210_000) });
    expect(costOf(noList, "r.json").problems.map((p) => p.split(" [")[0])).toEqual([
      "1:28 campaigns",
      "1:30 pad",
    ]);
  });
});
