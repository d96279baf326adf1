/** The genesys driver's configuration, error mapping and mapping, and the simulator's contract. */
import { describe, expect, it } from "vitest";
import { ConflictError, PlatformValidationError } from "../../src/platform/errors.js";
import { loadGenesysConfig } from "../../src/platform/genesys/config.js";
import { mapGenesysError } from "../../src/platform/genesys/errors.js";
import { attemptLimitsBody, refusalsOf, retryOf } from "../../src/platform/genesys/mapping.js";
import { driver, genesysSim, managed } from "./helpers.js";

const reply = (status: number, body: unknown, method = "PUT") => ({
  method,
  route: "/outbound/attemptlimits/:id",
  status,
  body,
  subject: "attempt limits",
});

describe("genesys configuration", () => {
  it("a region names both hosts; the default budget is 300/min", () => {
    const c = loadGenesysConfig({
      GENESYS_REGION: "usw2.pure.cloud",
      GENESYS_CLIENT_ID: "id",
      GENESYS_CLIENT_SECRET: "s",
    });
    expect(c).toMatchObject({
      apiBaseUrl: "https://api.usw2.pure.cloud",
      tokenUrl: "https://login.usw2.pure.cloud/oauth/token",
      rateLimitPerMinute: 300,
    });
    expect(JSON.stringify(c)).not.toContain('"s"');
  });

  it("plain http only to loopback, and no override variable", () => {
    const env = {
      GENESYS_CLIENT_ID: "id",
      GENESYS_CLIENT_SECRET: "s",
      GENESYS_TOKEN_URL: "http://127.0.0.1:1/oauth/token",
    };
    expect(loadGenesysConfig({ ...env, GENESYS_API_BASE_URL: "http://localhost:1" }).apiBaseUrl).toBe(
      "http://localhost:1",
    );
    expect(() =>
      loadGenesysConfig({
        ...env,
        GENESYS_API_BASE_URL: "http://api.example.com",
        CXONE_ALLOW_INSECURE_HTTP: "true",
      }),
    ).toThrow(/only allowed to localhost/);
  });

  it("names what is missing or wrong", () => {
    expect(() => loadGenesysConfig({ GENESYS_CLIENT_ID: "id", GENESYS_CLIENT_SECRET: "s" })).toThrow(
      /GENESYS_REGION/,
    );
    expect(() =>
      loadGenesysConfig({
        GENESYS_REGION: "api.mypurecloud.com",
        GENESYS_CLIENT_ID: "x",
        GENESYS_CLIENT_SECRET: "s",
      }),
    ).toThrow(/domain only/);
    expect(() => loadGenesysConfig({ GENESYS_REGION: "mypurecloud.ie", GENESYS_CLIENT_SECRET: "s" })).toThrow(
      /GENESYS_CLIENT_ID/,
    );
    expect(() => loadGenesysConfig({ GENESYS_REGION: "mypurecloud.ie", GENESYS_CLIENT_ID: "x" })).toThrow(
      /GENESYS_CLIENT_SECRET/,
    );
    expect(() =>
      loadGenesysConfig({
        GENESYS_REGION: "mypurecloud.ie",
        GENESYS_CLIENT_ID: "x",
        GENESYS_CLIENT_SECRET: "s",
        GENESYS_RATE_LIMIT: "0",
      }),
    ).toThrow(/GENESYS_RATE_LIMIT/);
  });
});

describe("genesys error bodies", () => {
  it("a stale version is a conflict as 409 and as 400 'does not match the current version'", () => {
    expect(mapGenesysError(reply(409, { message: "conflict", code: "general.conflict" }))).toBeInstanceOf(
      ConflictError,
    );
    expect(
      mapGenesysError(
        reply(400, { message: "Version 3 does not match the current version 4", code: "bad.request" }),
      ),
    ).toBeInstanceOf(ConflictError);
    const other = mapGenesysError(
      reply(400, { message: "name is required", code: "bad.request", contextId: "c-1" }),
    );
    expect(other).toBeInstanceOf(PlatformValidationError);
    expect(other.message).toContain("contextId c-1");
  });
});

describe("genesys mapping", () => {
  it("attempt limits: maxAttemptsPerContact = 1 + retries; one interval d ↔ [d, 2d, …]", () => {
    const limits = {
      id: "a",
      version: 1,
      name: "AL",
      maxAttemptsPerContact: 3,
      recallEntries: { busy: { nbrAttempts: 2, minutesBetweenAttempts: 30 }, custom: { x: 1 } },
    };
    expect(retryOf(limits)).toEqual({ maxAttempts: 2, intervalMinutes: [30, 60] });
    const body = attemptLimitsBody(limits, { maxAttempts: 1, intervalMinutes: [45] });
    expect(body).toMatchObject({
      maxAttemptsPerContact: 2,
      version: 1,
      recallEntries: { custom: { x: 1 }, fax: { minutesBetweenAttempts: 45, nbrAttempts: 1 } },
    });
    expect(retryOf(body)).toEqual({ maxAttempts: 1, intervalMinutes: [45] });
    expect(attemptLimitsBody(limits, { maxAttempts: 2, intervalMinutes: [30, 60] })).not.toBeUndefined();
  });

  it("refuses what Genesys cannot hold, before anything is sent", () => {
    const fields = (r: Parameters<typeof refusalsOf>[0]) => refusalsOf(r, {}).map((f) => f.field);
    expect(fields({ retrySettings: { maxAttempts: 2, intervalMinutes: [60, 1440] } })).toEqual([
      "retrySettings.intervalMinutes",
    ]);
    expect(fields({ retrySettings: { maxAttempts: 1, intervalMinutes: [3] } })).toEqual([
      "retrySettings.intervalMinutes",
    ]);
    expect(fields({ abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 } })).toEqual([
      "abandonmentRateThreshold.coolDownSec",
    ]);
    expect(refusalsOf({ maxCallsPerAgent: 7 }, { maxConfigurableCallsPerAgent: 6 })).toHaveLength(1);
  });
});

describe("genesys simulator", () => {
  it("429 carries Retry-After, the too.many.requests body and the inin-ratelimit headers (which every reply has)", async () => {
    const sim = await genesysSim({ rateLimitPerMinute: 2 });
    const token = await fetch(sim.tokenUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from("demo:demo-secret").toString("base64")}`,
      },
      body: "grant_type=client_credentials",
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const get = () =>
      fetch(`${sim.apiBaseUrl}/api/v2/outbound/settings`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      });
    const first = await get();
    expect(first.headers.get("inin-ratelimit-allowed")).toBe("2");
    expect(first.headers.get("inin-ratelimit-count")).toBe("1");
    await get();
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("inin-ratelimit-count")).toBe("2");
    expect(Number(limited.headers.get("inin-ratelimit-reset"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: "too.many.requests.retry.after", status: 429 });
  });

  it("the driver lists with one request per 100 objects, never one per campaign", async () => {
    const sim = await genesysSim({ campaigns: 250 });
    const platform = driver(sim);
    const campaigns = await platform.listCampaigns();
    expect(campaigns.length).toBe(managed(sim).length);
    expect(sim.log.filter((e) => e.path.endsWith("/campaigns")).length).toBe(3);
    expect(sim.log.length).toBeLessThanOrEqual(3 + 3 + 1 + 1 + 1);
  });
});
