import { describe, expect, it } from "vitest";
import { InputError } from "../../src/domain/errors.js";
import { parseFaultSpec, parseRate } from "../../src/sim/server.js";

describe("parseFaultSpec", () => {
  it("parses every key", () => {
    expect(
      parseFaultSpec(
        "latency=50,jitter=20,5xx=0.05,5xx-status=503,drop=0.01,editor=0.1,lost=0.02,lost-every=3",
      ),
    ).toEqual({
      latencyMs: 50,
      latencyJitterMs: 20,
      serverErrorRate: 0.05,
      serverErrorStatus: 503,
      dropRate: 0.01,
      concurrentEditRate: 0.1,
      lostResponseRate: 0.02,
      lostResponseEvery: 3,
    });
    expect(parseFaultSpec("")).toEqual({});
    expect(parseFaultSpec(" drop = 0.5 ,")).toEqual({ dropRate: 0.5 });
  });

  it.each([
    ["drop=1.5", /from 0 to 1/],
    ["drop=", /from 0 to 1/],
    ["latency=-1", /milliseconds/],
    ["latency=2.5", /milliseconds/],
    ["5xx-status=404", /500 to 599/],
    ["lost-every=0", /≥ 1/],
    ["chaos=1", /unknown fault "chaos"/],
    ["toString=1", /unknown fault/],
    ["drop", /key=value/],
    ["drop=0.1,drop=0.2", /twice/],
  ])("rejects %s with a clear InputError", (text, message) => {
    expect(() => parseFaultSpec(text)).toThrow(InputError);
    expect(() => parseFaultSpec(text)).toThrow(message);
  });
});

describe("parseRate", () => {
  it.each([
    ["100/min", 100],
    ["6000/min", 6000],
    ["10/s", 600],
    ["120/h", 2],
    [" 5 / sec ", 300],
  ])("%s is %d per minute", (text, perMinute) => {
    expect(parseRate(text)).toBe(perMinute);
  });

  it.each(["100", "0/min", "-1/min", "10/fortnight", "abc/min", "", "1/constructor"])(
    "rejects %j",
    (text) => {
      expect(() => parseRate(text)).toThrow(InputError);
    },
  );
});
