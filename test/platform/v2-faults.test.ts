import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { InstantClock } from "../../src/clock/clock.js";
import type { HttpObserver } from "../../src/http/events.js";
import { noRateLimit } from "../../src/http/rate-limiter.js";
import { TransientError, WriteOutcomeUnknownError } from "../../src/platform/errors.js";
import { createV2Platform } from "../../src/platform/v2/v2-platform.js";
import { startSimulator } from "../../src/sim/server.js";
import type { FaultSpec, SimHandle } from "../../src/sim/types.js";
import { configFor, fixedRandom, requestsTo } from "./helpers.js";

const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

/**
 * A simulator plus a driver whose observer clears the faults at the first retry: "fails once, then
 * works", which shows whether a retry happened at all.
 */
async function setup(opts: { healAfterFirstRetry?: boolean } = {}) {
  const clock = new InstantClock();
  const s = await startSimulator({ campaigns: 3, clock });
  sims.push(s);
  const retries: { status: number | "network"; delayMs: number }[] = [];
  const observer: HttpObserver = {
    retry: (e) => {
      retries.push(e);
      if (opts.healAfterFirstRetry) s.setFaults({});
    },
  };
  const platform = createV2Platform(configFor(s), {
    clock,
    limiter: noRateLimit,
    observer,
    random: fixedRandom(0.5),
  });
  const c = s.listCampaigns()[0];
  if (!c) throw new Error("no campaign");
  // Fetch the token before any fault is switched on.
  await platform.getCampaign(c.id);
  return { s, platform, clock, retries, c };
}

const patches = (s: SimHandle) => requestsTo(s, "PATCH", "/api/");

describe("v2 driver under faults", () => {
  it("a write whose reply is lost throws WriteOutcomeUnknownError and is sent exactly once", async () => {
    const { s, platform, c, retries } = await setup();
    s.setFaults({ lostResponseEvery: 1 });
    const error = await platform
      .updateRules(c.id, c.revision, { maxCallsPerAgent: 4 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
    expect(patches(s)).toHaveLength(1);
    expect(patches(s)[0]?.status).toBe("lost");
    expect(retries).toEqual([]);
    // It was applied: exactly why the engine must re-read rather than resend.
    expect(s.getCampaign(c.id)?.revision).toBe(c.revision + 1);
  });

  it("a read whose connection drops is retried", async () => {
    const { s, platform, c, retries } = await setup({ healAfterFirstRetry: true });
    s.setFaults({ dropRate: 1 });
    expect((await platform.getCampaign(c.id)).id).toBe(c.id);
    expect(retries.map((r) => r.status)).toEqual(["network"]);
    expect(requestsTo(s, "GET", "/api/v2/outbound/campaigns/").map((e) => e.status)).toEqual([
      200,
      "dropped",
      200,
    ]);
  });

  it("a write whose connection drops after sending is not resent", async () => {
    const { s, platform, c, retries } = await setup({ healAfterFirstRetry: true });
    s.setFaults({ dropRate: 1 });
    const error = await platform
      .updateRules(c.id, c.revision, { maxCallsPerAgent: 4 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
    expect(patches(s)).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it("503 on a write is retried (the server did not process it)", async () => {
    const { s, platform, c, retries } = await setup({ healAfterFirstRetry: true });
    s.setFaults({ serverErrorRate: 1, serverErrorStatus: 503 });
    const result = await platform.updateRules(c.id, c.revision, { maxCallsPerAgent: 4 });
    expect(result.campaign.revision).toBe(c.revision + 1);
    expect(patches(s).map((e) => e.status)).toEqual([503, 200]);
    expect(retries).toEqual([{ route: "/outbound/campaigns/:id", status: 503, delayMs: 125, attempt: 1 }]);
  });

  it.each([500, 502, 504])("%d on a write is not retried: WriteOutcomeUnknownError", async (status) => {
    const { s, platform, c, retries } = await setup({ healAfterFirstRetry: true });
    s.setFaults({ serverErrorRate: 1, serverErrorStatus: status });
    const error = await platform
      .updateRules(c.id, c.revision, { maxCallsPerAgent: 4 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteOutcomeUnknownError);
    expect((error as WriteOutcomeUnknownError).status).toBe(status);
    expect(patches(s)).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it.each([500, 502, 503, 504])("%d on a read is retried", async (status) => {
    const { s, platform, c, retries } = await setup({ healAfterFirstRetry: true });
    s.setFaults({ serverErrorRate: 1, serverErrorStatus: status });
    expect((await platform.getCampaign(c.id)).id).toBe(c.id);
    expect(retries.map((r) => r.status)).toEqual([status]);
  });

  it("persistent 5xx on a read ends after the bounded attempts with growing waits", async () => {
    const { s, platform, c, clock, retries } = await setup();
    s.setFaults({ serverErrorRate: 1, serverErrorStatus: 502 });
    clock.sleeps.length = 0;
    const error = await platform.getCampaign(c.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(requestsTo(s, "GET", "/api/v2/outbound/campaigns/").filter((e) => e.status === 502)).toHaveLength(
      6,
    );
    expect(retries.map((r) => r.delayMs)).toEqual([125, 250, 500, 1000, 2000]);
    expect(clock.sleeps).toEqual([125, 250, 500, 1000, 2000]);
  });

  it("a write that cannot connect (ECONNREFUSED) is retried, then fails as not applied", async () => {
    const clock = new InstantClock();
    const s = await startSimulator({ campaigns: 1, clock });
    sims.push(s);
    // The token endpoint works; the API host refuses connections (a port nobody listens on).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const retries: (number | "network")[] = [];
    const platform = createV2Platform(configFor(s, { apiBaseUrl: `http://127.0.0.1:${port}/api/v2` }), {
      clock,
      limiter: noRateLimit,
      observer: { retry: (e) => retries.push(e.status) },
    });
    const error = await platform.updateRules("c-1", 3, { maxCallsPerAgent: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect(retries).toEqual(["network", "network", "network", "network", "network"]);
  });

  it("abort stops a retry wait at once", async () => {
    const clock = new InstantClock();
    const s = await startSimulator({ campaigns: 1, clock });
    sims.push(s);
    const controller = new AbortController();
    const platform = createV2Platform(configFor(s), {
      clock,
      limiter: noRateLimit,
      observer: { retry: () => controller.abort(new Error("operator cancelled")) },
    });
    const c = s.listCampaigns()[0];
    if (!c) throw new Error("no campaign");
    await platform.getCampaign(c.id);
    s.setFaults({ serverErrorRate: 1, serverErrorStatus: 503 } satisfies FaultSpec);
    await expect(platform.getCampaign(c.id, { signal: controller.signal })).rejects.toThrow(
      "operator cancelled",
    );
    expect(clock.sleeps).toEqual([]);
    expect(requestsTo(s, "GET", "/api/v2/outbound/campaigns/").map((e) => e.status)).toEqual([200, 503]);
  });
});
