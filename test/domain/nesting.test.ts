import fc from "fast-check";
import { describe, expect, it } from "vitest";
import YAML, { isDocument, parseAllDocuments } from "yaml";
import { findTooDeep, MAX_NESTING, nestingProblem } from "../../src/domain/nesting.js";
import { parseRulesFile, RulesFileError } from "../../src/domain/rules-file.js";
import { propertyRuns } from "../setup/property-runs.js";
import { scanDepth, yamlDepth } from "./nesting-depth.js";

/** A value nested exactly `depth` levels (arrays and objects mixed by `kinds`). */
function nested(depth: number, kinds: readonly boolean[]): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kinds[i % kinds.length] ? [v] : { k: v };
  return v;
}

/** The same value as block YAML (indentation, `- ` items). */
function blockYaml(value: unknown, indent = ""): string {
  if (Array.isArray(value)) return `${indent}-\n${blockYaml(value[0], `${indent}  `)}`;
  if (value !== null && typeof value === "object")
    return `${indent}k:\n${blockYaml((value as { k: unknown }).k, `${indent}  `)}`;
  return `${indent}${String(value)}\n`;
}

describe("nesting pre-scan", () => {
  it("refuses JSON, flow YAML and block YAML deeper than the cap and passes what is within it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 * MAX_NESTING }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        (depth, kinds) => {
          const value = nested(depth, kinds);
          const json = JSON.stringify(value);
          // JSON is exact; block YAML may over-count by one level per line start, never under-count
          expect(findTooDeep(json) !== undefined).toBe(depth > MAX_NESTING);
          if (depth > MAX_NESTING) expect(findTooDeep(blockYaml(value))).toBeDefined();
          if (depth < MAX_NESTING - 1) expect(findTooDeep(blockYaml(value))).toBeUndefined();
        },
      ),
    );
  });

  it("is not fooled by brackets in quotes, comments or block scalars, nor by apostrophes in plain text", () => {
    const deep = "[".repeat(200);
    expect(findTooDeep(`a: "${deep}"\nb: '${deep}'\n# ${deep}\nc: |\n  ${deep}\n`)).toBeUndefined();
    // an apostrophe inside a plain scalar opens no quote, so what follows is still counted
    expect(findTooDeep(`a: it's\nb: ${deep}`)).toBeDefined();
    expect(findTooDeep(`- ${"- ".repeat(100)}x`)).toBeDefined();
  });

  it("as an input problem: code, message, file, line and column; none when shallow enough", () => {
    const problem = nestingProblem("a:\n  b: [[1]]\n", "rules.yaml", 2);
    expect(problem).toMatchObject({
      code: "NESTING_TOO_DEEP",
      message: "nested more than 2 levels deep; nothing was parsed (a rules file needs about six)",
      location: { file: "rules.yaml", line: 2, column: 6 },
    });
    expect(nestingProblem("[[1]]", undefined, 1)?.location).toEqual({ line: 1, column: 2 });
    expect(nestingProblem("a:\n  b: [[1]]\n", "rules.yaml", 4)).toBeUndefined();
  });

  it("is one linear pass: 1 MB of `[` is refused at the 65th", () => {
    expect(findTooDeep("[".repeat(1_000_000))).toMatchObject({ depth: MAX_NESTING + 1, line: 1, column: 65 });
  });

  it("runs before the rules-file parser: 10,000 levels are one NESTING_TOO_DEEP problem with a line", () => {
    for (const name of ["rules.yaml", "rules.json"]) {
      let err: unknown;
      try {
        parseRulesFile(`campaigns:\n  - ${"[".repeat(10_000)}`, name);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RulesFileError);
      expect((err as RulesFileError).problems).toEqual([
        expect.objectContaining({ code: "NESTING_TOO_DEEP", location: expect.objectContaining({ line: 2 }) }),
      ]);
    }
  });
});

const valid = (text: string) =>
  parseAllDocuments(text).every((doc) => isDocument(doc) && doc.errors.length === 0);

/** `count` wrappings of `leaf` (level 0 outermost), as one string. */
const nest = (count: number, wrap: (inner: string, level: number) => string, leaf = "x") => {
  let t = leaf;
  for (let level = count - 1; level >= 0; level--) t = wrap(t, level);
  return t;
};
const hundred = (wrap: (inner: string, level: number) => string, leaf?: string) => nest(100, wrap, leaf);

