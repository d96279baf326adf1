/**
 * The cxone driver against answers shaped as real tenants send them (docs/platforms/cxone.md#sources):
 * nullable settings, string counts, wrapped skills, three error-body shapes, lists that ignore the
 * server-side filter, agentless and SMS skills, the dialing method as a set, one-decimal abandon rates and
 * cadence overrides. Seeded skills (ids from 4100001, index i = id − 4100001): i % 5 picks the family
 * (Collections-East, Collections-West, Sales-Renewals, Survey-NPS, Reminders-Payments); i = 5 is inbound,
 * 6 manual, 10 agentless, 12 SMS, 16 has null retry defaults.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock/clock.js";
import { parseRulesFile } from "../../src/domain/rules-file.js";
import { applyPlan } from "../../src/engine/apply.js";
import { createPlan } from "../../src/engine/plan.js";
import { mapCxoneError, readErrorBody } from "../../src/platform/cxone/errors.js";
import { NotFoundError, PlatformValidationError } from "../../src/platform/errors.js";
import { CXONE_DEMO_RULES } from "../../src/sim/cxone/demo-rules.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import { webhookEvent } from "../../src/webhook/events.js";
import { cxoneSim, driver, pcSkills, requestsTo } from "./helpers.js";

const ID = (i: number) => String(4_100_001 + i);

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function sqliteStore(): Promise<Store> {
  const store = await openStore({
    outboxEvent: webhookEvent,
    sqlitePath: join(mkdtempSync(join(tmpdir(), "dialrules-cx-")), "a.db"),
  });
  stores.push(store);
  return store;
}

const rules = (text: string) => ({ file: parseRulesFile(text, "rules.yaml"), sourceText: text });

describe("parsing what tenants really send", () => {
  it("nullable settings: a skill with null retry defaults is listed as not managed; the list does not fail", async () => {
    const s = await cxoneSim({ skills: 20 });
    expect(s.getSkill(4_100_017)?.generalSettings.maximumAttempts).toBeNull();
    expect(s.getSkill(4_100_001)?.generalSettings.beginDampenPercentage).toBeNull(); // unmapped nulls too
    const platform = driver(s);
    const campaigns = await platform.listCampaigns();
    expect(campaigns.map((c) => c.id)).not.toContain(ID(16));
    expect(campaigns.map((c) => c.id)).toContain(ID(0));
    expect(platform.listingNotes?.().notManaged.find((c) => c.id === ID(16))).toEqual({
      id: ID(16),
      name: "PC-Collections-West-17",
      reason:
        "CXone returned no value for maximumAttempts, minimumRetryMinutes; set them on the skill (ACD > Skills > Parameters) so dialrules can plan against known values",
    });
    await expect(platform.getCampaign(ID(16))).rejects.toBeInstanceOf(NotFoundError);
  });

  it("totalRecords as a string still bounds paging; GET /skills/{id} wrapped in {skills: […]} is read", async () => {
    const s = await cxoneSim({ skills: 130, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const platform = driver(s);
    const campaigns = await platform.listCampaigns();
    const pages = requestsTo(s, "GET", "/v30.0/skills").filter((e) => !e.path.includes("/skills/"));
    // 130 skills of which the filtered list holds fewer than 100: one page, and the string total stops it.
    expect(pages).toHaveLength(1);
    const raw = await fetchJson(s, `/inContactAPI/services/v30.0/skills/${ID(0)}`);
    expect(raw).toMatchObject({ skills: [{ skillId: 4_100_001 }] });
    expect((await platform.getCampaign(ID(0))).name).toBe("PC-Collections-East-01");
    expect(campaigns).toHaveLength(pcSkills(s).length);
  });

  it("error bodies: {error, errorDescription}, {error, error_description} and {message} are all read", () => {
    expect(readErrorBody({ error: "InvalidParameter", errorDescription: "a: b" })).toEqual({
      error: "InvalidParameter",
      errorDescription: "a: b",
    });
    expect(readErrorBody({ error: "invalid_request", error_description: "bad skill" })).toEqual({
      error: "invalid_request",
      errorDescription: "bad skill",
    });
    expect(readErrorBody({ message: "No known way to render data" })).toEqual({
      errorDescription: "No known way to render data",
    });
    const err = mapCxoneError({
      status: 400,
      method: "PUT",
      route: "/skills/:id/parameters/general-settings",
      body: { message: "maximumAttempts: must be 1 to 300" },
      skillId: "4100001",
    });
    expect(err).toBeInstanceOf(PlatformValidationError);
    expect((err as PlatformValidationError).fields).toEqual([
      { field: "maximumAttempts", message: "must be 1 to 300" },
    ]);
    const notFound = mapCxoneError({ status: 404, method: "GET", route: "/x", body: { message: "gone" } });
    expect(notFound.message).toContain("gone");
  });

  it("the simulator's unknown routes answer {message}, and the driver quotes it", async () => {
    const s = await cxoneSim();
    const res = await fetch(`${s.url}/inContactAPI/services/v30.0/nothing-here`);
    expect(await res.json()).toEqual({
      message: "no such endpoint: GET /inContactAPI/services/v30.0/nothing-here",
    });
  });

  it("a list that ignores the server-side filter still yields only outbound Personal Connection skills", async () => {
    const s = await cxoneSim({ skills: 20, ignoreSkillFilters: true });
    const inbound = s.getSkill(4_100_006);
    expect(inbound).toMatchObject({ isOutbound: false, outboundStrategy: null });
    const campaigns = await driver(s).listCampaigns();
    const expected = pcSkills(s).map((k) => String(k.skillId));
    expect(campaigns.map((c) => c.id)).toEqual(expected);
    expect(campaigns.map((c) => c.id)).not.toContain(ID(5)); // inbound, null strategy
    expect(campaigns.map((c) => c.id)).not.toContain(ID(6)); // manual outbound
    await expect(driver(s).getCampaign(ID(5))).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("which skills are campaigns, and how they dial", () => {
  it("agentless and SMS skills are listed as not managed, with the reason, and never written", async () => {
    const s = await cxoneSim({ skills: 20 });
    const platform = driver(s);
    await platform.listCampaigns();
    const reasons = new Map(platform.listingNotes?.().notManaged.map((c) => [c.id, c.reason]));
    expect(reasons.get(ID(10))).toBe(
      "agentless skill with 10 ports: it dials without agents, and dialrules manages agent dialing rules only",
    );
    expect(reasons.get(ID(12))).toBe(
      "proactive SMS skill (it has an SMS transport code or message template): it sends texts, not calls",
    );
    // Agentless and SMS skills' settings are not even read.
    expect(requestsTo(s, "GET", `/skills/${ID(10)}/parameters`)).toHaveLength(0);
    const { file, sourceText } = rules(
      `profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - match: "*"\n    dialingRules: {maxCallsPerAgent: 1}\n`,
    );
    const plan = await createPlan({ file, sourceText, platform, clock: systemClock });
    expect(plan.campaigns.map((c) => c.id)).not.toContain(ID(10));
    expect(plan.campaigns.map((c) => c.id)).not.toContain(ID(12));
    const listed = plan.findings.filter((f) => f.code === "CAMPAIGN_NOT_MANAGED");
    expect(listed.map((f) => f.message)).toEqual([
      `campaign ${ID(10)} (PC-Collections-East-11) matches but is not managed by dialrules: agentless skill with 10 ports: it dials without agents, and dialrules manages agent dialing rules only; nothing is planned for it`,
      `campaign ${ID(12)} (PC-Sales-Renewals-13) matches but is not managed by dialrules: proactive SMS skill (it has an SMS transport code or message template): it sends texts, not calls; nothing is planned for it`,
      `campaign ${ID(16)} (PC-Collections-West-17) matches but is not managed by dialrules: CXone returned no value for maximumAttempts, minimumRetryMinutes; set them on the skill (ACD > Skills > Parameters) so dialrules can plan against known values; nothing is planned for it`,
    ]);
    expect(listed.every((f) => f.severity === "warning" && f.path === "campaigns[0]")).toBe(true);
    const refused = await platform.updateRules(ID(10), 0, { maxCallsPerAgent: 1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PlatformValidationError);
    expect(requestsTo(s, "PUT", "/general-settings")).toHaveLength(0);
  });

  it("reads the dialing method from the documented signals, as a set where it cannot be known", async () => {
    const s = await cxoneSim({ skills: 20 });
    const byId = new Map((await driver(s).listCampaigns()).map((c) => [c.id, c.dialingRules.dialingMethod]));
    // maximumRatio 2.5, preview disabled: progressive or predictive.
    expect(byId.get(ID(0))).toEqual({ oneOf: ["PREDICTIVE", "PROGRESSIVE"] });
    // Survey-NPS: confirmation required (preview) on top of progressive-or-predictive pacing.
    expect(byId.get(ID(3))).toEqual({ oneOf: ["PREDICTIVE", "PROGRESSIVE", "PREVIEW"] });
    // Reminders: maximumRatio 1 cannot pace predictively.
    expect(byId.get(ID(4))).toBe("PROGRESSIVE");
    expect([...byId.values()]).not.toContain("PREDICTIVE");
  });

  it("a set containing PREDICTIVE is validated as strictly as PREDICTIVE: licence and preview checks", async () => {
    const s = await cxoneSim({ skills: 20 });
    const platform = driver(s);
    const { file, sourceText } = rules(
      `profiles: [US_TCPA]\nlicenseTier: PROFESSIONAL\ncampaigns:\n  - id: "${ID(0)}"\n    dialingRules: {maxCallsPerAgent: 1}\n  - id: "${ID(4)}"\n    dialingRules: {maxCallsPerAgent: 1}\n  - id: "${ID(3)}"\n    dialingRules: {maxCallsPerAgent: 2}\n`,
    );
    const plan = await createPlan({ file, sourceText, platform, clock: systemClock });
    const codes = (id: string) => plan.campaigns.find((c) => c.id === id)?.findings.map((f) => f.code) ?? [];
    expect(codes(ID(0))).toContain("LICENSE_PREDICTIVE_REQUIRES_ENTERPRISE");
    expect(codes(ID(4))).not.toContain("LICENSE_PREDICTIVE_REQUIRES_ENTERPRISE"); // known progressive
    expect(codes(ID(3))).toContain("CALLS_PER_AGENT_PREVIEW");
  });

  it("without …/parameters (404) the driver falls back to general settings, where preview cannot be ruled out", async () => {
    const s = await cxoneSim({ skills: 20, hideParameters: true });
    const platform = driver(s);
    const campaign = await platform.getCampaign(ID(0));
    expect(campaign.dialingRules.dialingMethod).toEqual({ oneOf: ["PREDICTIVE", "PROGRESSIVE", "PREVIEW"] });
    await platform.getCampaign(ID(1));
    // After the first 404 the driver goes straight to general settings.
    expect(requestsTo(s, "GET", "/parameters/general-settings")).toHaveLength(2);
    expect(requestsTo(s, "GET", "/parameters").filter((e) => e.path.endsWith("/parameters"))).toHaveLength(1);
  });
});

describe("values the platform really stores", () => {
  it("CXone keeps one decimal of a percent: the simulator stores 2.95 as 3, so the old write drifted", async () => {
    const s = await cxoneSim();
    const id = 4_100_001;
    s.editGeneralSettings(id, { abandonRateThreshold: 2.95 });
    expect(s.getSkill(id)?.generalSettings.abandonRateThreshold).toBe(3);
  });

  it("plan flags 0.0295 as not storable, apply sends nothing, and the next plan is the same", async () => {
    const s = await cxoneSim({ rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const platform = driver(s);
    const text = `profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - id: "${ID(0)}"\n    dialingRules: {abandonmentRateThreshold: {maxRate: 0.0295, coolDownSec: 0}}\n`;
    const { file, sourceText } = rules(text);
    const plan = await createPlan({ file, sourceText, platform, clock: systemClock });
    const planned = plan.campaigns[0];
    expect(planned?.status).toBe("invalid");
    expect(planned?.findings.find((f) => f.code === "PLATFORM_CANNOT_STORE")).toEqual({
      severity: "error",
      code: "PLATFORM_CANNOT_STORE",
      path: "dialingRules.abandonmentRateThreshold.maxRate",
      message:
        "cxone: CXone stores the abandon rate with one decimal of a percent, so 0.0295 (2.95%) would be stored rounded and drift from the rules file; use 0.029 (2.9%) or 0.03 (3%)",
    });
    const result = await applyPlan(
      plan,
      {
        runId: "r1",
        actor: "t",
        reason: "precision",
        concurrency: 1,
        onConflict: "abort",
        skipInvalid: true,
      },
      { platform, store: await sqliteStore(), clock: systemClock },
    );
    expect(result.counts.applied).toBe(0);
    expect(requestsTo(s, "PUT", "/general-settings")).toHaveLength(0);
    const again = await createPlan({ file, sourceText, platform, clock: systemClock });
    expect(again.campaigns[0]?.current).toEqual(planned?.current);
    // One decimal fits: 0.029 is written as 2.9 and read back as 0.029.
    await platform.updateRules(ID(0), 0, { abandonmentRateThreshold: { maxRate: 0.029, coolDownSec: 0 } });
    expect(s.getSkill(4_100_001)?.generalSettings.abandonRateThreshold).toBe(2.9);
  });

  it("cadence overrides: the effective maximum drives frequency checks, with a warning", async () => {
    const s = await cxoneSim({ skills: 20 });
    const seeded = s.getSkill(4_100_002);
    expect(seeded?.skillName).toBe("PC-Collections-West-02");
    expect(seeded?.cadenceSettings.destinationRetryRestMinutes).toBe(30); // the family is seeded with a cadence
    // Skill defaults: 3 dials a day apart (fine under Reg F's 7 in 7 days); the cadence allows 9, 30 min apart.
    s.editGeneralSettings(4_100_002, { maximumAttempts: 3, minimumRetryMinutes: 1440 });
    s.editParameters(4_100_002, {
      cadenceSettings: {
        cadenceMaximumAttempts: [{ fieldName: "Phone1", attempts: 9 }],
        attemptMode: 0,
        recordRequestMode: 0,
        destinationRetryRestMinutes: 30,
        cadences: [],
      },
    });
    const campaign = await driver(s).getCampaign(ID(1));
    expect(campaign.retryOverrides).toEqual({
      maxAttempts: 8,
      minGapMinutes: 30,
      description: "CXone skill parameters: cadence maximum attempts Phone1 9; destination retry rest 30 min",
    });
    // The skill's own retry settings are what is read and written, so plans stay stable.
    expect(campaign.dialingRules.retrySettings).toEqual({ maxAttempts: 2, intervalMinutes: [1440, 2880] });
    const { file, sourceText } = rules(
      `profiles: [US_REG_F]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - id: "${ID(1)}"\n    dialingRules: {maxCallsPerAgent: 1}\n`,
    );
    const plan = await createPlan({ file, sourceText, platform: driver(s), clock: systemClock });
    expect(plan.campaigns[0]?.findings.map((f) => f.code)).toEqual([
      "FREQUENCY_WINDOW_EXCEEDED",
      "RETRY_OVERRIDES_NOT_MODELLED",
    ]);
    expect(plan.campaigns[0]?.status).toBe("invalid");
    // Without the cadence, the same skill is valid: the overrides are what the checks counted.
    s.editParameters(4_100_002, {
      cadenceSettings: {
        cadenceMaximumAttempts: [],
        attemptMode: 0,
        recordRequestMode: 0,
        destinationRetryRestMinutes: null,
        cadences: [],
      },
    });
    const plain = await createPlan({ file, sourceText, platform: driver(s), clock: systemClock });
    expect(plain.campaigns[0]?.findings).toEqual([]);
  });
});

describe("done: plan → apply → plan on the cxone simulator", () => {
  it("the demo rules apply cleanly and the next plan shows no changes", async () => {
    const s = await cxoneSim({ skills: 40, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const platform = driver(s);
    const { file, sourceText } = rules(CXONE_DEMO_RULES);
    const first = await createPlan({ file, sourceText, platform, clock: systemClock });
    expect(first.summary.invalid).toBe(0);
    expect(first.summary.toChange).toBeGreaterThan(0);
    const result = await applyPlan(
      first,
      {
        runId: "rt",
        actor: "t",
        reason: "round trip",
        concurrency: 2,
        onConflict: "abort",
        skipInvalid: false,
      },
      { platform, store: await sqliteStore(), clock: systemClock },
    );
    expect(result.counts.applied).toBe(first.summary.toChange);
    const second = await createPlan({ file, sourceText, platform, clock: systemClock });
    expect(second.summary).toEqual({
      toChange: 0,
      unchanged: first.campaigns.length,
      invalid: 0,
      fileErrors: 0,
    });
  });
});

async function fetchJson(s: Awaited<ReturnType<typeof cxoneSim>>, path: string): Promise<unknown> {
  const form = new URLSearchParams({
    grant_type: "password",
    username: "demo-key",
    password: "demo-key-secret",
  });
  const tokenRes = await fetch(`${s.url}/auth/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from("demo:demo-secret").toString("base64")}`,
    },
    body: form,
  });
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  return (await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${access_token}` } })).json();
}
