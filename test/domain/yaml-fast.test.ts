/**
 * loadYamlFast on literal inputs. The fast path is invisible in parseRulesFile's results (a refusal only
 * sends the file to `yaml`), so these tests call it directly and assert both halves of its contract:
 * - it *is* taken for what people write (validate's speed on big files depends on it, issue 17), and then
 *   gives exactly `yaml`'s value;
 * - it answers `undefined` for each construct where js-yaml and `yaml` disagree (or might).
 * The property tests in rules-file-fastpath.test.ts compare the two paths on generated documents.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type FastYaml, loadYamlFast } from "../../src/domain/yaml-fast.js";

/** The fast read of `text`, failing the test if the fast path gave up. */
function fast(text: string): FastYaml {
  const read = loadYamlFast(text);
  if (read === undefined) throw new Error(`the fast path refused ${JSON.stringify(text)}`);
  return read;
}

const RULES_BLOCK = `profiles:
  - US_TCPA
  - UK_OFCOM
licenseTier: ENTERPRISE
limits:
  maxAbandonmentRate: 0.03
  frequency:
    - maxAttempts: 3
      windowMinutes: 1440
defaults:
  dialingRules:
    dialingMethod: PREDICTIVE
    maxCallsPerAgent: 2
campaigns:
  - id: CMP-1
    dialingRules:
      retrySettings:
        maxAttempts: 3
        intervalMinutes:
          - 60
          - 240
  - match: "Sales-*"
`;

