/**
 * Issue 13 §4: a platform answering `total: 1e12` kept `plan` and `serve` paging for ever. The listing is
 * bounded by the first page's figures and a hard cap, and ends with a clear error.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { InstantClock } from "../../src/clock/clock.js";
import { noRateLimit } from "../../src/http/rate-limiter.js";
import { ListingTooLargeError, MAX_LISTED_CAMPAIGNS } from "../../src/platform/listing-bounds.js";
import { createV2Platform } from "../../src/platform/v2/v2-platform.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { configFor } from "./helpers.js";

const servers: FastifyInstance[] = [];
const sims: SimHandle[] = [];
afterEach(async () => {
  await Promise.all([...servers.splice(0).map((s) => s.close()), ...sims.splice(0).map((s) => s.stop())]);
});

/** A v2 platform that always answers the same page and says there are `total` campaigns. */
async function lyingPlatform(total: number) {
  const sim = await startSimulator({ campaigns: 3 });
  sims.push(sim);
  const campaigns = sim.listCampaigns();
  let pages = 0;
  const app = Fastify();
  app.get("/api/v2/outbound/campaigns", async (request) => {
    pages++;
    const { page, pageSize } = request.query as { page: string; pageSize: string };
    return { campaigns, page: Number(page), pageSize: Number(pageSize), total };
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  servers.push(app);
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const platform = createV2Platform(configFor(sim, { apiBaseUrl: `http://127.0.0.1:${port}/api/v2` }), {
    clock: new InstantClock(),
    limiter: noRateLimit,
  });
  return { platform, pages: () => pages };
}

describe("campaign listing against a lying total", () => {
  it("refuses total: 1e12 after the first page with a clear error", async () => {
    const { platform, pages } = await lyingPlatform(1e12);
    const err = await platform.listCampaigns().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListingTooLargeError);
    expect((err as Error).message).toMatch(/says it has 1000000000000 campaigns, more than the 100,000/);
    expect(pages()).toBe(1);
  });

  it("stops at the first page's page count even when every page is full", async () => {
    const { platform, pages } = await lyingPlatform(250);
    await platform.listCampaigns();
    expect(pages()).toBe(3);
    expect(MAX_LISTED_CAMPAIGNS).toBe(100_000);
  });
});
