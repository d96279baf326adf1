/**
 * The engine, unchanged, against the genesys driver and `sim --mode genesys`: the round trip, a
 * concurrent edit of an unrelated field, shared attempt limits, running campaigns, campaigns left alone.
 */
import { describe, expect, it } from "vitest";
import { apply, driver, genesysSim, managed, plan, requestsTo } from "./helpers.js";

const HEADER = "profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\n";

const ROUND_TRIP = `${HEADER}defaults:
  dialingRules:
    abandonmentRateThreshold: {maxRate: 0.025, coolDownSec: 0}
campaigns:
  - match: "Collections-*"
    dialingRules: {maxCallsPerAgent: 2, retrySettings: {maxAttempts: 2, intervalMinutes: [90, 180]}}
  - match: "Sales-Renewals-*"
    dialingRules: {dialingMethod: PROGRESSIVE, maxCallsPerAgent: 3}
  - match: "Survey-*"
    dialingRules: {retrySettings: {maxAttempts: 1, intervalMinutes: [45]}}
`;

describe("engine with the genesys driver", () => {
  it("plan → apply → plan shows no changes, and every unmanaged field survives the PUTs", async () => {
    const sim = await genesysSim();
    const platform = driver(sim);
    const before = new Map(sim.listCampaigns().map((c) => [c.id, c]));

    const first = await plan(platform, ROUND_TRIP);
    expect(first.summary.toChange).toBeGreaterThan(5);
    expect(first.summary.invalid).toBe(0);
    const { result } = await apply(platform, first);
    expect(result.counts.failed).toBe(0);
    expect(result.counts.conflict).toBe(0);
    expect(result.results.filter((r) => r.outcome === "applied").length).toBeGreaterThan(0);

    const second = await plan(platform, ROUND_TRIP);
    expect(second.summary).toMatchObject({ toChange: 0, invalid: 0 });

    for (const after of sim.listCampaigns()) {
      const was = before.get(after.id);
      if (!was) throw new Error("campaign vanished");
      // campaignStatus and every field dialrules does not manage are exactly as they were.
      const {
        version: _v1,
        dateModified: _d1,
        dialingMode: _m1,
        abandonRate: _a1,
        maxCallsPerAgent: _p1,
        ...rest
      } = after;
      const {
        version: _v2,
        dateModified: _d2,
        dialingMode: _m2,
        abandonRate: _a2,
        maxCallsPerAgent: _p2,
        ...restWas
      } = was;
      expect(rest).toEqual(restWas);
    }
    // Shared attempt limits are written once per object, not once per campaign.
    const limitPuts = requestsTo(sim, "PUT", "/attemptlimits/").filter((e) => e.status === 200);
    expect(new Set(limitPuts.map((e) => e.path)).size).toBe(limitPuts.length);
    const collections = managed(sim).find((c) => String(c.name).startsWith("Collections-East"));
    expect(sim.attemptLimitsOf(String(collections?.id))).toMatchObject({
      maxAttemptsPerContact: 3,
      recallEntries: { busy: { minutesBetweenAttempts: 90, nbrAttempts: 2 } },
    });
  });

  it("a concurrent edit of an unrelated field between plan and apply survives the write", async () => {
    const sim = await genesysSim();
    const platform = driver(sim);
    const target = managed(sim).find((c) => c.dialingMode === "power");
    if (!target) throw new Error("no power campaign");
    const desired = target.maxCallsPerAgent === 3 ? 2 : 3;
    const p = await plan(
      platform,
      `${HEADER}campaigns:\n  - id: "${target.id}"\n    dialingRules: {maxCallsPerAgent: ${desired}}\n`,
    );
    expect(p.campaigns[0]?.status).toBe("change");

    // Another administrator changes fields dialrules does not manage (one it has never heard of, too).
    sim.editCampaign(target.id, { callerName: "Other Admin", noAnswerTimeout: 45, futureSetting: { v: 2 } });

    const { result, store } = await apply(platform, p);
    expect(result.results[0]).toMatchObject({ outcome: "applied", writes: 2 });
    expect(sim.getCampaign(target.id)).toMatchObject({
      maxCallsPerAgent: desired,
      callerName: "Other Admin",
      noAnswerTimeout: 45,
      futureSetting: { v: 2 },
      campaignStatus: target.campaignStatus,
    });
    const [audit] = await store.audit.list({ campaignId: target.id });
    expect(audit).toMatchObject({ outcome: "applied", writeMode: "conditional", platform: "genesys" });
  });

  it("a concurrent change of the same field to another value is a conflict and nothing is written", async () => {
    const sim = await genesysSim();
    const platform = driver(sim);
    const target = managed(sim).find((c) => c.dialingMode === "predictive");
    if (!target) throw new Error("no predictive campaign");
    const ours = target.maxCallsPerAgent === 3 ? 2 : 3;
    const theirs = [1, 2, 3].find((n) => n !== ours && n !== target.maxCallsPerAgent);
    const p = await plan(
      platform,
      `${HEADER}campaigns:\n  - id: "${target.id}"\n    dialingRules: {maxCallsPerAgent: ${ours}}\n`,
    );
    sim.editCampaign(target.id, { maxCallsPerAgent: theirs });
    const { result } = await apply(platform, p);
    expect(result.results[0]?.outcome).toBe("conflict");
    expect(requestsTo(sim, "PUT", "/campaigns/")).toHaveLength(0);
  });

  it("shared attempt limits: a retry change only some of their campaigns would get is a conflict naming all", async () => {
    const sim = await genesysSim();
    const platform = driver(sim);
    // Collections-East and Collections-West share one attempt limits object.
    const p = await plan(
      platform,
      `${HEADER}campaigns:\n  - match: "Collections-East-*"\n    dialingRules: {retrySettings: {maxAttempts: 1, intervalMinutes: [300]}}\n`,
    );
    const east = p.campaigns.filter((c) => c.name.startsWith("Collections-East"));
    expect(east.length).toBeGreaterThan(0);
    const west = managed(sim).filter((c) => String(c.name).startsWith("Collections-West"));
    for (const c of east) {
      expect(c.status).toBe("invalid");
      const finding = c.findings.find((f) => f.code === "SHARED_SETTING_CONFLICT");
      expect(finding?.message).toContain("AL Collections");
      for (const w of west) expect(finding?.message).toContain(w.id);
    }
    const { result } = await apply(platform, p);
    expect(result.counts.applied ?? 0).toBe(0);
    expect(requestsTo(sim, "PUT", "/attemptlimits/")).toHaveLength(0);
  });

  it("a running campaign: plan flags all but the abandonment threshold before any write", async () => {
    const base = await genesysSim();
    const running = managed(base).find((c) => c.dialingMode === "predictive");
    const runningId = running?.id;
    if (!runningId) throw new Error("no predictive campaign");
    const perAgent = running?.maxCallsPerAgent === 3 ? 2 : 3;
    const sim = await genesysSim({ runningCampaignIds: [runningId] });
    const platform = driver(sim);
    const p = await plan(
      platform,
      `${HEADER}campaigns:\n  - id: "${runningId}"\n    dialingRules: {maxCallsPerAgent: ${perAgent}, dialingMethod: POWER}\n`,
    );
    const c = p.campaigns[0];
    expect(c?.status).toBe("invalid");
    expect(
      c?.findings
        .filter((f) => f.code === "CAMPAIGN_RUNNING")
        .map((f) => f.path)
        .sort(),
    ).toEqual(["dialingRules.dialingMethod", "dialingRules.maxCallsPerAgent"]);
    const ok = await plan(
      platform,
      `${HEADER}campaigns:\n  - id: "${runningId}"\n    dialingRules: {abandonmentRateThreshold: {maxRate: 0.015, coolDownSec: 0}}\n`,
    );
    expect(ok.campaigns[0]?.status).toBe("change");
    const { result } = await apply(platform, ok);
    expect(result.results[0]?.outcome).toBe("applied");
    expect(sim.getCampaign(runningId)).toMatchObject({ abandonRate: 1.5, campaignStatus: "on" });
  });

  it("agentless and external campaigns are listed as not managed and never written", async () => {
    const sim = await genesysSim();
    const platform = driver(sim);
    const agentless = sim.listCampaigns().find((c) => c.dialingMode === "agentless");
    if (!agentless) throw new Error("no agentless campaign");
    const p = await plan(
      platform,
      `${HEADER}campaigns:\n  - id: "${agentless.id}"\n    dialingRules: {maxCallsPerAgent: 2}\n  - match: "*"\n    dialingRules: {maxCallsPerAgent: 2}\n`,
    );
    expect(p.notManaged?.map((c) => c.id)).toContain(agentless.id);
    expect(p.notManaged?.some((c) => /external/.test(c.reason))).toBe(true);
    expect(p.campaigns.map((c) => c.id)).not.toContain(agentless.id);
    expect(p.findings.find((f) => f.code === "CAMPAIGN_NOT_MANAGED")?.severity).toBe("warning");
    expect(p.findings.find((f) => f.code === "TARGET_ID_NOT_FOUND")).toBeUndefined();
  });

  it("organisation settings: the calls-per-agent ceiling refuses, ALL_CALLS warns", async () => {
    const sim = await genesysSim({ maxConfigurableCallsPerAgent: 4 });
    const platform = driver(sim);
    const target = managed(sim).find((c) => c.dialingMode === "power");
    const p = await plan(
      platform,
      `${HEADER}campaigns:\n  - id: "${target?.id}"\n    dialingRules: {maxCallsPerAgent: 5}\n`,
    );
    expect(p.campaigns[0]?.findings.map((f) => f.code)).toContain("PLATFORM_CANNOT_STORE");
    expect(p.findings.map((f) => f.code)).toContain("GENESYS_ABANDON_DENOMINATOR");
  });
});
