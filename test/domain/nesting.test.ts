import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findTooDeep, MAX_NESTING } from "../../src/domain/nesting.js";
import { parseRulesFile, RulesFileError } from "../../src/domain/rules-file.js";

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