describe("nesting pre-scan: lexical corner cases (literal depths)", () => {
  // [document, depth the scan counts]; where it counts more than `yaml` finds, the comment says why
  const cases: [string, number][] = [
    ["a: 1\n", 1],
    ["a:\n  b:\n    c: 1\n", 3],
    ["- a\n- b\n", 2], // a scalar sequence item counts as a level (the scan cannot tell `- x` from `- k: v`)
    ["- - - x\n", 4],
    ["- - - \n", 3], // bare dashes: their items are on the next lines
    ["- k: v\n  j: w\n", 2],
    ["-   k: v\n    j: w\n", 2],
    ["- k:\n    - j:\n        m: 1\n", 5], // compact mappings keep their column: yaml's own output style
    ["k:\n- j:\n    m: 1\nn: 1\n", 4], // a sequence at its key's column is a level of its own
    ["k:\n- a\nn:\n  m: 1\n", 3],
    ["a:\n    b: 1\nc:\n  d: 1\n", 2], // back to a level between two open ones
    ["a:\n  b: 1\nc:\n   d:\n     e: 1\n", 3],
    ["? a: b\n", 2],
    ["? - a\n  - b\n: c\n", 3],
    ["[a]: b\n", 2],
    ["[[a]]: b\n", 3],
    ["{a: 1}: b\n", 2],
    ["[a: b]\n", 2], // a pair in a flow sequence is a mapping
    ["[a: [b: [c: 1]]]\n", 6],
    ["[? a]\n", 2],
    ['{"a":{"b":["c"]}}', 3],
    ['{"a":"[x","b":1}', 1],
    ["[1,'[',2]", 1],
    ['["a\\"[", 2]', 1],
    ["['it''s [', 2]", 1],
    ["{a:'[[['}\n", 4], // `a:'` is one plain scalar: the brackets are flow collections to `yaml`
    ["a: rock 'n' roll [1\nb:\n  c: 1\n", 3], // text to yaml, but a stray `[` is counted, and the lines after it too
    ['a: say "hi\nb:\n  c: 1\n', 2],
    ["a: x [1] y\n", 2],
    ['a: "[[[" # [[[\nb: 1 # {{{\n', 1],
    ["# [[[\na: 1\n", 1],
    ["a: b#[c\n", 2], // no comment without a space before `#`: the `[` is counted
    ["a: b\t# [[[\n", 1],
    ["a: b\r# [\n", 2], // yaml reads a lone CR as text, so that `#` starts no comment
    ["a: |\n  [[[\n  - - x\nb: 1\n", 1],
    ["a: >-\n  {{{\n", 1],
    ["a: |  # c\n  [[\n", 1],
    ["a: |2\n   [\n", 1],
    ["a: |\n\n  [[\n", 1],
    ["- key: |\n  other: [[1]]\n", 4], // `other` is not in the block scalar: `key`'s column is 2
    ["- |\n [x\n", 2],
    ["a: b |\n  c\n", 2], // `|` inside a plain scalar starts no block scalar
    ["---\na: 1\n...\n---\n- x\n", 2],
    ['a: !!str "[["\n', 1],
    ['a: &x "[["\n', 1],
    ['[!!str "[", x]\n', 1],
    ["a: 1\r\nb:\r\n  c: 1\r\n", 2],
    ['a:\t"[["\n', 1], // a tab after `:` is a space: the quote opens
    ["a: |\r\n  [[\r\n", 1], // a CRLF ends the block scalar's header
    ["a: 'multi\n  line [' \nb: 1\n", 1],
    ['a: "multi\n  [line"\nb: 1\n', 1],
    ["k: - a\n", 2], // not YAML; yaml still reads a sequence there
  ];
  it.each(cases)("%j counts %i", (text, depth) => {
    expect(scanDepth(text)).toBe(depth);
    expect(depth).toBeGreaterThanOrEqual(yamlDepth(text));
  });

  it("reports where the cap is passed: line and column of the level that passes it", () => {
    expect(findTooDeep("a:\n  b:\n    c: [1]\n", 2)).toEqual({ depth: 3, line: 3, column: 5 });
    expect(findTooDeep("a:\n  b:\n    c: [1]\n", 3)).toEqual({ depth: 4, line: 3, column: 8 });
    expect(findTooDeep('x: "a\nb" [[\n', 1)).toEqual({ depth: 2, line: 2, column: 4 });
    expect(findTooDeep("- - k: v\n", 2)).toEqual({ depth: 3, line: 1, column: 5 });
    expect(findTooDeep("[a: b]", 1)).toEqual({ depth: 2, line: 1, column: 3 });
    expect(findTooDeep("[a]: [b]\n", 1)).toEqual({ depth: 2, line: 1, column: 4 });
    expect(findTooDeep("a: x [\n", 1)).toEqual({ depth: 2, line: 1, column: 6 });
    expect(findTooDeep("? a: b: c\n", 2)).toEqual({ depth: 3, line: 1, column: 7 });
  });
});

