import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, GENESIS_HASH, recordHash, sha256Hex } from "../../src/store/canonical.js";

/** canonicalJson as it was first written (entries, filter, sort, map, join): the output the chain is hashed on. */
function referenceCanonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case "object": {
      const withToJson = value as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === "function") return referenceCanonicalJson(withToJson.toJSON());
      if (Array.isArray(value)) {
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          items.push(item === undefined ? "null" : referenceCanonicalJson(item));
        }
        return `[${items.join(",")}]`;
      }
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceCanonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
  }
}

const outcomeOf = (f: () => string): { ok: string } | { error: string } => {
  try {
    return { ok: f() };
  } catch (err) {
    return { error: String(err) };
  }
};

describe("canonical JSON", () => {
  it("writes exactly what the first implementation wrote, for any value (existing chains keep verifying)", () => {
    const key = fc.oneof(
      fc.string({ unit: "grapheme" }),
      fc.constantFrom("10", "9", "a", "B", "é", "", "__proto__"),
    );
    fc.assert(
      fc.property(
        fc.anything({
          key,
          withDate: true,
          withSparseArray: true,
          withNullPrototype: true,
          withBigInt: true,
          withBoxedValues: true,
          withUnicodeString: true,
        }),
        (value) => {
          expect(outcomeOf(() => canonicalJson(value))).toEqual(
            outcomeOf(() => referenceCanonicalJson(value)),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
  it("hashes a record without `hash` as the copy without it would be hashed", () => {
    const r = { id: "a", seq: 1, prevHash: GENESIS_HASH, toJSON: undefined, outcome: "applied" };
    expect(recordHash(r)).toBe(sha256Hex(referenceCanonicalJson({ ...r })));
    class WithToJson {
      seq = 1;
      toJSON() {
        return { replaced: true };
      }
    }
    // an instance's inherited toJSON is not part of the copy the hash is taken over
    expect(recordHash(new WithToJson() as unknown as Record<string, unknown>)).toBe(
      sha256Hex(referenceCanonicalJson({ seq: 1 })),
    );
  });

  it("sorts keys at every depth and drops undefined", () => {
    expect(
      canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined, x: null }], c: "é" }, u: undefined }),
    ).toBe('{"a":{"c":"é","d":[3,{"x":null,"z":1}]},"b":1}');
  });
  it("writes undefined array items as null, like JSON.stringify", () => {
    expect(canonicalJson([1, undefined, "x"])).toBe('[1,null,"x"]');
  });
  it("is independent of insertion order", () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });
  it("refuses values without a stable JSON form", () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });
  it("hashes every field but `hash`, including prevHash", () => {
    const r = { id: "a", seq: 1, prevHash: GENESIS_HASH, outcome: "applied" };
    const h = recordHash(r);
    expect(h).toBe(sha256Hex(canonicalJson(r)));
    expect(recordHash({ ...r, hash: "whatever" })).toBe(h);
    expect(recordHash({ ...r, prevHash: "1".repeat(64) })).not.toBe(h);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
  });
});
