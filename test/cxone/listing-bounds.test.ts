/**
 * Issue 13 §4 for the cxone driver: a tenant's `totalRecords` is believed only up to a hard cap and bounds
 * the skip/top loop. A fastify stub in front of the cxone simulator answers the skill list with odd-but-legal
 * replies (a count as a string, no count at all, the same page again); every other request (discovery, token,
 * parameters) goes through to the simulator unchanged.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { ListingTooLargeError, MAX_LISTED_CAMPAIGNS } from "../../src/platform/listing-bounds.js";
import type { CxoneSimHandle } from "../../src/sim/cxone/types.js";
import { cxoneSim, driver, pcSkills } from "./helpers.js";

const stubs: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

type Reshape = (page: { totalRecords?: unknown; skills: unknown[] }) => Record<string, unknown>;

/** The simulator's first skill page, reshaped by `reshape`, for every list request; the rest passes through. */
async function lyingTenant(sim: CxoneSimHandle, reshape: Reshape) {
  let listRequests = 0;
  const app = Fastify();
  app.all("/*", async (request, reply) => {
    const url = new URL(request.url, "http://stub");
    const isList = request.method === "GET" && /\/skills$/.test(url.pathname);
    if (isList) {
      listRequests++;
      url.searchParams.set("skip", "0");
    }
    const headers: Record<string, string> = {};
    for (const name of ["authorization", "content-type"]) {
      const value = request.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === "string"
          ? request.body
          : JSON.stringify(request.body);
    const res = await fetch(`${sim.url}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      ...(body === undefined || request.method === "GET" ? {} : { body }),
    });
    const text = await res.text();
    reply.code(res.status);
    const type = res.headers.get("content-type");
    if (type) reply.header("content-type", type);
    if (!isList || res.status !== 200) return reply.send(text);
    return reply.send(JSON.stringify(reshape(JSON.parse(text))));
  });
  app.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
  await app.listen({ port: 0, host: "127.0.0.1" });
  stubs.push(app);
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  // Discovery and the token still come from the simulator; the API host is the stub.
  const platform = driver(sim, {}, { apiEndpoint: `http://127.0.0.1:${port}` });
  return { platform, listRequests: () => listRequests };
}

/** Skills on the simulator's first list page: its Personal Connection skills (agentless and SMS included). */
const pageLength = (sim: CxoneSimHandle) =>
  sim.listSkills().filter((s) => s.outboundStrategy === "Personal Connection").length;

describe("cxone skill listing against a lying tenant", () => {
  it("refuses totalRecords '1000000000000' (a count as a string) after the first page", async () => {
    const sim = await cxoneSim({ skills: 12, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const { platform, listRequests } = await lyingTenant(sim, (p) => ({
      ...p,
      totalRecords: "1000000000000",
    }));
    const err = await platform.listCampaigns().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListingTooLargeError);
    expect((err as Error).message).toMatch(/says it has 1000000000000 skills, more than the 100,000/);
    expect(listRequests()).toBe(1);
  });

  it("stops at the first page's totalRecords when every page repeats the same skills", async () => {
    const sim = await cxoneSim({ skills: 100, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const { platform, listRequests } = await lyingTenant(sim, (p) => ({ ...p, totalRecords: 250 }));
    const campaigns = await platform.listCampaigns();
    // skip moves by the page's length until it passes 250: ⌈250 / n⌉ pages, however often they repeat.
    expect(listRequests()).toBe(Math.ceil(250 / pageLength(sim)));
    // The same skills again and again are listed once each.
    expect(campaigns.map((c) => c.id)).toEqual(pcSkills(sim).map((s) => String(s.skillId)));
  });

  it("stops at the hard cap with a clear error when no page says how many there are", async () => {
    const sim = await cxoneSim({ skills: 100, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const { platform, listRequests } = await lyingTenant(sim, ({ skills }) => ({ skills }));
    const err = await platform.listCampaigns().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListingTooLargeError);
    expect((err as Error).message).toMatch(/kept sending pages after 1000\d\d skills, more than the 100,000/);
    // Every skill of a page moves skip on, managed or not: the cap, never more.
    expect(listRequests()).toBe(Math.ceil(MAX_LISTED_CAMPAIGNS / pageLength(sim)));
  });
});
