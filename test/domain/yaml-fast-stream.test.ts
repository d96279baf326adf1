/**
 * loadYamlFast's entry streaming (`ItemStream`): which list's items are handed to `onItem`, the offsets and
 * spans it reports for them, and when it cannot vouch for the items streamed (then the file is read again
 * without a stream and the answer has no `streamed`). Literal inputs, literal offsets.
 */
import { describe, expect, it } from "vitest";
import { type FastYaml, loadYamlFast } from "../../src/domain/yaml-fast.js";

/** The fast read of `text` streaming `campaigns`, with every onItem call as [index, value, start]. */
function streamRead(text: string): { read: FastYaml; calls: [number, unknown, number][] } {
  const calls: [number, unknown, number][] = [];
  const read = loadYamlFast(text, 100, { key: "campaigns", onItem: (i, v, s) => calls.push([i, v, s]) });
  if (read === undefined || "tooMany" in read)
    throw new Error(`the fast path refused ${JSON.stringify(text)}`);
  return { read, calls };
}

describe("streamed items: offsets and spans in the caller's text", () => {
  it("counts a leading BOM in each item's start and span", () => {
    const { read, calls } = streamRead("\uFEFFcampaigns:\n  - id: A\n  - id: B\n");
    expect(calls).toEqual([
      [0, { id: "A" }, 16],
      [1, { id: "B" }, 26],
    ]);
    expect(read.value).toEqual({ campaigns: [0, 1] });
    expect(read.streamed).toEqual([0, 1]);
    expect(read.spanOf(undefined, read.streamed, 0)).toEqual([16, 21]);
    expect(read.startOf(undefined, read.streamed, 1)).toBe(26);
    expect(read.spanOf(undefined, read.streamed, 1)).toEqual([26, 31]);
  });

  it("finds an item only by a numeric index within the list", () => {
    const { read } = streamRead("campaigns:\n  - id: A\n  - id: B\n");
    expect(read.spanOf(undefined, read.streamed, 1)).toEqual([25, 30]);
    expect(read.spanOf(undefined, read.streamed, 2)).toBeUndefined();
    expect(read.spanOf(0, read.streamed, "0")).toBeUndefined();
  });

  it("keeps no span for a streamed item's value or what lies deeper, but does for other keys' collections", () => {
    const text = "campaigns:\n  - id: A\n    rules:\n      x: 1\ndefaults:\n  y: 2\n";
    const { read, calls } = streamRead(text);
    const item = calls[0]?.[1] as { rules: object };
    expect(item).toEqual({ id: "A", rules: { x: 1 } });
    expect(read.spanOf(item)).toBeUndefined();
    expect(read.spanOf(item.rules)).toBeUndefined();
    const v = read.value as { campaigns: unknown[]; defaults: object };
    expect(read.spanOf(v.campaigns)).toEqual([13, 42]);
    expect(read.spanOf(v.defaults)).toEqual([55, 59]);
    expect(read.spanOf(undefined, read.streamed, 0)).toEqual([15, 42]);
  });
});

describe("which sequence is streamed", () => {
  it("streams only the items under the stream's key, with a collection after it read as usual", () => {
    const { read, calls } = streamRead("profiles:\n  - A\ncampaigns:\n  - id: x\ndefaults:\n  x: 1\n");
    expect(calls).toEqual([[0, { id: "x" }, 31]]);
    expect(read.value).toEqual({ profiles: ["A"], campaigns: [0], defaults: { x: 1 } });
    expect(read.streamed).toEqual([0]);
  });

  it.each([
    ["a flow sequence", "campaigns: [ a, b ]\n", { campaigns: ["a", "b"] }],
    ["a mapping whose first key starts with a dash", "campaigns:\n  -x: 1\n", { campaigns: { "-x": 1 } }],
  ])("does not stream %s", (_, text, value) => {
    const { read, calls } = streamRead(text);
    expect(calls).toEqual([]);
    expect(read.value).toEqual(value);
    expect(read.streamed).toBeUndefined();
  });

  it.each([
    ["a tab", "campaigns:\n  -\ta\n", [0, "a", 15]],
    ["a line break", "campaigns:\n  -\n    id: A\n", [0, { id: "A" }, 19]],
    ["a CRLF line break", "campaigns:\r\n  -\r\n    id: A\r\n", [0, { id: "A" }, 21]],
  ])("streams an entry whose dash is followed by %s", (_, text, call) => {
    const { read, calls } = streamRead(text);
    expect(calls).toEqual([call]);
    expect(read.value).toEqual({ campaigns: [0] });
    expect(read.streamed).toEqual([0]);
  });

  it("does not stream the entries of a root sequence after a document marker", () => {
    const calls: unknown[] = [];
    const read = loadYamlFast("---\n- campaigns\n- - a\n", 100, {
      key: "campaigns",
      onItem: (i, v) => calls.push([i, v]),
    });
    expect(calls).toEqual([]);
    expect(read).toEqual(expect.objectContaining({ value: ["campaigns", ["a"]] }));
  });
});

describe("streamed items that cannot be vouched for: read again, no `streamed`", () => {
  it.each([
    [
      "a second list after a non-string key",
      "campaigns:\n  - a\n2:\n  - b\n",
      { campaigns: ["a"], 2: ["b"] },
    ],
    [
      "a list under a non-string key after the key's scalar value",
      "campaigns: 5\n1:\n  - x\n",
      { campaigns: 5, 1: ["x"] },
    ],
    ["an empty entry (no parse event)", "campaigns:\n  - a\n  -\n", { campaigns: ["a", null] }],
  ])("%s", (_, text, value) => {
    const { read } = streamRead(text);
    expect(read.value).toEqual(value);
    expect(read.streamed).toBeUndefined();
  });
});
