/**
 * `parseDocumentUniqueKeys` must report exactly what `yaml` does with `uniqueKeys: true` — the same errors,
 * codes, messages, positions and order — while its cost stays linear in the size of a mapping.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import {
  parseDocumentUniqueKeys,
  QUADRATIC_CHECK_MAX_PAIRS,
  repeatedKeys,
} from "../../src/domain/yaml-unique-keys.js";
import { propertyRuns } from "../setup/property-runs.js";

const errorsOf = (errors: readonly { code: string; message: string; pos: [number, number] }[]) =>
  errors.map((e) => `${e.pos[0]} ${e.code} ${e.message.split("\n")[0]}`);

function yamlsOwn(text: string): string[] {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true });
  return errorsOf([...doc.errors, ...doc.warnings]);
}

function ours(text: string): string[] {
  const { doc } = parseDocumentUniqueKeys(text);
  return errorsOf([...doc.errors, ...doc.warnings]);
}

/** Short documents with repeated keys at several levels, in block and flow style, some with other errors. */
const key = fc.constantFrom(
  "a",
  "b",
  "'a'",
  '"a"',
  "1",
  "'1'",
  "-0",
  "0",
  ".nan",
  ".NaN",
  "? a",
  "[a]",
  "&k a",
  "!!str a",
);
const scalar = fc.constantFrom("1", "x", "[1, 2]", "{a: 1, a: 2}", "{b: 1}", '"bad \\q"', "*k", "");
const line = fc.tuple(fc.constantFrom("", "  "), key, scalar).map(([indent, k, v]) => `${indent}${k}: ${v}`);
const documents = fc.array(line, { minLength: 1, maxLength: 8 }).map((lines) => `${lines.join("\n")}\n`);
/** As `documents`, no value left empty (see the last test for what differs after an empty one). */
const documentsNoEmptyValue = fc
  .array(
    line.filter((l) => !l.endsWith(": ")),
    { minLength: 1, maxLength: 8 },
  )
  .map((lines) => `${lines.join("\n")}\n`);

describe("parseDocumentUniqueKeys", () => {
  it("gives yaml's own errors for small mappings (property)", () => {
    fc.assert(
      fc.property(documents, (text) => {
        expect(ours(text)).toEqual(yamlsOwn(text));
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it(`gives yaml's errors past ${QUADRATIC_CHECK_MAX_PAIRS} pairs too, where it finds the repeats itself (property)`, () => {
    const filler = Array.from({ length: QUADRATIC_CHECK_MAX_PAIRS }, (_, i) => `f${i}: 1`).join("\n");
    fc.assert(
      fc.property(documentsNoEmptyValue, fc.boolean(), (text, fillerFirst) => {
        // (an indented first line makes the filler a run of errors instead: compared all the same)
        const big = fillerFirst ? `${filler}\n${text}` : `${text}${filler}\n`;
        // the same errors; in the same order too where a repeat is the only kind (yaml's order among other
        // errors follows its composition, not the text: `? a: 1` then `{a: 1, a: 2}` lists the repeat first)
        const [mine, its] = [ours(big), yamlsOwn(big)];
        if (its.every((e) => e.includes("DUPLICATE_KEY"))) expect(mine).toEqual(its);
        else expect([...mine].sort()).toEqual([...its].sort());
      }),
      { numRuns: propertyRuns(40) },
    );
  });

  it("finds repeats by yaml's comparison: NaN never repeats, -0 repeats 0, '1' does not repeat 1", () => {
    const positions = (text: string) => repeatedKeys(parseDocument(text, { uniqueKeys: false })).repeats;
    expect(positions(".nan: 1\n.nan: 2\n")).toEqual([]);
    expect(positions("0: 1\n-0: 2\n")).toEqual([5]);
    expect(positions("'1': 1\n1: 2\n")).toEqual([]);
    expect(positions("a: {b: 1, b: 2}\nc: [{d: 1, d: 2}]\n")).toEqual([10, 27]);
    // in document order, though a nested mapping is visited after its parent's keys
    expect(positions("a: {b: 1, b: 2}\na: 3\n")).toEqual([10, 16]);
    const filler = Array.from({ length: QUADRATIC_CHECK_MAX_PAIRS }, (_, i) => `f${i}: 1\n`).join("");
    const big = `${filler}a: 1\nf7: 2\n`;
    expect(repeatedKeys(parseDocument(big, { uniqueKeys: false })).largest).toBe(
      QUADRATIC_CHECK_MAX_PAIRS + 2,
    );
    expect(ours(big)).toEqual([`${filler.length + 5} DUPLICATE_KEY Map keys must be unique`]);
    expect(ours(big)).toEqual(yamlsOwn(big));
  });

  it("past that size, reports a repeat after an empty value at the key itself, where yaml names the line before", () => {
    const filler = Array.from({ length: QUADRATIC_CHECK_MAX_PAIRS }, (_, i) => `f${i}: 1\n`).join("");
    // yaml's position is where its previous pair ended: the end of the line "a: " (offset 3)
    expect(yamlsOwn(`a: \na: 1\n${filler}`)).toEqual(["3 DUPLICATE_KEY Map keys must be unique"]);
    expect(ours(`a: \na: 1\n${filler}`)).toEqual(["4 DUPLICATE_KEY Map keys must be unique"]);
  });

  it("up to that size, even a repeat after an empty value is placed as yaml places it, strict errors and all", () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `f${i}: 1\n`).join("");
    // 2,000 pairs exactly: `a`, `a` again and 1,998 more
    const atLimit = `a: \na: 1\n${filler(QUADRATIC_CHECK_MAX_PAIRS - 2)}`;
    expect(ours(atLimit)).toEqual(["3 DUPLICATE_KEY Map keys must be unique"]);
    // a multi-line implicit key in a flow sequence is an error only under `strict`
    const strict = "a: 1\na: 2\nb: [c\n  : d]\n";
    expect(ours(strict)).toEqual([
      "5 DUPLICATE_KEY Map keys must be unique",
      "15 MULTILINE_IMPLICIT_KEY Implicit keys of flow sequence pairs need to be on a single line",
    ]);
    expect(ours(strict)).toEqual(yamlsOwn(strict));
  });

  it("past that size, puts each repeat among the other errors by position", () => {
    const filler = Array.from({ length: QUADRATIC_CHECK_MAX_PAIRS }, (_, i) => `f${i}: 1\n`).join("");
    const text = `x: [c\n  : d]\n${filler}a: 1\na: 2\ny: [e\n  : f]\n`;
    const mine = ours(text);
    expect(mine.map((e) => e.split(" ")[1])).toEqual([
      "MULTILINE_IMPLICIT_KEY",
      "DUPLICATE_KEY",
      "MULTILINE_IMPLICIT_KEY",
    ]);
    expect(mine).toEqual(yamlsOwn(text));
  });
});
