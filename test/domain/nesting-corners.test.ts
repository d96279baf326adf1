import { describe, expect, it } from "vitest";
import { findTooDeep } from "../../src/domain/nesting.js";
import { scanDepth, yamlDepth } from "./nesting-depth.js";

describe("nesting pre-scan: a flow collection as a pair's key in a flow sequence", () => {
  // `[[a]: b]` is `[{[a]: b}]`: the pair's mapping wraps its key, so the key's levels are one deeper than
  // they were when the scan read them. Counting the key as it was let 2n − 1 levels pass as n.
  const cases: [string, number][] = [
    ["[[a]: b]", 3],
    ["[[a]:b]", 3], // `:` right after a closed collection is a JSON-style value indicator
    ["[[[a]: b]: c]", 5],
    ["[[[[a]: b]: c]: d]", 7],
    ["[{a: [1]}: b]", 4],
    ["[[[[[a]]], [b]]: c]", 6], // the key's deepest entry counts, not its last
    ["[[[[[a]]]], b: c]", 5],
    ["[[a]: b]: c\n", 4], // as a block mapping's flow key
    ['["a": [b]]', 3], // a quoted key adds nothing
    ["[[a], [b]: c]", 3],
    ["[[[a]], b: c]", 3], // the deep collection is an entry before the pair, not its key
  ];
  it.each(cases)("%j counts %i", (text, depth) => {
    expect(scanDepth(text)).toBe(depth);
    expect(depth).toBeGreaterThanOrEqual(yamlDepth(text));
  });

  it("refuses 100 levels of such keys (it passed them as 51) at the `:` that passes the cap", () => {
    let text = "x";
    for (let i = 0; i < 50; i++) text = `[${text}: b]`;
    expect(yamlDepth(text)).toBe(100);
    // 50 `[` and the innermost pair reach 51; each `: b]` after it is one level more: the 14th, at column
    // 50 + 5 + 4 × 13 + 1
    expect(findTooDeep(text)).toEqual({ depth: 65, line: 1, column: 108 });
    expect(findTooDeep("[[a]: b]", 2)).toEqual({ depth: 3, line: 1, column: 5 });
  });
});

describe("nesting pre-scan: more corner cases (literal depths)", () => {
  // [document, depth the scan counts]; the scan may count more than `yaml` builds, never less
  const cases: [string, number][] = [
    // line starts: blank CRLF lines, document markers with text after them, block scalars
    ["a:\r\n  b: |\r\n    [[\r\n  \r\n    [[\r\n", 2], // a blank CRLF line does not end the block scalar
    ["a: |\n  x\nb: [[1]]\n", 3], // the line after a block scalar is structure again
    ["--- [[x]]\n", 2],
    ["---\t[[x]]\n", 2],
    ["|\n [[x]]\n", 1], // a block scalar as the document: its lines are text
    ["- |\n [[[x\n", 2], // `|` after a dash belongs to the dash's column
    ["a:\n  |\n   [[x]]\n", 2], // `|` alone on its line belongs to its own column
    ["a: |x\n  [[y]]\n", 3], // `|x` is no block scalar header: the next line is structure
    ["a: -1\n  [[y]]\n", 3], // `-1` is a plain scalar, not `|-1`
    ['a: "x\n  y": |\n  [[z]]\n', 3], // a `|` after a multi-line quote starts no block scalar
    // compact indicators at a line start
    ["? [[x]]\n", 3],
    ["? a\n: [[x]]\n", 3], // `: ` at the column of its `? ` opens nothing
    ["? a\n: b [[x]]\n", 4], // the value after a compact `: ` opens its column (and stray `[` count)
    ["? x\n- [[y]]\n", 4], // a dash at the column of a `? ` key is a sequence level of its own
    ["- \t[[x]]\n", 3], // a tab after the dash is a separator
    ["- - -", 3], // dashes ending the text open no node after them
    ["- - \r\n", 2],
    ["- - # c\n", 2],
    [":x: 1\n", 1], // `:x` is a plain scalar: no compact `: `, no JSON value indicator
    ["-x: [[y]]\n", 3],
    // indicators inside plain scalars
    ["a: x-:y\n", 1],
    ["a: x-#[[\n", 3], // no space before `#`: the brackets are counted
    ["a: x {{\n", 3],
    ["a: x [] [] []\n", 2], // a stray `]` closes a stray `[`
    ["a: x {} {} {}\n", 2],
    ["a: x ] [[\n", 3], // a stray `]` with nothing open closes nothing
    ["a: ? [[x]]\n", 4],
    ["k: - [[x]]\n", 4],
    ["k: - '[['\n", 2], // a quote after `- ` opens
    ["a: !t x\nb: [[y]]\n", 3], // a tag ends at its token's end
    ["[a]: b\nc: [[[x]]]\n", 4], // the lines after a flow key are still read
    // flows: indicators before `,[]{}`, pairs ended by `,` and `]`, quotes
    ["[a:]", 2],
    ["[a:,b]", 2],
    ["[a:[x]]", 3],
    ["[a:{x: 1}]", 3],
    ["[a: b, [[x]]]", 3],
    ["- [a: b]\n- [[x]]\n", 3],
    ["- [[a: b]]\n- [[[x]]]\n", 4], // the pair inside the inner `[` ends at its `]`
    ["[[a: b, [[x]]]]", 4], // … and at a `,`
    ["[a,\r\n'[[']", 1], // a CRLF in a flow is a space: the quote after it opens
    ["['a\\', [[x]]]", 3], // a backslash does not escape in single quotes
    ["a: 'x'\nb: [[y]]\n", 3],
  ];
  it.each(cases)("%j counts %i", (text, depth) => {
    expect(scanDepth(text)).toBe(depth);
    expect(depth).toBeGreaterThanOrEqual(yamlDepth(text));
  });

  // not YAML; `yaml` reports errors and builds one more level here than the scan counts (docs/testing.md)
  const invalid: [string, number][] = [
    ["[- a]", 2],
    ["[- - a]", 2],
    ["[- a, [[x]]]", 3],
    ["[[- - a]]", 3], // the second dash is in the first dash's pair
    ["k: - a\nb: [[x]]\n", 3], // a dash in a block line is a level of that line, not a flow
    ["!t ? [[y]]\n", 4], // a `? ` after a tag opens a level
    ["{-}", 2],
    ["[-}", 2],
    ["[a:}", 2],
    ['- "a"\'\n- [[x]]\n', 3], // `'` right after a closing `"` is no escaped quote
  ];
  it.each(invalid)("not YAML: %j counts %i", (text, depth) => {
    expect(scanDepth(text)).toBe(depth);
  });
});
