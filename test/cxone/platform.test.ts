import { describe, expect, it } from "vitest";
import { InstantClock } from "../../src/clock/clock.js";
import { fractionToPercent, percentToFraction } from "../../src/platform/cxone/mapping.js";
import { NotFoundError, PlatformValidationError } from "../../src/platform/errors.js";
import { cxoneSim, driver, fixedRandom, pcSkills, requestsTo } from "./helpers.js";

describe("cxone driver: list and read", () => {
  it("lists only outbound Personal Connection skills, as campaigns with the mapped rules", async () => {
    const s = await cxoneSim({ skills: 30 });
    // 2.9 % is where a percent read as `value / 100` (0.028999999999999998) differs from 0.029.
    s.editGeneralSettings(4_100_001, { abandonRateThreshold: 2.9 });
    const platform = driver(s);
    const campaigns = await platform.listCampaigns();
    const expected = pcSkills(s);
    expect(campaigns.map((c) => c.id)).toEqual(expected.map((k) => String(k.skillId)));
    expect(s.listSkills().length).toBeGreaterThan(expected.length); // inbound and manual skills exist and are left out
    const list = requestsTo(s, "GET", "/v30.0/skills").filter((e) => !e.path.includes("/skills/"));
    expect(list[0]?.query).toMatchObject({
      mediaTypeId: "4",
      outboundStrategy: "Personal Connection",
      skip: "0",
      top: "100",
    });

    const campaign = campaigns[0];
    if (!campaign) throw new Error("no skills seeded");
    // The seeded skill, in CXone's terms: maximumAttempts 5, minimumRetryMinutes 30, abandonRateThreshold 2.9
    // (percent), maxConcurrentCallsPerAgent 1, maximumRatio 2.5 with preview disabled. Literal expectations:
    // an oracle that calls the mapping would agree with any bug in it.
    expect(s.getSkill(4_100_001)?.generalSettings).toMatchObject({
      maximumAttempts: 5,
      minimumRetryMinutes: 30,
      abandonRateThreshold: 2.9,
      maxConcurrentCallsPerAgent: 1,
      maximumRatio: 2.5,
    });
    expect(campaign.id).toBe("4100001");
    expect(campaign.name).toBe("PC-Collections-East-01");
    expect(campaign.dialingRules).toEqual({
      // Maximum ratio 2.5 and preview disabled: progressive or predictive, the driver cannot tell which.
      dialingMethod: { oneOf: ["PREDICTIVE", "PROGRESSIVE"] },
      maxCallsPerAgent: 1,
      abandonmentRateThreshold: { maxRate: 0.029, coolDownSec: 0 },
      // CXone counts the first call as an attempt and spaces retries evenly.
      retrySettings: { maxAttempts: 4, intervalMinutes: [30, 60, 90, 120] },
    });
    expect(Number.isSafeInteger(campaign.revision)).toBe(true);
    expect(await platform.getCampaign(campaign.id)).toEqual(campaign);
  });

  it("pages through many skills with skip/top", async () => {
    const s = await cxoneSim({ skills: 260, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const campaigns = await driver(s).listCampaigns();
    expect(campaigns).toHaveLength(pcSkills(s).length);
    const pages = requestsTo(s, "GET", "/v30.0/skills").filter((e) => !e.path.includes("/skills/"));
    expect(pages.map((e) => e.query.skip)).toEqual(["0", "100"]);
  });

  it("percent ⇄ fraction keeps decimals exact", () => {
    expect(percentToFraction(2.9)).toBe(0.029);
    expect(fractionToPercent(0.029)).toBe(2.9);
    expect(fractionToPercent(0.025)).toBe(2.5);
    expect(percentToFraction(3)).toBe(0.03);
  });

  it("revision changes when a mapped setting changes and not otherwise", async () => {
    const s = await cxoneSim();
    const platform = driver(s);
    const id = pcSkills(s)[0]?.skillId ?? 0;
    const before = await platform.getCampaign(String(id));
    s.editGeneralSettings(id, { maximumRatio: 3 }); // not mapped
    expect((await platform.getCampaign(String(id))).revision).toBe(before.revision);
    s.editGeneralSettings(id, {
      maxConcurrentCallsPerAgent: before.dialingRules.maxCallsPerAgent === 1 ? 2 : 1,
    });
    expect((await platform.getCampaign(String(id))).revision).not.toBe(before.revision);
  });

  it("an unknown or non-numeric skill id is NotFoundError", async () => {
    const s = await cxoneSim();
    const platform = driver(s);
    await expect(platform.getCampaign("999")).rejects.toBeInstanceOf(NotFoundError);
    await expect(platform.getCampaign("CMP-10001")).rejects.toBeInstanceOf(NotFoundError);
    expect(requestsTo(s, "GET", "CMP-")).toHaveLength(0);
  });
});

describe("cxone driver: writes", () => {
  it("PUTs only the managed fields, in CXone's units, and returns the re-read campaign", async () => {
    const s = await cxoneSim();
    const platform = driver(s);
    const skill = pcSkills(s)[0];
    if (!skill) throw new Error("no skill");
    const before = await platform.getCampaign(String(skill.skillId));
    const result = await platform.updateRules(String(skill.skillId), before.revision, {
      maxCallsPerAgent: 2,
      abandonmentRateThreshold: { maxRate: 0.025, coolDownSec: 0 },
      retrySettings: { maxAttempts: 2, intervalMinutes: [180, 360] },
    });
    const puts = requestsTo(s, "PUT", "/general-settings");
    expect(puts).toHaveLength(1);
    expect(puts[0]?.body).toEqual({
      generalSettings: {
        maxConcurrentCallsPerAgent: 2,
        abandonRateThreshold: 2.5,
        overrideBusinessUnitAbandonRate: true,
        maximumAttempts: 3,
        minimumRetryMinutes: 180,
      },
    });
    const after = s.getSkill(skill.skillId)?.generalSettings;
    expect(after).toMatchObject({
      maxConcurrentCallsPerAgent: 2,
      abandonRateThreshold: 2.5,
      maximumAttempts: 3,
      minimumRetryMinutes: 180,
    });
    // Fields we do not manage are untouched.
    expect(after?.maximumRatio).toBe(skill.generalSettings.maximumRatio);
    expect(result.campaign.dialingRules).toMatchObject({
      maxCallsPerAgent: 2,
      abandonmentRateThreshold: { maxRate: 0.025, coolDownSec: 0 },
      retrySettings: { maxAttempts: 2, intervalMinutes: [180, 360] },
    });
    expect(result.campaign.revision).not.toBe(before.revision);
    expect(result.requestId).toMatch(/^sim-cxone-/);
  });

  it("refuses, without sending anything, what CXone cannot hold exactly", async () => {
    const s = await cxoneSim();
    const platform = driver(s);
    const id = String(pcSkills(s)[0]?.skillId);
    const irregular = await platform
      .updateRules(id, 0, { retrySettings: { maxAttempts: 2, intervalMinutes: [60, 1440] } })
      .catch((e: unknown) => e);
    expect(irregular).toBeInstanceOf(PlatformValidationError);
    expect((irregular as PlatformValidationError).fields[0]?.field).toBe("retrySettings.intervalMinutes");
    const coolDown = await platform
      .updateRules(id, 0, { abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 300 } })
      .catch((e: unknown) => e);
    expect((coolDown as PlatformValidationError).fields[0]?.field).toBe(
      "abandonmentRateThreshold.coolDownSec",
    );
    const method = await platform
      .updateRules(id, 0, { dialingMethod: "PROGRESSIVE" })
      .catch((e: unknown) => e);
    expect((method as PlatformValidationError).message).toContain("no setting for the dialing method");
    expect(requestsTo(s, "PUT", "/general-settings")).toHaveLength(0);
    expect(driver(s).capabilities).toEqual({
      conditionalWrite: false,
      writableFields: ["maxCallsPerAgent", "abandonmentRateThreshold", "retrySettings"],
    });
  });
});

describe("cxone driver: error mapping", () => {
  it("a running skill's 409 becomes PlatformValidationError with advice to stop the skill", async () => {
    const s = await cxoneSim();
    const skill = pcSkills(s)[1];
    if (!skill) throw new Error("no skill");
    s.setRunning(skill.skillId, true);
    const err = (await driver(s)
      .updateRules(String(skill.skillId), 0, { maxCallsPerAgent: 2 })
      .catch((e: unknown) => e)) as PlatformValidationError;
    expect(err).toBeInstanceOf(PlatformValidationError);
    expect(err.message).toContain(`skill ${skill.skillId}`);
    expect(err.message).toContain("Stop the skill");
    expect(err.message).toContain("SkillRunning");
    expect(requestsTo(s, "PUT", "/general-settings")[0]?.status).toBe(409);
  });

  it("a 400 {error, errorDescription} becomes field errors", async () => {
    const s = await cxoneSim();
    const skill = pcSkills(s)[0];
    if (!skill) throw new Error("no skill");
    // The seeded cutoff is 10 %: a 12 % threshold is refused by the platform, not by the driver.
    const err = (await driver(s)
      .updateRules(String(skill.skillId), 0, { abandonmentRateThreshold: { maxRate: 0.12, coolDownSec: 0 } })
      .catch((e: unknown) => e)) as PlatformValidationError;
    expect(err).toBeInstanceOf(PlatformValidationError);
    expect(err.fields).toEqual([
      { field: "generalSettings.abandonRateThreshold", message: "12 must not exceed abandonRateCutoff 10" },
    ]);
    expect(err.message).toContain("InvalidParameter");
  });

  it("429 without Retry-After is retried with backoff and the call succeeds", async () => {
    const clock = new InstantClock();
    // 60/min: the bucket holds 60 requests, then refills one a second; 35 reads need 70 requests.
    const s = await cxoneSim({ clock, rateLimitPerMinute: 60 });
    const retries: number[] = [];
    const platform = driver(s, {
      clock,
      random: fixedRandom(0.5),
      observer: { retry: (e) => retries.push(e.delayMs) },
    });
    const ids = pcSkills(s).map((k) => String(k.skillId));
    const campaigns = [];
    for (let i = 0; i < 35; i++) campaigns.push(await platform.getCampaign(ids[i % ids.length] ?? ""));
    expect(campaigns).toHaveLength(35);
    expect(s.log.filter((e) => e.status === 429).every((e) => e.fault === "rate-limited")).toBe(true);
    const limited = s.log.filter((e) => e.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(retries.length).toBeGreaterThanOrEqual(limited.length);
    // Full-jitter backoff (random 0.5 of the 250 ms · 2^n ceiling), not a server hint.
    expect(retries[0]).toBe(125);
  });

  it("429s that outlast the retry budget end as RateLimitedError", async () => {
    const clock = new InstantClock();
    const s = await cxoneSim({ clock, rateLimitPerMinute: 1 });
    const platform = driver(s, { clock, random: fixedRandom(0), retry: { maxAttempts: 3 } });
    const id = String(pcSkills(s)[0]?.skillId);
    await platform.getCampaign(id).catch(() => undefined);
    const err = await platform.getCampaign(id).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("PLATFORM_RATE_LIMITED");
  });
});
