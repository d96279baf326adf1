import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { expectContract } from "./contract.js";
import { CAMPAIGN_PATH, patchCampaign, TOKEN_PATH, token } from "./helpers.js";

let sim: SimHandle;
let bearer: string;
beforeAll(async () => {
  sim = await startSimulator({ campaigns: 3, rateLimitPerMinute: Number.POSITIVE_INFINITY });
  bearer = await token(sim);
});
afterAll(async () => {
  await sim.stop();
});

/** Header-safe text (fetch refuses control characters in header values). */
const headerText = fc.string({ unit: fc.constantFrom(..."0123456789 -+.xe"), maxLength: 6 });
const ifMatch = fc.option(headerText, { nil: null });

/** Values that are sometimes right and often wrong in type or range. */
const anyValue = fc.oneof(
  fc.integer({ min: -5, max: 60 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom("PREDICTIVE", "PREVIEW", "ROBOT", "", null, true),
  fc.jsonValue({ maxDepth: 2 }),
);
const nearlyValidRules = fc.record(
  {
    dialingMethod: anyValue,
    retrySettings: fc.oneof(
      fc.record(
        {
          maxAttempts: anyValue,
          intervalMinutes: fc.oneof(fc.array(anyValue, { maxLength: 4 }), anyValue),
          junk: anyValue,
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
    abandonmentRateThreshold: fc.oneof(
      fc.record({ maxRate: anyValue, coolDownSec: anyValue, junk: anyValue }, { requiredKeys: [] }),
      anyValue,
    ),
    maxCallsPerAgent: anyValue,
    junk: anyValue,
  },
  { requiredKeys: [] },
);
const nearlyValidBody = fc.record(
  {
    revision: fc.oneof(fc.constant(0), anyValue),
    dialingRules: fc.oneof(nearlyValidRules, anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

describe("garbage never breaks the simulator", () => {
  it("answers 400 with a contract-shaped errors array for any JSON value that is not a valid body", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), ifMatch, async (body, header) => {
        fc.pre(!(typeof body === "object" && body !== null && "dialingRules" in body));
        const reply = await patchCampaign(sim, bearer, "CMP-10001", body, header);
        expect(reply.status).toBe(400);
        expectContract(CAMPAIGN_PATH, "patch", 400, reply.body);
      }),
      { numRuns: 60 },
    );
  });

  it("answers 200, 400 or 409 (never 5xx) to nearly valid bodies, always per the contract", async () => {
    await fc.assert(
      fc.asyncProperty(nearlyValidBody, ifMatch, async (body, header) => {
        const reply = await patchCampaign(sim, bearer, "CMP-10002", body, header);
        expect([200, 400, 409]).toContain(reply.status);
        expectContract(CAMPAIGN_PATH, "patch", reply.status, reply.body);
      }),
      { numRuns: 150 },
    );
  });

  it("answers 400 to arbitrary raw bodies and content types", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.constantFrom(
          "application/json",
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/merge-patch+json",
        ),
        async (raw, contentType) => {
          fc.pre(!/^\s*\{/.test(raw));
          const reply = await patchCampaign(sim, bearer, "CMP-10003", raw, "1", contentType);
          expect(reply.status).toBe(400);
          expectContract(CAMPAIGN_PATH, "patch", 400, reply.body);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("answers 400 or 401 to arbitrary token requests", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 60 }),
        fc.option(fc.base64String({ maxLength: 24 }), { nil: undefined }),
        async (form, basic) => {
          const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
          if (basic !== undefined) headers.authorization = `Basic ${basic}`;
          const res = await fetch(sim.tokenUrl, { method: "POST", headers, body: form });
          expect([400, 401]).toContain(res.status);
          expectContract(TOKEN_PATH, "post", res.status, await res.json());
        },
      ),
      { numRuns: 60 },
    );
  });
});