describe("loadYamlFast takes the fast path for the rules files people write", () => {
  it.each([
    ["block style", RULES_BLOCK],
    [
      "flow style",
      "{profiles: [US_TCPA], campaigns: [{id: CMP-1, dialingRules: {maxCallsPerAgent: 2}}, {match: 'S-*'}]}\n",
    ],
    [
      "flow collections inside block ones",
      "profiles: [US_TCPA, UK_OFCOM]\ncampaigns:\n  - {id: A}\n  - [1, 2]\n",
    ],
    [
      "comments on their own lines and after values",
      "# rules\nprofiles: [US_TCPA] # the only one\ncampaigns: # below\n  # first\n  - id: A # why\n    # more\n  - id: B\n",
    ],
    [
      "quoted keys",
      `"profiles": []\n'campaigns':\n  - "id": 'A'\n    'dialingRules': {"maxCallsPerAgent": 1}\n`,
    ],
    ["a sequence at its key's column", "campaigns:\n- id: A\n- id: B\nprofiles: []\n"],
    [
      "4-space indentation",
      "campaigns:\n    -   id: A\n        dialingRules:\n            maxCallsPerAgent: 3\n",
    ],
    ["document markers", "---\nprofiles: []\ncampaigns: []\n...\n"],
    ["a document marker followed by a comment", "--- # rules\nprofiles: []\n"],
    ["a document marker followed by a value", "--- {profiles: []}\n"],
    ["CRLF line breaks", "profiles:\r\n  - US_TCPA\r\ncampaigns: []\r\n"],
    ["a blank line between entries", "campaigns:\n  - id: A\n\n  - id: B\n"],
    ["a byte-order mark", "\ufeffprofiles: []\ncampaigns: []\n"],
    ["a literal block scalar", "overrides:\n  - reason: |\n      line one\n      line two\n"],
    ["a folded block scalar", "overrides:\n  - reason: >-\n      folded\n      text\n"],
    ["a block scalar right after a sequence dash", "reasons:\n  - |\n    one\n  - >\n    two\n"],
    ["a plain scalar over two lines", "reason: first\n  second\n"],
    // the continuation only has to pass the key's column (no `- `, `? `, `: ` indicator before it)
    ["a quoted scalar continued under a key with a space", "a b: 'x\n  y'\n"],
    ["a quoted scalar continued under a key starting with `-`", "-1: 'a\n b'\n"],
    ["a double-quoted scalar over two lines", 'reason: "first\n  second"\n'],
    ["a single-quoted scalar over two lines", "reason: 'first\n  second'\n"],
    // past the column after the dash: `yaml` accepts less, but this is what the fast path vouches for
    ["a plain scalar over two lines in a sequence", "- first\n   second\n"],
    ["a multi-line scalar in a sequence in a mapping", "a:\n  - first\n     second\n"],
    ["a multi-line scalar after a compact sequence", "- - first\n     second\n"],
    ["a multi-line scalar after a dash on its own line", "-\n  first\n   second\n"],
    ["a flow closer at its key's column in a sequence", "- a: [\n   1\n  ]\n"],
    ["a non-ASCII line break in a plain scalar", "a: b\u2028c\n"],
    ["a non-ASCII line break in a quoted scalar", 'a: "b\u2029c"\n'],
    ["a document of blanks (null)", "  \n\n"],
    ["a flow sequence over lines", "campaigns: [\n    A,\n    B\n  ]\n"],
    ["a flow mapping over lines, the closer at the key's column", "defaults: {\n  a: 1,\n  b: 2\n}\n"],
    ["a flow sequence over lines with a trailing comma", "a: [\n  1,\n]\n"],
    ["a flow sequence over lines after a dash", "- [\n   1,\n   2\n  ]\n"],
    ["a blank line inside a flow sequence", "a: [1,\n\n  2]\n"],
    ["a blank CRLF line inside a flow sequence", "a: [1,\r\n\r\n  2]\r\n"],
    ["a multi-line scalar ending the text without a line break", "a: 'x\n  y'"],
    ["nested flow collections over lines", "a: [\n  {b: 1},\n  {c: [2,\n    3]}\n]\n"],
    ["a flow mapping with its value on the next line", "{a:\n  1}\n"],
    ["a flow collection with a comment after it", "a: [1, 2] # c\nb: {c: 1} # d\n"],
    ["a flow collection with a tab and a comment after it", "a: [1]\t# c\n"],
    ["a flow collection ended by a comma in a flow", "a: [[1], [2]]\n"],
    ["a flow collection in a flow mapping as a value", "{a: [1], b: {c: 2}}\n"],
    ["a flow mapping value on the next line", "{a:\n  [1]}\n"],
    ["a flow mapping value on the next line after CRLF", "{a:\r\n  [1]}\r\n"],
    ["a flow value after a tab in a flow mapping", "{a:\t[1], b:\t{c: 1}}\n"],
    ["an empty value", "a:\nb: 1\n"],
    ["a `!` inside a word and inside quotes", 'a: b!c\nd: "!x"\ne: "wow!"\n'],
    ["a `#` inside a word", "a: x#y\n"],
    ["a `?` inside a word and inside quotes", 'a: why?\nb: "? x"\nc: a?b\n'],
    ["a `:` inside a word", "url: http://x.example/a:b\n"],
    ["a `%` inside a line", "a: 50%\n"],
    ["a `...` inside a line", "a: wait...\n"],
    ["a `---` inside a line", "a: x---y\n"],
    ["a tab after a value", "a: 1\t\nb: 2\n"],
    ["a tab inside a flow collection", "a: [1,\t2]\n"],
    ["a comment after a flow collection spread over lines", "a: [\n  1\n  ] # c\n"],
    ["a key after a multi-line flow collection", "a: [\n  1]\nb: 2\n"],
    ["a `-` inside a key", "a-b: 1\nmax-x: 2\n"],
    ["a scalar document", "just text\n"],
    ["a document without a final line break", "profiles: []\ncampaigns: [{id: A}]"],
    ["a one-line document without a line break", "a: 1"],
    ["an empty value before a comment ending the text", "a: 1\nb: # c"],
    ["a comment-only document (null)", "# nothing\n"],
  ])("%s", (_name, text) => {
    expect(fast(text).value).toEqual(parse(text));
  });
});

