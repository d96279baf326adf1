/**
 * Issue 17 §3: once the first page says how many there are, the remaining pages of a listing are fetched
 * concurrently (every request still through the limiter), for every driver. The simulator sees more than
 * one listing request in flight, the result equals sequential paging (the store's order), and a page that
 * fails mid-way fails the whole listing.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock/clock.js";
import type { HttpObserver } from "../../src/http/events.js";
import { noRateLimit } from "../../src/http/rate-limiter.js";
import { fetchPages } from "../../src/platform/paged-listing.js";
import type { Platform } from "../../src/platform/platform.js";
import { createV2Platform } from "../../src/platform/v2/v2-platform.js";
import { startSimulator } from "../../src/sim/server.js";
import type { FaultSpec, RequestLogEntry, SimHandle, SimHandleBase } from "../../src/sim/types.js";
import { driver as cxoneDriver, cxoneSim, pcSkills } from "../cxone/helpers.js";
import { driver as genesysDriver, genesysSim, managed } from "../genesys/helpers.js";
import { configFor } from "./helpers.js";

const sims: SimHandle[] = [];
const platforms: Platform[] = [];
afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.close()));
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

/** Replies take a few real milliseconds, so pages that are sent together are handled together. */
const SLOW: FaultSpec = { latencyMs: 5 };

async function v2(campaigns: number, observer?: HttpObserver) {
  const sim = await startSimulator({ campaigns, faults: SLOW, rateLimitPerMinute: Number.POSITIVE_INFINITY });
  sims.push(sim);
  const platform = createV2Platform(configFor(sim), {
    clock: systemClock,
    limiter: noRateLimit,
    retry: FAST_RETRY,
    ...(observer ? { observer } : {}),
  });
  platforms.push(platform);
  return { sim, platform };
}

const FAST_RETRY = { maxAttempts: 2, baseMs: 1, capMs: 1 };

/**
 * Driver deps whose observer, once `after` listing replies are in, makes the simulator answer every later
 * request with 500 (GETs are retried once, then fail).
 */
function failAfter(after: number, isListing: (route: string) => boolean) {
  let seen = 0;
  let sim: { setFaults(f: FaultSpec): void } | undefined;
  const observer: HttpObserver = {
    request: (e) => {
      if (isListing(e.route) && e.status === 200 && ++seen === after) {
        sim?.setFaults({ ...SLOW, serverErrorRate: 1, serverErrorStatus: 500 });
      }
    },
  };
  return {
    deps: { clock: systemClock, observer, retry: FAST_RETRY },
    attach: (s: { setFaults(f: FaultSpec): void }) => {
      sim = s;
    },
  };
}

/** The page numbers the simulator was asked for, sorted, and whether more than one was in flight at once. */
function pagesRead(sim: SimHandleBase<RequestLogEntry<unknown>>, param: string) {
  const pages = sim.log.filter((e) => e.method === "GET" && e.path.endsWith("/outbound/campaigns"));
  return {
    pages: pages.map((e) => Number(e.query[param])).sort((a, b) => a - b),
    concurrent: sim.peakInFlight() > 1,
  };
}

const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("fetchPages", () => {
  it("returns every page in page order whatever order they finish in, at most `concurrency` at once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 40, maxLength: 40 }),
        async (last, concurrency, delays) => {
          let inFlight = 0;
          let peak = 0;
          const started: number[] = [];
          const pages = await fetchPages(
            2,
            last,
            async (page) => {
              started.push(page);
              inFlight++;
              peak = Math.max(peak, inFlight);
              for (let i = 0; i < (delays[page - 1] ?? 0); i++) await Promise.resolve();
              inFlight--;
              return `page ${page}`;
            },
            { signal: new AbortController().signal, concurrency },
          );
          const expected = Array.from({ length: Math.max(0, last - 1) }, (_, i) => `page ${i + 2}`);
          expect(pages).toEqual(expected);
          expect(started).toEqual(expected.map((_, i) => i + 2));
          expect(peak).toBeLessThanOrEqual(concurrency);
        },
      ),
    );
  });

  it("the first failure fails the listing, aborts the pages in flight and starts no more", async () => {
    const aborted: number[] = [];
    const started: number[] = [];
    const err = await fetchPages(
      2,
      30,
      (page, signal) =>
        new Promise<number>((resolve, reject) => {
          started.push(page);
          if (page === 5) return reject(new Error("page 5 failed"));
          signal.addEventListener("abort", () => {
            aborted.push(page);
            reject(signal.reason);
          });
          if (page < 5) resolve(page);
        }),
      { signal: new AbortController().signal, concurrency: 4 },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe("page 5 failed");
    expect(Math.max(...started)).toBeLessThan(12);
    expect(aborted.length).toBeGreaterThan(0);
  });
});

