import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { InstantClock } from "../../src/clock/clock.js";
import type { DialingRules } from "../../src/domain/rules.js";
import { RULE_FIELDS } from "../../src/domain/rules.js";
import { noRateLimit } from "../../src/http/rate-limiter.js";
import { ConflictError, NotFoundError, PlatformValidationError } from "../../src/platform/errors.js";
import { createV2Platform } from "../../src/platform/v2/v2-platform.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle, SimOptions } from "../../src/sim/types.js";
import { configFor, requestsTo } from "./helpers.js";

const sims: SimHandle[] = [];
async function setup(opts: SimOptions = {}) {
  const clock = new InstantClock();
  const s = await startSimulator({ campaigns: 12, clock, ...opts });
  sims.push(s);
  const platform = createV2Platform(configFor(s), { clock, limiter: noRateLimit });
  return { s, platform, clock };
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

function first(s: SimHandle) {
  const c = s.listCampaigns()[0];
  if (!c) throw new Error("simulator has no campaigns");
  return c;
}

const newRules: DialingRules = {
  dialingMethod: "PROGRESSIVE",
  retrySettings: { maxAttempts: 3, intervalMinutes: [15, 60, 240] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 },
  maxCallsPerAgent: 2,
};

describe("v2 driver", () => {
  it("has the v2 name and capabilities", async () => {
    const { platform } = await setup();
    expect(platform.name).toBe("v2");
    expect(platform.capabilities).toEqual({ conditionalWrite: true, writableFields: RULE_FIELDS });
  });

  it("getCampaign returns the stored campaign; an unknown id is NotFoundError", async () => {
    const { s, platform } = await setup();
    const c = first(s);
    expect(await platform.getCampaign(c.id)).toEqual(c);
    await expect(platform.getCampaign("no-such-campaign")).rejects.toBeInstanceOf(NotFoundError);
    expect(requestsTo(s, "GET", "/api/v2/outbound/campaigns/").map((e) => e.path)).toContain(
      "/api/v2/outbound/campaigns/no-such-campaign",
    );
  });

  it("listCampaigns reads every page of 100", async () => {
    const { s, platform } = await setup({ campaigns: 250 });
    const all = await platform.listCampaigns();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((c) => c.id))).toEqual(new Set(s.listCampaigns().map((c) => c.id)));
    const pages = requestsTo(s, "GET", "/api/v2/outbound/campaigns").filter(
      (e) => e.path === "/api/v2/outbound/campaigns",
    );
    expect(pages.map((e) => e.query)).toEqual([
      { page: "1", pageSize: "100" },
      { page: "2", pageSize: "100" },
      { page: "3", pageSize: "100" },
    ]);
  });

  it("listCampaigns of an empty platform is one request and an empty list", async () => {
    const { s, platform } = await setup({ campaigns: 0 });
    expect(await platform.listCampaigns()).toEqual([]);
    expect(requestsTo(s, "GET", "/api/v2/outbound/campaigns")).toHaveLength(1);
  });

  it("PATCH sends X-If-Match equal to the body revision, only the given fields, and the body arrives intact", async () => {
    const { s, platform } = await setup();
    const c = first(s);
    const partial = { retrySettings: newRules.retrySettings, maxCallsPerAgent: 2 };
    const result = await platform.updateRules(c.id, c.revision, partial);
    expect(result.campaign.revision).toBe(c.revision + 1);
    expect(result.campaign.dialingRules).toEqual({ ...c.dialingRules, ...partial });
    expect(result.campaign).toEqual(s.getCampaign(c.id));
    const patch = requestsTo(s, "PATCH", "/api/v2/outbound/campaigns/");
    expect(patch).toHaveLength(1);
    const entry = patch[0];
    expect(entry?.headers["x-if-match"]).toBe(String(c.revision));
    expect(entry?.body).toStrictEqual({ revision: c.revision, dialingRules: partial });
    expect(entry?.headers["content-type"]).toMatch(/^application\/json/);
    expect(result.requestId).toBeDefined();
    expect(result.requestId).toBe(entry?.requestId);
  });

  it("extra properties on the rules object never reach the wire", async () => {
    const { s, platform } = await setup();
    const c = first(s);
    const sneaky = { maxCallsPerAgent: 3, notARule: true } as unknown as Partial<DialingRules>;
    await platform.updateRules(c.id, c.revision, sneaky);
    expect(requestsTo(s, "PATCH", "/api/")[0]?.body).toStrictEqual({
      revision: c.revision,
      dialingRules: { maxCallsPerAgent: 3 },
    });
  });

  it("a stale revision yields ConflictError carrying the current revision", async () => {
    const { s, platform } = await setup();
    const c = first(s);
    const edited = s.editCampaign(c.id, { maxCallsPerAgent: 7 });
    const error = await platform
      .updateRules(c.id, c.revision, { maxCallsPerAgent: 2 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).currentRevision).toBe(edited.revision);
    expect((error as ConflictError).currentRevision).toBe(c.revision + 1);
    expect(s.getCampaign(c.id)?.dialingRules.maxCallsPerAgent).toBe(7);
    // Not retried: a conflict needs a merge, not a resend.
    expect(requestsTo(s, "PATCH", "/api/")).toHaveLength(1);
  });

  it("a 400 errors array surfaces every field path and message", async () => {
    const { s, platform } = await setup();
    const c = first(s);
    const bad = {
      retrySettings: { maxAttempts: 60, intervalMinutes: [0, 5] },
      abandonmentRateThreshold: { maxRate: 3, coolDownSec: -1 },
      maxCallsPerAgent: 0,
    };
    const error = await platform.updateRules(c.id, c.revision, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformValidationError);
    const fields = (error as PlatformValidationError).fields;
    const paths = fields.map((f) => f.field);
    for (const expected of [
      "dialingRules.retrySettings.maxAttempts",
      "dialingRules.retrySettings.intervalMinutes[0]",
      "dialingRules.abandonmentRateThreshold.maxRate",
      "dialingRules.abandonmentRateThreshold.coolDownSec",
      "dialingRules.maxCallsPerAgent",
    ]) {
      expect(paths).toContain(expected);
    }
    for (const f of fields) {
      expect(f.message.length).toBeGreaterThan(0);
      expect((error as Error).message).toContain(`${f.field}: ${f.message}`);
    }
    expect(s.getCampaign(c.id)?.revision).toBe(c.revision);
  });

  it("the PATCH bodies it sends conform to the contract's request schema", async () => {
    const { s, platform } = await setup();
    const campaigns = s.listCampaigns().slice(0, 4);
    const partials: Partial<DialingRules>[] = [
      newRules,
      { dialingMethod: "PREVIEW" },
      { abandonmentRateThreshold: { maxRate: 0, coolDownSec: 0 } },
      { retrySettings: { maxAttempts: 0, intervalMinutes: [] }, maxCallsPerAgent: 100 },
    ];
    for (const [i, c] of campaigns.entries()) await platform.updateRules(c.id, c.revision, partials[i] ?? {});

    const contract = parseYaml(
      readFileSync(new URL("../../contract/v2-contract.openapi.yaml", import.meta.url), "utf8"),
    );
    const ajv = new Ajv({ allErrors: true, strict: false });
    const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
    addFormats(ajv);
    ajv.addSchema({ components: contract.components }, "contract");
    const patch = contract.paths["/api/v2/outbound/campaigns/{campaignId}"].patch;
    const rewriteRefs = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(rewriteRefs)
        : typeof node === "object" && node !== null
          ? Object.fromEntries(
              Object.entries(node).map(([k, v]) => [
                k,
                k === "$ref" ? `contract${v as string}` : rewriteRefs(v),
              ]),
            )
          : node;
    const validateBody = ajv.compile(
      rewriteRefs(patch.requestBody.content["application/json"].schema) as object,
    );
    const validateHeader = ajv.compile(patch.parameters[0].schema);
    const sent = requestsTo(s, "PATCH", "/api/");
    expect(sent).toHaveLength(4);
    for (const entry of sent) {
      expect(validateBody(entry.body), JSON.stringify(validateBody.errors)).toBe(true);
      expect(validateHeader(entry.headers["x-if-match"]), JSON.stringify(validateHeader.errors)).toBe(true);
      expect(entry.status).toBe(200);
    }
    // The validator itself is not a rubber stamp.
    expect(validateBody({ revision: 1, dialingRules: { maxCallsPerAgent: 2, extra: 1 } })).toBe(false);
    expect(validateBody({ revision: 1, dialingRules: {} })).toBe(false);
  });

  it("rejects nonsense arguments before sending anything", async () => {
    const { s, platform } = await setup();
    const c = first(s);
    await expect(platform.updateRules(c.id, -1, { maxCallsPerAgent: 2 })).rejects.toThrow(RangeError);
    await expect(platform.updateRules(c.id, c.revision, {})).rejects.toThrow(RangeError);
    expect(requestsTo(s, "PATCH", "/api/")).toHaveLength(0);
  });

  it("ids are path-encoded", async () => {
    const { s, platform } = await setup();
    await expect(platform.getCampaign("a/b?c")).rejects.toBeInstanceOf(NotFoundError);
    expect(s.log.at(-1)?.path).toBe("/api/v2/outbound/campaigns/a%2Fb%3Fc");
  });

  it("close() aborts later calls", async () => {
    const { s, platform } = await setup();
    await platform.close();
    await expect(platform.getCampaign(first(s).id)).rejects.toThrow("closed");
  });
});