describe("loadYamlFast reads plain scalars as yaml's YAML 1.2 core schema does", () => {
  it.each([
    ["~", null],
    ["null", null],
    ["Null", null],
    ["NULL", null],
    ["nULL", "nULL"],
    ["nulls", "nulls"],
    ["xnull", "xnull"],
    ["x~", "x~"],
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["false", false],
    ["False", false],
    ["FALSE", false],
    ["tRUE", "tRUE"],
    ["trues", "trues"],
    ["xtrue", "xtrue"],
    ["isFalse", "isFalse"],
    ["yes", "yes"],
    ["0o17", 15],
    ["0o8", "0o8"],
    ["0o", "0o"],
    ["0o17x", "0o17x"],
    ["x0o17", "x0o17"],
    ["12", 12],
    ["+12", 12],
    ["-12", -12],
    ["007", 7],
    ["1_000", "1_000"],
    ["12x", "12x"],
    ["x12", "x12"],
    ["0x1f", 31],
    ["0xFF", 255],
    ["0x", "0x"],
    ["0x1g", "0x1g"],
    ["x0x1", "x0x1"],
    ["-0x1", "-0x1"],
    ["+0x1F", "+0x1F"],
    ["0b101", "0b101"],
    [".nan", Number.NaN],
    [".NaN", Number.NaN],
    [".NAN", Number.NaN],
    [".nAn", ".nAn"],
    ["-.nan", "-.nan"],
    [".inf", Number.POSITIVE_INFINITY],
    ["+.Inf", Number.POSITIVE_INFINITY],
    ["-.INF", Number.NEGATIVE_INFINITY],
    ["-.inf", Number.NEGATIVE_INFINITY],
    [".iNF", ".iNF"],
    [".infinity", ".infinity"],
    ["x.inf", "x.inf"],
    ["1e3", 1000],
    ["1E3", 1000],
    ["-1e3", -1000],
    ["+1e-3", 0.001],
    ["1.5e+2", 150],
    [".5e2", 50],
    ["3.e1", 30],
    [".55e2", 55],
    ["12e3", 12000],
    ["12.5e1", 125],
    ["1e12", 1e12],
    ["1e", "1e"],
    ["e3", "e3"],
    ["1e3x", "1e3x"],
    ["x1e3", "x1e3"],
    ["1.5", 1.5],
    ["12.5", 12.5],
    [".25", 0.25],
    ["-1.5", -1.5],
    ["+.5", 0.5],
    ["-.5", -0.5],
    ["3.", 3],
    [".5", 0.5],
    ["1.2.3", "1.2.3"],
    ["1.5x", "1.5x"],
    ["x1.5", "x1.5"],
    [".", "."],
  ])("%s", (scalar, expected) => {
    const text = `v: ${scalar}\n`;
    expect(parse(text)).toEqual({ v: expected });
    expect(fast(text).value).toEqual({ v: expected });
  });

  it("keeps quoted scalars strings", () => {
    expect(fast("a: '12'\nb: \"true\"\nc: 'null'\n").value).toEqual({ a: "12", b: "true", c: "null" });
  });
});

