import { describe, expect, it } from "vitest";
import { canonicalJson, GENESIS_HASH, recordHash, sha256Hex } from "../../src/store/canonical.js";

describe("canonical JSON", () => {
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
