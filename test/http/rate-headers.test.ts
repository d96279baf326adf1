import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readBudgetHeaders } from "../../src/http/rate-headers.js";

const NOW = Date.UTC(2026, 0, 1);
const read = (h: Record<string, string>) => readBudgetHeaders(new Headers(h), NOW);

describe("readBudgetHeaders", () => {
  it("reads the IETF structured fields, the tightest of several policies", () => {
    expect(read({ ratelimit: '"default";r=50;t=30', "ratelimit-policy": '"default";q=100;w=60' })).toEqual({
      remaining: 50,
      resetMs: 30_000,
      limit: 100,
      windowMs: 60_000,
    });
    expect(
      read({
        ratelimit: '"burst";r=40;t=1, "day";r=5;t=3600',
        "ratelimit-policy": '"burst";q=100;w=60, "day";q=1000;w=86400',
      }),
    ).toEqual({ remaining: 5, resetMs: 3_600_000, limit: 1000, windowMs: 86_400_000 });
  });

  it("reads the draft-07 dictionary and the separate RateLimit-* fields", () => {
    expect(read({ ratelimit: "limit=100, remaining=7, reset=12", "ratelimit-policy": "100;w=60" })).toEqual({
      remaining: 7,
      resetMs: 12_000,
      limit: 100,
      windowMs: 60_000,
    });
    expect(read({ "ratelimit-limit": "100", "ratelimit-remaining": "3", "ratelimit-reset": "2" })).toEqual({
      remaining: 3,
      resetMs: 2000,
      limit: 100,
    });
  });

  it("reads X-RateLimit-* with delta seconds or epoch seconds", () => {
    expect(
      read({ "x-ratelimit-limit": "60", "x-ratelimit-remaining": "9", "x-ratelimit-reset": "5" }),
    ).toEqual({
      remaining: 9,
      resetMs: 5000,
      limit: 60,
    });
    const epoch = String(NOW / 1000 + 42);
    expect(read({ "x-ratelimit-remaining": "1", "x-ratelimit-reset": epoch })?.resetMs).toBe(42_000);
  });

  it("reads Genesys Cloud's inin-ratelimit-* (remaining = allowed - count)", () => {
    expect(
      read({ "inin-ratelimit-allowed": "300", "inin-ratelimit-count": "280", "inin-ratelimit-reset": "17" }),
    ).toEqual({ remaining: 20, resetMs: 17_000, limit: 300 });
  });

  it("believes nothing from malformed or self-contradicting headers", () => {
    expect(read({})).toBeUndefined();
    expect(read({ ratelimit: '"default";r=lots;t=1' })).toBeUndefined();
    expect(read({ "x-ratelimit-remaining": "-3" })).toBeUndefined();
    expect(read({ "x-ratelimit-limit": "10", "x-ratelimit-remaining": "50" })).toBeUndefined();
    expect(read({ "x-ratelimit-remaining": "5", "x-ratelimit-reset": "99999999" })).toBeUndefined();
    // One family malformed: the other is not believed either.
    expect(
      read({ "x-ratelimit-remaining": "5", "inin-ratelimit-allowed": "x", "inin-ratelimit-count": "1" }),
    ).toBeUndefined();
  });

  it("never throws and only ever reports a sane budget, whatever the header values", () => {
    const names = [
      "ratelimit",
      "ratelimit-policy",
      "ratelimit-remaining",
      "ratelimit-limit",
      "x-ratelimit-remaining",
      "x-ratelimit-limit",
      "x-ratelimit-reset",
      "inin-ratelimit-allowed",
      "inin-ratelimit-count",
      "inin-ratelimit-reset",
    ];
    const value = fc.oneof(
      fc.string({ maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s)),
      fc.nat({ max: 2_000_000_000 }).map(String),
      fc.tuple(fc.nat(200), fc.nat(100)).map(([r, t]) => `"default";r=${r};t=${t}`),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value), (h) => {
        let headers: Headers;
        try {
          headers = new Headers(h);
        } catch {
          return;
        }
        const out = readBudgetHeaders(headers, NOW);
        if (out === undefined) return;
        expect(Number.isInteger(out.remaining) && out.remaining >= 0).toBe(true);
        expect(out.resetMs >= 0 && out.resetMs <= 24 * 3600_000).toBe(true);
        if (out.limit !== undefined) expect(out.remaining).toBeLessThanOrEqual(out.limit);
      }),
    );
  });
});