describe("loadYamlFast leaves to yaml what the two parsers read differently", () => {
  it.each([
    ["a lone CR", "a: 1\rb: 2\n"],
    ["a lone CR at the end", "a: 1\r"],
    ["a %YAML directive", "%YAML 1.1\n---\na: 1\n"],
    ["a %TAG directive on a later line", "a: 1\n%TAG ! x\n"],
    ["`---` glued to text", "---a: 1\n"],
    ["`...` glued to text", "a: 1\n...x\n"],
    ["`---` glued to text on a later line", "a: 1\n---b\n"],
    ["a tag at the start", "!x a: 1\n"],
    // an empty node with the non-specific tag: js-yaml reads null, `yaml` ""
    ["a lone `!` at the start", "!\n"],
    ["a tag after a space", "a: !x 1\n"],
    ["a standard tag", "a: !!int 1\n"],
    ["a verbatim-less tag `! x`", "a: ! x\n"],
    ["a tag after a tab", "a:\t!x 1\n"],
    ["a tag in a flow sequence", "a: [!x 1]\n"],
    ["a tag after a comma", "a: [1,!x 2]\n"],
    ["a tag in a flow mapping", "{!x a: 1}\n"],
    ["a tag after a colon", "{a:!x 1}\n"],
    ["a comment glued to a double quote", 'a: "x"#c\n'],
    ["a comment glued to a single quote", "a: 'x'#c\n"],
    ["a comment glued to a closing bracket", "a: [1]#c\n"],
    ["a comment glued to a closing brace", "a: {b: 1}#c\n"],
    ["a comment glued to a comma", "a: [1,#c\n  2]\n"],
    ["a comment glued to an opening bracket", "a: [#c\n  1]\n"],
    ["a comment glued to an opening brace", "a: {#c\n  b: 1}\n"],
    ["a comment glued to a colon", "a:#c\n"],
    ["an explicit key", "? a\n: 1\n"],
    ["an explicit key at the end of a line", "?\n  a\n: 1\n"],
    ["an explicit key after a space", "- ? a\n  : 1\n"],
    ["an explicit key after a tab", "-\t? a\n"],
    ["an explicit key in a flow sequence", "[? a]\n"],
    ["an explicit key in a flow mapping", "{? a: 1}\n"],
    ["an explicit key after a comma", "{b: 2,? a: 1}\n"],
    ["an explicit key with a tab after it", "?\ta\n"],
    // js-yaml names the key "null", `yaml` ""
    ["an explicit key ending the text", "a: 1\n?"],
    ["an empty key at a line's start", ": 1\n"],
    ["an empty key at the end of a line", "a:\n:\n"],
    ["an empty key after indentation", "a:\n  : 1\n"],
    ["an empty key after a tab", "\t: 1\n"],
    ["an empty key in a flow mapping", "{a: 1, : 2}\n"],
    ["an empty key at a line's start in a flow mapping", "{a: 1,\n: 2}\n"],
    ["an indented empty key at a line's start in a flow mapping", "{a: 1,\n  : 2}\n"],
    ["an empty key after a comma", "{a: 1,: 2}\n"],
    ["an empty key opening a flow mapping", "{: 1}\n"],
    ["an empty key after an opening brace and a tab", "{\t: 1}\n"],
    ["an empty key before a comma", "{a: 1, :, b: 2}\n"],
    ["an empty key before a closing brace", "{a: 1, :}\n"],
    ["an empty key before a closing bracket", "[a, :]\n"],
    ["an empty key after a tab", "{a: 1,\t:\t2}\n"],
    ["an empty key after a dash", "- : 1\n"],
    ["an empty key after a dash and a tab", "-\t: 1\n"],
    ["an empty key after a dash and blanks", "-  : 1\n"],
    ["a tab in the indentation", "a:\n\tb: 1\n"],
    ["a tab after spaces in the indentation", "a:\n  \tb\n"],
    ["an anchor on a scalar", "a: &x 1\n"],
    ["an anchor on a collection", "a: &x [1]\n"],
    ["an anchor and an alias", "a: &x 1\nb: *x\n"],
    ["an anchor deep inside", "a:\n  b:\n    c: &x 1\n"],
    ["a flow sequence as a key", "[a]: 1\n"],
    ["a flow mapping as a key", "{a: 1}: 2\n"],
    ["a flow sequence as a key after blanks", "[a]  : 1\n"],
    ["a flow sequence as a key after a tab", "[a]\t: 1\n"],
    ["a flow sequence as a key in a flow mapping", "{[a]: 1}\n"],
    ["a multi-line quoted key", '{"a\n b": 1}\n'],
    ["a collection without a value in a flow mapping", "{a: 1, [b]}\n"],
    ["a mapping without a value in a flow mapping", "{a: 1, {b: 2}}\n"],
    ["a collection first in a flow mapping", "{[b], a: 1}\n"],
    ["a collection in a flow mapping nested in a sequence", "[{a: 1, [b]}]\n"],
    ["a collection in a flow mapping nested in a block one", "x:\n  y: {a: 1, [b]}\n"],
    ["a collection in a flow mapping after a blank line", "{a: 1,\n\n [b]}\n"],
    // js-yaml reads on after the bracket, `yaml` refuses the text
    ["a key right after a flow sequence's closing bracket", "a: [\n  1\n]b: 2\n"],
    ["a key right after a flow mapping's closing brace", "a: {\n}b: 1\n"],
    ["a key after a flow sequence's closing bracket and a space", "a: [\n  1\n] b: 2\n"],
    ["an under-indented flow line", "a:\n  b: {c: 1,\n  d: 2}\n"],
    ["an unindented flow line", "a: [\n1]\n"],
    ["an unindented flow closer", "a:\n  b: [1,\n   2\n ]\n"],
    ["a flow closer left of its key", "- a: [\n   1\n ]\n"],
    ["a tab indenting a flow line", "a: [1,\n\t2]\n"],
    ["a tab indenting a flow line after spaces", "a: [1,\n  \t2]\n"],
    ["an under-indented plain continuation in a sequence", "- a\n b\n"],
    ["a plain continuation at the key's column", "a:\n  b: x\n  y\n"],
    ["an under-indented continuation after a compact sequence", "- - a\n  b\n"],
    ["an under-indented quoted continuation", 'a:\n  b: "x\n  y"\n'],
    ["an under-indented continuation under a dash", "-\n  a\n b\n"],
    ["a continuation indented by a tab", 'a: "x\n\ty"\n'],
    ["a continuation after a blank line, under-indented", "a:\n  b: x\n\n  y\n"],
    ["an empty document", ""],
    ["a syntax error", "a: [1\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
  ])("%s", (_name, text) => {
    expect(loadYamlFast(text)).toBeUndefined();
  });
});

describe("loadYamlFast's spans", () => {
  it("gives where each collection two and three levels deep starts and ends", () => {
    const text =
      "profiles: [US_TCPA]\ncampaigns:\n  - id: A  # c\n    x: {y: [1]}\n\n  - [B]\ndefaults:\n  dialingRules: {}\n";
    const read = fast(text);
    const v = read.value as {
      profiles: string[];
      campaigns: [{ id: string; x: { y: number[] } }, string[]];
      defaults: { dialingRules: object };
    };
    const slice = (node: unknown) => {
      const span = read.spanOf(node);
      return span && text.slice(span[0], span[1]);
    };
    expect(slice(v.profiles)).toBe("[US_TCPA]");
    expect(read.startOf(v.profiles)).toBe(10);
    expect(slice(v.campaigns)).toBe("- id: A  # c\n    x: {y: [1]}\n\n  - [B]");
    expect(read.startOf(v.campaigns)).toBe(text.indexOf("- id"));
    expect(slice(v.campaigns[0])).toBe("id: A  # c\n    x: {y: [1]}");
    expect(read.startOf(v.campaigns[0])).toBe(text.indexOf("id: A"));
    expect(slice(v.campaigns[1])).toBe("[B]");
    expect(slice(v.defaults)).toBe("dialingRules: {}");
    expect(slice(v.defaults.dialingRules)).toBe("{}");
    // four levels deep and the root are not recorded, nor are scalars
    expect(read.spanOf(v.campaigns[0].x)).toBeUndefined();
    expect(read.startOf(v.campaigns[0].x)).toBeUndefined();
    expect(read.spanOf(v)).toBeUndefined();
    expect(read.startOf(v)).toBeUndefined();
    expect(read.spanOf("A")).toBeUndefined();
    expect(read.startOf("A")).toBeUndefined();
    expect(read.spanOf(null)).toBeUndefined();
    expect(read.startOf(null)).toBeUndefined();
    expect(read.spanOf({})).toBeUndefined();
  });

  it("skips comments and blank lines before a collection", () => {
    const text = "campaigns:\n  # first\n\n  - id: A\nb: 1\n";
    const read = fast(text);
    const c = (read.value as { campaigns: object[] }).campaigns;
    expect(read.spanOf(c)).toEqual([text.indexOf("- id"), text.indexOf("A\n") + 1]);
    expect(read.startOf(c[0])).toBe(text.indexOf("id: A"));
  });

  it("ends a collection before the blanks and line breaks after it", () => {
    const text = "a:\n  b: 1 \t\r\n\r\n\nc: 2\n";
    const read = fast(text);
    const a = (read.value as { a: object }).a;
    expect(read.spanOf(a)).toEqual([5, 9]);
  });

  it("skips tabs and CRLF line breaks around a collection", () => {
    const text = "a:\t[1, 2] \t\r\nb:\r\n\r\n  - x\t\r\n\r\nc: 1\r\n";
    const read = fast(text);
    const v = read.value as { a: number[]; b: string[] };
    expect(read.spanOf(v.a)).toEqual([3, 9]);
    expect(read.spanOf(v.b)).toEqual([text.indexOf("- x"), text.indexOf("x\t") + 1]);
  });

  it("counts offsets in the caller's text when it starts with a byte-order mark", () => {
    const text = "\ufeffcampaigns:\n  - id: A\n";
    const read = fast(text);
    const c = (read.value as { campaigns: object[] }).campaigns;
    expect(read.startOf(c)).toBe(text.indexOf("- id"));
    expect(read.startOf(c[0])).toBe(text.indexOf("id: A"));
    expect(read.spanOf(c[0])).toEqual([text.indexOf("id: A"), text.length - 1]);
  });

  it("gives a flow collection's span from its bracket", () => {
    const text = "campaigns: [{id: A}, {id: B}]\nprofiles: [] # none\n";
    const read = fast(text);
    const v = read.value as { campaigns: object[]; profiles: [] };
    expect(read.spanOf(v.campaigns)).toEqual([11, 29]);
    expect(read.spanOf(v.campaigns[1])).toEqual([21, 28]);
    expect(read.spanOf(v.profiles)).toEqual([40, 42]);
  });
});

describe("loadYamlFast with an item limit", () => {
  const list = (key: string, n: number) =>
    `${key}:\n${Array.from({ length: n }, (_, i) => `  - id: C${i}\n`).join("")}`;

  it("stops at the item past the limit of a collection two levels deep", () => {
    const text = `profiles: [US_TCPA]\n${list("campaigns", 4)}`;
    expect(loadYamlFast(text, 3)).toEqual({
      tooMany: { key: "campaigns", limit: 3, offset: text.indexOf("- id: C0") },
    });
  });

  it("reads a collection at the limit", () => {
    const read = loadYamlFast(list("campaigns", 3), 3);
    expect(read && "value" in read && read.value).toEqual(parse(list("campaigns", 3)));
  });

  it("counts each collection two levels deep on its own", () => {
    const text = `${list("overrides", 3)}${list("campaigns", 3)}`;
    const read = loadYamlFast(text, 3);
    expect(read && "value" in read && read.value).toEqual(parse(text));
    const over = `${list("overrides", 3)}${list("campaigns", 4)}`;
    expect(loadYamlFast(over, 3)).toEqual({
      tooMany: { key: "campaigns", limit: 3, offset: over.indexOf("- id: C0", over.indexOf("campaigns")) },
    });
  });

  it("counts the items of a flow collection, and only those two levels deep", () => {
    expect(loadYamlFast("a: [1, [2, 3, 4, 5]]\n", 2)).toMatchObject({ value: { a: [1, [2, 3, 4, 5]] } });
    expect(loadYamlFast("a: [[1], [2], [3]]\n", 2)).toEqual({ tooMany: { key: "a", limit: 2, offset: 3 } });
    expect(loadYamlFast("a: {x: 1, y: 2, z: 3}\n", 2)).toEqual({
      tooMany: { key: "a", limit: 2, offset: 3 },
    });
  });

  it("counts the items two levels deep under a flow root (a JSON file) too, and stops past the limit", () => {
    const json = '{"profiles": ["US_TCPA"], "campaigns": [{"id": "C0"}, {"id": "C1"}, {"id": "C2"}]}';
    expect(loadYamlFast(json, 2)).toEqual({ tooMany: { key: "campaigns", limit: 2, offset: 39 } });
    expect(loadYamlFast(json, 3)).toMatchObject({ value: JSON.parse(json) });
    // the items of a list three levels deep are not counted
    expect(loadYamlFast('{"a": {"b": [1, 2, 3]}}', 2)).toMatchObject({ value: { a: { b: [1, 2, 3] } } });
    expect(loadYamlFast('[{"a": [1, 2, 3]}]', 2)).toMatchObject({ value: [{ a: [1, 2, 3] }] });
  });

  it("locates the list after a comment and a byte-order mark", () => {
    const text = `\ufeffa:\n  # c\n  - 1\n  - 2\n`;
    expect(loadYamlFast(text, 1)).toEqual({ tooMany: { key: "a", limit: 1, offset: text.indexOf("- 1") } });
  });

  it("names no key for a collection whose key is not a string", () => {
    expect(loadYamlFast("1: [a, b, c]\n", 2)).toEqual({ tooMany: { key: "", limit: 2, offset: 3 } });
  });

  it("takes the key of a quoted key", () => {
    expect(loadYamlFast('"a b": [1, 2]\n', 1)).toEqual({ tooMany: { key: "a b", limit: 1, offset: 7 } });
  });

  it("leaves to yaml a document refused before the limit is passed", () => {
    expect(loadYamlFast("x: &a 1\ncampaigns: [1, 2, 3]\n", 2)).toBeUndefined();
  });

  it("reads an unlimited document in full", () => {
    expect(loadYamlFast(list("campaigns", 5))).toMatchObject({ value: parse(list("campaigns", 5)) });
  });
});