describe("nesting pre-scan: shapes it used to under-count (100 levels, refused at 64; each passed before)", () => {
  const shapes: [string, string][] = [
    // yaml's own output style: each `- k:` is a sequence and a mapping
    [
      "compact mappings",
      YAML.stringify(JSON.parse(hundred((inner, l) => (l % 2 ? `[${inner}]` : `{"k":${inner}}`), "1"))),
    ],
    // a quote inside a plain scalar opens nothing; the scan skipped to the next quote, lines away
    ["a quote in a plain scalar", `a: b "\nc: ${hundred((inner) => `[${inner}]`)}\nd: e "\n`],
    ["an apostrophe in a plain scalar", `a: rock 'n\nc: ${hundred((inner) => `[${inner}]`)}\nd: roll '\n`],
    ["a quote after a dash in a plain scalar", `a: -"x\nc: ${hundred((inner) => `[${inner}]`)}\nd: e "\n`],
    ["a quote in a flow plain scalar", `[a "b, ${hundred((inner) => `[${inner}]`)}, "c"]\n`],
    // a stray `[` in a plain scalar looked like a flow, which hid the block lines after it
    [
      "block lines after a stray `[`",
      `a: x [\n${hundred((inner, l) => `${"  ".repeat(l)}k:\n${inner}`, `${"  ".repeat(100)}1`)}\n`,
    ],
    // `other` is a key of the mapping at column 2, not text of the block scalar
    ["a key after `- key: |`", `- key: |\n  other: ${hundred((inner) => `[${inner}]`)}\n`],
    // two levels per wrapping, of which one was counted
    ["flow pairs", nest(50, (inner) => `[a: ${inner}]`)],
    [
      "sequences at their key's column",
      nest(50, (inner, l) => `${"  ".repeat(l)}k:\n${"  ".repeat(l)}- ${inner.trimStart()}`),
    ],
  ];
  it.each(shapes)("%s", (_, text) => {
    expect(yamlDepth(text)).toBeGreaterThanOrEqual(100);
    expect(findTooDeep(text)).toBeDefined();
  });
});

describe("nesting pre-scan: never under-counts what `yaml` builds (property)", () => {
  const values = (leaves: unknown[], keys: string[]): fc.Arbitrary<unknown> =>
    fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", maxDepth: 8 },
        fc.constantFrom(...leaves),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom(...keys), tie("node"), { maxKeys: 3 }),
      ),
    })).node;
  /** Values whose text has no indicator inside a scalar. */
  const canonical = values([1, "x", null, true], ["k", "a b"]);
  /** Scalars and keys with quotes, brackets, `#`, `|`, dashes in them. */
  const lexical = values(
    [1, "it's [", 'say "hi', "a # [", "| >", "x]", null],
    ["k", "[k]", "'q'", "- d", "a: b"],
  );
  const styles: YAML.ToStringOptions[] = [
    {},
    { indentSeq: false },
    { flowCollectionPadding: false },
    { indent: 4 },
  ];
  const texts = (v: unknown, style: YAML.ToStringOptions) => [
    YAML.stringify(v, style),
    new YAML.Document(v, { ...style, flow: true }).toString(),
    JSON.stringify(v),
    JSON.stringify(v, null, 2),
  ];

  it("on generated values written by `yaml` (block and flow styles) and as JSON: yaml's depth ≤ the scan's ≤ it + 1", () => {
    fc.assert(
      fc.property(canonical, fc.constantFrom(...styles), (v, style) => {
        for (const text of texts(v, style)) {
          const real = yamlDepth(text);
          const scanned = scanDepth(text);
          expect(scanned).toBeGreaterThanOrEqual(real);
          // a scalar sequence item (or a lone scalar) is the one level the scan adds
          expect(scanned).toBeLessThanOrEqual(real + 1);
        }
        // JSON is counted exactly (a lone scalar is the line's level: 1)
        expect(scanDepth(JSON.stringify(v))).toBe(Math.max(1, yamlDepth(JSON.stringify(v))));
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it("on generated values with indicators inside their scalars and keys: never below yaml's depth", () => {
    fc.assert(
      fc.property(lexical, fc.constantFrom(...styles), (v, style) => {
        for (const text of texts(v, style)) expect(scanDepth(text)).toBeGreaterThanOrEqual(yamlDepth(text));
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it("on lexical soups of YAML's indicators that `yaml` reads without an error", () => {
    const token = fc.constantFrom(
      "- ",
      "-",
      "k: ",
      "k:",
      ":",
      '"',
      "'",
      "[",
      "]",
      "{",
      "}",
      ", ",
      ",",
      "# ",
      "#",
      "|",
      ">",
      "|-",
      "? ",
      "!t ",
      "&a ",
      "*a",
      "x",
      " ",
      "  ",
      "\n",
      "\n  ",
      "\n    ",
      "\t",
      "\r\n",
      "\r",
      "--- ",
      "...",
      "\\",
      "''",
      "'a'",
      '"a"',
      ": ",
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
        const text = tokens.join("");
        fc.pre(valid(text));
        expect(scanDepth(text)).toBeGreaterThanOrEqual(yamlDepth(text));
      }),
      { numRuns: propertyRuns(5_000) },
    );
  });
});
