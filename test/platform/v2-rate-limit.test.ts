import { afterEach, describe, expect, it } from "vitest";
import { InstantClock, ScaledClock } from "../../src/clock/clock.js";
import { noRateLimit, RateLimiter } from "../../src/http/rate-limiter.js";
import { RateLimitedError } from "../../src/platform/errors.js";
import { createV2Platform } from "../../src/platform/v2/v2-platform.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { configFor, fixedRandom, requestsTo } from "./helpers.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

describe("v2 driver and the platform's rate limit", () => {
  it("429 with Retry-After: 2 waits at least 2 s on the injected clock, then succeeds", async () => {
    const clock = new InstantClock();
    // 30/min: the bucket holds 30 and refills one every 2 s, so the 31st request is told "Retry-After: 2".
    const s = await startSimulator({ campaigns: 1, clock, rateLimitPerMinute: 30 });
    sims.push(s);
    const retries: { status: number | "network"; delayMs: number }[] = [];
    const platform = createV2Platform(configFor(s), {
      clock,
      limiter: noRateLimit,
      random: fixedRandom(0),
      observer: { retry: (e) => retries.push(e) },
    });
    const id = s.listCampaigns()[0]?.id ?? "";
    for (let i = 0; i < 29; i++) await platform.getCampaign(id); // + 1 token request = 30
    expect(clock.sleeps).toEqual([]);
    await platform.getCampaign(id);
    const limited = s.log.filter((e) => e.status === 429);
    expect(limited).toHaveLength(1);
    expect(retries).toEqual([{ route: "/outbound/campaigns/:id", status: 429, delayMs: 2000, attempt: 1 }]);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(2000);
    expect(s.log.at(-1)?.status).toBe(200);
    expect((s.log.at(-1)?.time ?? 0) - (limited[0]?.time ?? 0)).toBeGreaterThanOrEqual(2000);
  });

  it("429 after every retry is RateLimitedError with the server's wait", async () => {
    const clock = new InstantClock();
    const s = await startSimulator({ campaigns: 1, clock, rateLimitPerMinute: 1 });
    sims.push(s);
    const platform = createV2Platform(configFor(s), {
      clock,
      limiter: noRateLimit,
      random: fixedRandom(0),
      retry: { maxAttempts: 2, maxRetryAfterMs: 10_000 },
    });
    // The token request spends the only token; the GET is told to wait 60 s, beyond the 10 s we accept.
    const error = await platform.getCampaign("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(60_000);
    expect(clock.sleeps).toEqual([]);
  });

  describe("a burst of 300 requests against a 100/min simulator (client and simulator share a ScaledClock)", () => {
    async function burst(useLimiter: boolean, factor: number) {
      const clock = new ScaledClock(factor);
      const s = await startSimulator({ campaigns: 20, clock, rateLimitPerMinute: 100 });
      sims.push(s);
      const limiter = useLimiter ? new RateLimiter({ perMinute: 100, clock }) : noRateLimit;
      const platform = createV2Platform(configFor(s), { clock, limiter, retry: { maxAttempts: 1 } });
      const ids = s.listCampaigns().map((c) => c.id);
      const start = clock.now();
      const results = await Promise.allSettled(
        Array.from({ length: 300 }, (_, i) => platform.getCampaign(ids[i % ids.length] ?? "")),
      );
      return { s, results, elapsedMs: clock.now() - start };
    }

    it("without a limiter produces 429s", async () => {
      // Unscaled time: sending the burst takes a few real seconds at most on a loaded machine, in which the
      // bucket refills only a handful of requests, so the outcome does not depend on machine speed.
      const { s, results } = await burst(false, 1);
      const limited = s.log.filter((e) => e.status === 429);
      // 100 in the bucket: the token request and 99 GETs pass; nearly all of the other 201 are refused.
      expect(limited.length).toBeGreaterThan(180);
      expect(results.filter((r) => r.status === "rejected").length).toBe(limited.length);
    });

    it("with the limiter at the same budget produces none and finishes near the minimum", async () => {
      const { s, results, elapsedMs } = await burst(true, 100);
      expect(s.log.filter((e) => e.status === 429)).toHaveLength(0);
      expect(results.every((r) => r.status === "fulfilled")).toBe(true);
      expect(requestsTo(s, "GET", "/api/")).toHaveLength(300);
      // 301 requests (token + 300) at 97/min after a burst of 10: 3.0 min, never faster. The exact finish
      // is proven on an InstantClock in rate-limiter.test.ts; here real timers on a shared, possibly loaded
      // machine add delay, so only gross slowness is caught.
      expect(elapsedMs).toBeGreaterThanOrEqual(((301 - 10) / 97) * 60_000 - 1000);
      expect(elapsedMs).toBeLessThan(6 * 60_000);
    });
  });
});