describe("listing pages concurrently against the simulator", () => {
  it("v2: 1,250 campaigns in 13 pages, more than one in flight, equal to sequential paging", async () => {
    const { sim, platform } = await v2(1250);
    const listed = await platform.listCampaigns();
    expect(listed).toEqual(sim.listCampaigns());
    expect(pagesRead(sim, "page")).toEqual({ pages: oneTo(13), concurrent: true });
  });

  it("v2: a page failing mid-way fails the listing with that page's error", async () => {
    const trip = failAfter(4, (route) => route === "/outbound/campaigns");
    const { sim, platform } = await v2(2000, trip.deps.observer);
    trip.attach(sim);
    const err = await platform.listCampaigns().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/500/);
    const answered = sim.log.filter((e) => e.path.endsWith("/outbound/campaigns") && e.status === 200);
    expect(answered.length).toBeGreaterThanOrEqual(4);
    expect(answered.length).toBeLessThan(20);
  });

  it("genesys: 650 campaigns in 7 pages, more than one in flight, the managed ones in order", async () => {
    const sim = await genesysSim({ campaigns: 650, faults: SLOW });
    const platform = genesysDriver(sim, { clock: systemClock });
    const listed = await platform.listCampaigns();
    expect(listed.map((c) => c.id)).toEqual(managed(sim).map((c) => c.id));
    expect(pagesRead(sim, "pageNumber")).toEqual({ pages: oneTo(7), concurrent: true });
  });

  it("genesys: a page failing mid-way fails the listing", async () => {
    const trip = failAfter(3, (route) => route === "/outbound/campaigns");
    const sim = await genesysSim({ campaigns: 1500, faults: SLOW });
    trip.attach(sim);
    const err = await genesysDriver(sim, trip.deps)
      .listCampaigns()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(
      sim.log.filter((e) => e.path.endsWith("/outbound/campaigns") && e.status === 200).length,
    ).toBeLessThan(15);
  });

  it("cxone: 450 skills in pages of 100 by skip, more than one in flight, the PC skills in order", async () => {
    const sim = await cxoneSim({ skills: 450, faults: SLOW, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const platform = cxoneDriver(sim, { clock: systemClock });
    const listed = await platform.listCampaigns();
    expect(listed.map((c) => c.id)).toEqual(pcSkills(sim).map((k) => String(k.skillId)));
    const pages = sim.log.filter((e) => e.method === "GET" && /\/skills$/.test(e.path));
    const skips = pages.map((e) => Number(e.query.skip)).sort((a, b) => a - b);
    expect(new Set(skips).size).toBe(skips.length);
    expect(skips.length).toBeGreaterThan(2);
    expect(skips).toEqual(skips.map((_, i) => i * 100));
    expect(sim.peakInFlight()).toBeGreaterThan(1);
  });

  it("cxone: a page failing mid-way fails the listing", async () => {
    const trip = failAfter(3, (route) => route.endsWith("/skills"));
    const sim = await cxoneSim({ skills: 2000, faults: SLOW, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    trip.attach(sim);
    const err = await cxoneDriver(sim, trip.deps)
      .listCampaigns()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });
});
