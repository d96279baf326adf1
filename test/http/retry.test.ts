import { describe, expect, it } from "vitest";
import { InstantClock, ManualClock } from "../../src/clock/clock.js";
import {
  type AttemptOutcome,
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  runWithRetry,
} from "../../src/http/retry.js";

const policy = DEFAULT_RETRY_POLICY;

describe("backoffDelay (full jitter)", () => {
  it("ceilings grow exponentially up to the cap", () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoffDelay(n, policy, () => 0.999999));
    expect(ceilings.slice(0, 4)).toEqual([249, 499, 999, 1999]);
    for (let i = 1; i < ceilings.length; i++)
      expect(ceilings[i]).toBeGreaterThanOrEqual(ceilings[i - 1] ?? 0);
    expect(Math.max(...ceilings)).toBeLessThanOrEqual(policy.capMs);
    expect(ceilings.at(-1)).toBe(policy.capMs - 1);
  });

  it("delays are spread over [0, ceiling]", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delays = Array.from({ length: 2000 }, () => backoffDelay(20, policy, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(policy.capMs);
    // Full jitter: a fair share below a tenth of the cap and above nine tenths.
    expect(delays.filter((d) => d < policy.capMs / 10).length).toBeGreaterThan(100);
    expect(delays.filter((d) => d > (policy.capMs * 9) / 10).length).toBeGreaterThan(100);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it("reads delta seconds", () => {
    expect(parseRetryAfter("2", now)).toBe(2000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });
  it("reads an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfter(new Date(now + 7000).toUTCString(), now)).toBe(7000);
    expect(parseRetryAfter(new Date(now - 7000).toUTCString(), now)).toBe(0);
  });
  it("ignores what it cannot read", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
  });
});

describe("runWithRetry", () => {
  const failing = (extra: Partial<Extract<AttemptOutcome<never>, { kind: "retry" }>> = {}) => {
    const calls: number[] = [];
    const attempt = async (n: number): Promise<AttemptOutcome<string>> => {
      calls.push(n);
      return { kind: "retry", status: 503, error: new Error(`attempt ${n} failed`), ...extra };
    };
    return { calls, attempt };
  };

  it("stops after maxAttempts with the last error, sleeping between attempts with growing ceilings", async () => {
    const clock = new InstantClock();
    const { calls, attempt } = failing();
    await expect(runWithRetry(attempt, { clock, random: () => 0.5, policy })).rejects.toThrow(
      "attempt 6 failed",
    );
    expect(calls).toEqual([1, 2, 3, 4, 5, 6]);
    expect(clock.sleeps).toEqual([125, 250, 500, 1000, 2000]);
  });

  it("returns as soon as an attempt succeeds and does not retry a failure", async () => {
    const clock = new InstantClock();
    let n = 0;
    const value = await runWithRetry(
      async (): Promise<AttemptOutcome<string>> =>
        ++n < 3 ? { kind: "retry", status: "network", error: new Error("x") } : { kind: "done", value: "ok" },
      { clock, random: () => 0, policy },
    );
    expect(value).toBe("ok");
    await expect(
      runWithRetry(
        async (): Promise<AttemptOutcome<string>> => ({ kind: "fail", error: new Error("final") }),
        {
          clock,
          random: () => 0,
          policy,
        },
      ),
    ).rejects.toThrow("final");
  });

  it("waits at least Retry-After", async () => {
    const clock = new InstantClock();
    const { attempt } = failing({ retryAfterMs: 2000 });
    await expect(
      runWithRetry(attempt, { clock, random: () => 0.99, policy: { ...policy, maxAttempts: 3 } }),
    ).rejects.toThrow();
    expect(clock.sleeps).toHaveLength(2);
    for (const s of clock.sleeps) {
      expect(s).toBeGreaterThanOrEqual(2000);
      expect(s).toBeLessThan(2000 + policy.baseMs);
    }
  });

  it("gives up at once when Retry-After is beyond the cap instead of waiting less than asked", async () => {
    const clock = new InstantClock();
    const { calls, attempt } = failing({ retryAfterMs: 3_600_000 });
    await expect(runWithRetry(attempt, { clock, random: () => 0, policy })).rejects.toThrow(
      "attempt 1 failed",
    );
    expect(calls).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
  });

  it("abort stops the wait at once", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const { calls, attempt } = failing();
    const run = runWithRetry(attempt, { clock, random: () => 0.99, policy, signal: controller.signal });
    await new Promise((r) => setImmediate(r));
    expect(clock.pendingSleeps).toBe(1);
    controller.abort(new Error("user cancelled"));
    await expect(run).rejects.toThrow("user cancelled");
    expect(clock.pendingSleeps).toBe(0);
    expect(calls).toEqual([1]);
  });

  it("an immediate retry (token refresh) does not sleep", async () => {
    const clock = new InstantClock();
    let n = 0;
    await runWithRetry(
      async (): Promise<AttemptOutcome<string>> =>
        ++n === 1
          ? { kind: "retry", status: 401, error: new Error("401"), immediate: true }
          : { kind: "done", value: "" },
      { clock, random: () => 0.5, policy },
    );
    expect(clock.sleeps).toEqual([]);
  });
});
