/**
 * The count that refuses an oversized JSON rules file before `JSON.parse` builds it: it must agree with
 * `JSON.parse` on every JSON document (the list `JSON.parse` keeps for the key, its length, where it opens).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countJsonListItems } from "../../src/domain/json-list-count.js";
import { propertyRuns } from "../setup/property-runs.js";

/** What JSON.parse says: the length of `key`'s list and the offset of its `[`, found by re-serialising. */
function expected(text: string, key: string): number | undefined {
  const value: unknown = JSON.parse(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const list = (value as Record<string, unknown>)[key];
  return Array.isArray(list) ? list.length : undefined;
}

describe("countJsonListItems", () => {
  it("counts the items of a top-level list and says where it opens", () => {
    const text = '{"profiles": ["A"], "campaigns": [{"id": "a"}, "b", 3, [4, 5], null, true]}';
    expect(countJsonListItems(text, "campaigns")).toEqual({ count: 6, offset: text.indexOf("[{") });
    expect(countJsonListItems('{"campaigns": []}', "campaigns")).toEqual({ count: 0, offset: 14 });
    expect(countJsonListItems('{"campaigns": [ ]}', "campaigns")).toEqual({ count: 0, offset: 14 });
    expect(countJsonListItems('{"campaigns":[""]}', "campaigns")).toEqual({ count: 1, offset: 13 });
  });

  it("counts only the top-level key's list, not a nested one of the same name or a string equal to it", () => {
    expect(countJsonListItems('{"a": {"campaigns": [1, 2]}}', "campaigns")).toBeUndefined();
    expect(countJsonListItems('{"a": "campaigns", "b": [1, 2]}', "campaigns")).toBeUndefined();
    expect(countJsonListItems('{"a": ["campaigns", [1, 2]]}', "campaigns")).toBeUndefined();
    expect(countJsonListItems('{"campaigns": {"x": [1, 2]}}', "campaigns")).toBeUndefined();
    expect(countJsonListItems('{"campaignsX": [1, 2]}', "campaigns")).toBeUndefined();
    expect(countJsonListItems('{"campaignz": [1, 2]}', "campaigns")).toBeUndefined();
    expect(countJsonListItems('{"a": [1, 2], "campaigns": [3]}', "campaigns")?.count).toBe(1);
  });

  it("reads through strings: quotes, escaped quotes and brackets inside them are text", () => {
    const text = '{"campaigns": ["a,b", "[", "\\"]", "\\\\", {"k": "}, ["}, "x"]}';
    expect(JSON.parse(text).campaigns).toHaveLength(6);
    expect(countJsonListItems(text, "campaigns")?.count).toBe(6);
  });

  it("decodes an escaped key as JSON.parse does, and counts the last copy of a repeated key", () => {
    expect(countJsonListItems('{"campaign\\u0073": [1, 2, 3]}', "campaigns")?.count).toBe(3);
    expect(countJsonListItems('{"campaign\\u0074": [1, 2, 3]}', "campaigns")).toBeUndefined();
    const repeated = '{"campaigns": [1, 2, 3], "x": 1, "campaigns": [4]}';
    expect(countJsonListItems(repeated, "campaigns")).toEqual({
      count: 1,
      offset: repeated.lastIndexOf("["),
    });
  });

  it("answers undefined for a root that is not a JSON object, and for text cut short", () => {
    const notObjects = ["[1, 2]", '"campaigns"', "3", "null", "", "   ", ' ["campaigns": [1]]', "{[1, 2]}"];
    for (const text of notObjects) {
      expect(countJsonListItems(text, "campaigns")).toBeUndefined();
    }
    expect(countJsonListItems('{"campaigns": [1, 2]', "campaigns")).toBeUndefined();
    expect(countJsonListItems('{"campaigns": [1, 2], "x": "cut', "campaigns")).toBeUndefined();
    expect(countJsonListItems('{"campaigns": [1, 2]} ', "campaigns")?.count).toBe(2);
  });

  it("counts through JSON's four whitespace characters anywhere, and an empty list holding only them", () => {
    for (const ws of [" ", "\n", "\r", "\t"]) {
      expect(countJsonListItems(`${ws}{${ws}"campaigns"${ws}:${ws}[${ws}]${ws}}`, "campaigns")?.count).toBe(
        0,
      );
      const text = `{"campaigns":[${ws}1${ws},${ws}"a"${ws},${ws}{}${ws},${ws}[${ws}]${ws}]}`;
      expect(countJsonListItems(text, "campaigns")).toEqual({ count: 4, offset: 13 });
    }
  });

  it("takes a key escaped in full (six characters for each of its own) and nothing longer", () => {
    const escaped = [..."campaigns"]
      .map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .join("");
    expect(escaped).toHaveLength(54);
    expect(countJsonListItems(`{"${escaped}": [1, 2]}`, "campaigns")?.count).toBe(2);
    expect(JSON.parse(`{"${escaped}": [1, 2]}`).campaigns).toHaveLength(2);
    expect(countJsonListItems('{"campaigns\\u0000": [1, 2]}', "campaigns")).toBeUndefined();
    expect(countJsonListItems(`{"${"c".repeat(55)}": [1, 2]}`, "campaigns")).toBeUndefined();
    // an escape JSON.parse refuses is not the key either
    expect(countJsonListItems('{"campaign\\x": [1, 2]}', "campaigns")).toBeUndefined();
  });

  it("agrees with JSON.parse on any JSON document (property)", () => {
    const key = fc.constantFrom("campaigns", "campaign", "campaignsX", "a", "camp\\u0061igns");
    const doc = fc.record({
      before: fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
      list: fc.option(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 12 })),
      nested: fc.jsonValue({ maxDepth: 2 }),
    });
    fc.assert(
      fc.property(doc, fc.constantFrom(0, 1, "\t"), (d, space) => {
        const root: Record<string, unknown> = { ...d.before, x: { campaigns: d.nested } };
        if (d.list !== null) root.campaigns = d.list;
        const text = JSON.stringify(root, null, space);
        const got = countJsonListItems(text, "campaigns");
        expect(got?.count).toBe(expected(text, "campaigns"));
        if (got) expect(text[got.offset]).toBe("[");
      }),
      { numRuns: propertyRuns(300) },
    );
    fc.assert(
      fc.property(fc.dictionary(key, fc.array(fc.integer(), { maxLength: 4 })), (d) => {
        const text = JSON.stringify(d).replaceAll("\\\\u", "\\u");
        expect(countJsonListItems(text, "campaigns")?.count).toBe(expected(text, "campaigns"));
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});
