/**
 * The genesys mapping as pure functions, with literal expected values (never computed by the code under test):
 * status, what is not managed, reading rules, refusals and the PUT bodies.
 */
import { describe, expect, it } from "vitest";
import {
  attemptLimitsBody,
  campaignBody,
  isRunning,
  notManagedReason,
  refusalsOf,
  retryOf,
  revisionOf,
  type Snapshot,
  statusOf,
  toDialingRules,
} from "../../src/platform/genesys/mapping.js";
import type { GenesysAttemptLimits, GenesysCampaign } from "../../src/platform/genesys/schemas.js";

const CAMPAIGN: GenesysCampaign = {
  id: "c1",
  name: "Survey",
  version: 3,
  campaignStatus: "off",
  dialingMode: "predictive",
  abandonRate: 2.9,
  maxCallsPerAgent: 2,
};
const LIMITS: GenesysAttemptLimits = {
  id: "al",
  version: 5,
  maxAttemptsPerContact: 4,
  recallEntries: {
    busy: { nbrAttempts: 3, minutesBetweenAttempts: 20 },
    noAnswer: { nbrAttempts: 0, minutesBetweenAttempts: 2 },
  },
};
const snapshot = (
  campaign: Partial<GenesysCampaign> = {},
  limits: GenesysAttemptLimits = LIMITS,
): Snapshot => ({
  campaign: { ...CAMPAIGN, ...campaign },
  contactListId: "cl",
  attemptLimits: limits,
});

describe("genesys reading", () => {
  it("status: on, stopping and forced_stopping dial; the rest do not", () => {
    for (const s of ["on", "stopping", "forced_stopping"]) expect(statusOf(s)).toBe("ACTIVE");
    for (const s of ["off", "complete", "invalid", "forced_off"]) expect(statusOf(s)).toBe("STOPPED");
    expect(isRunning({ ...CAMPAIGN, campaignStatus: "on" })).toBe(true);
    expect(isRunning(CAMPAIGN)).toBe(false);
  });

  it("leaves agentless, external and unknown modes alone, saying why", () => {
    expect(notManagedReason({ ...CAMPAIGN, dialingMode: "agentless" })).toBe(
      "agentless campaign: no agents, so no calls per agent or abandonment to govern",
    );
    expect(notManagedReason({ ...CAMPAIGN, dialingMode: "external" })).toBe(
      "external campaign: dialing is done by another system",
    );
    expect(notManagedReason({ ...CAMPAIGN, dialingMode: "blended" })).toBe(
      'dialing mode "blended" is not one dialrules knows',
    );
    expect(notManagedReason(CAMPAIGN)).toBeUndefined();
  });

  it("retries: attempts per contact − 1, spaced by the shortest interval of an outcome that recalls", () => {
    expect(retryOf(LIMITS)).toEqual({ maxAttempts: 3, intervalMinutes: [20, 40, 60] });
    expect(retryOf(undefined)).toEqual({ maxAttempts: 0, intervalMinutes: [] });
    expect(retryOf({ id: "x", version: 1, maxAttemptsPerNumber: 3 })).toEqual({
      maxAttempts: 2,
      intervalMinutes: [5, 10],
    });
    expect(retryOf({ id: "x", version: 1 })).toEqual({ maxAttempts: 0, intervalMinutes: [] });
    expect(
      retryOf({
        id: "x",
        version: 1,
        maxAttemptsPerContact: 2,
        recallEntries: { fax: { minutesBetweenAttempts: 0 } },
      }),
    ).toEqual({ maxAttempts: 1, intervalMinutes: [5] });
    // Several recalling outcomes: the shortest interval wins (the densest schedule Genesys may use).
    expect(
      retryOf({
        id: "x",
        version: 1,
        maxAttemptsPerContact: 3,
        recallEntries: { busy: { minutesBetweenAttempts: 30 }, fax: { minutesBetweenAttempts: 10 } },
      }),
    ).toEqual({ maxAttempts: 2, intervalMinutes: [10, 20] });
  });

  it("rules: mode, percent as a fraction, calls per agent (or the decimal rounded up)", () => {
    expect(toDialingRules(snapshot())).toEqual({
      dialingMethod: "PREDICTIVE",
      retrySettings: { maxAttempts: 3, intervalMinutes: [20, 40, 60] },
      abandonmentRateThreshold: { maxRate: 0.029, coolDownSec: 0 },
      maxCallsPerAgent: 2,
    });
    const preview = toDialingRules(
      snapshot({
        dialingMode: "preview",
        abandonRate: undefined,
        maxCallsPerAgent: undefined,
        maxCallsPerAgentDecimal: 1.5,
      }),
    );
    expect(preview).toMatchObject({
      dialingMethod: "PREVIEW",
      abandonmentRateThreshold: { maxRate: 0, coolDownSec: 0 },
      maxCallsPerAgent: 2,
    });
    expect(toDialingRules(snapshot({ maxCallsPerAgent: undefined })).maxCallsPerAgent).toBe(1);
    expect(toDialingRules(snapshot({ dialingMode: "power" })).dialingMethod).toBe("POWER");
    expect(toDialingRules(snapshot({ dialingMode: "progressive" })).dialingMethod).toBe("PROGRESSIVE");
    // A mode dialrules does not manage is never planned; read anyway, it shows as the least dialing method.
    expect(toDialingRules(snapshot({ dialingMode: "agentless" })).dialingMethod).toBe("PREVIEW");
  });

  it("revision: changes with the campaign's version and with which attempt limits, at which version", () => {
    const base = revisionOf(snapshot());
    expect(Number.isSafeInteger(base)).toBe(true);
    expect(revisionOf(snapshot())).toBe(base);
    expect(revisionOf(snapshot({ version: 4 }))).not.toBe(base);
    expect(revisionOf(snapshot({}, { ...LIMITS, version: 6 }))).not.toBe(base);
    expect(revisionOf(snapshot({}, { ...LIMITS, id: "other" }))).not.toBe(base);
    expect(revisionOf({ ...snapshot(), attemptLimits: undefined })).not.toBe(base);
    expect(revisionOf({ ...snapshot(), contactListId: undefined })).not.toBe(base);
  });
});

describe("genesys writing", () => {
  it("refuses what Genesys cannot hold, with the field and advice", () => {
    expect(
      refusalsOf(
        {
          abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 30 },
          maxCallsPerAgent: 7,
          retrySettings: { maxAttempts: 2, intervalMinutes: [3, 6] },
        },
        { maxConfigurableCallsPerAgent: 6 },
      ),
    ).toEqual([
      {
        field: "abandonmentRateThreshold.coolDownSec",
        message:
          "Genesys Cloud campaigns have no abandonment cool-down; set coolDownSec to 0 for genesys campaigns (got 30)",
      },
      {
        field: "maxCallsPerAgent",
        message:
          "the organisation allows at most 6 calls per agent (outbound settings, maxConfigurableCallsPerAgent); got 7",
      },
      {
        field: "retrySettings.intervalMinutes",
        message: "Genesys Cloud needs at least 5 minutes between attempts; got 3",
      },
    ]);
    expect(
      refusalsOf(
        { maxCallsPerAgent: 6, retrySettings: { maxAttempts: 1, intervalMinutes: [5] } },
        { maxConfigurableCallsPerAgent: 6 },
      ),
    ).toEqual([]);
    expect(
      refusalsOf(
        { dialingMethod: "POWER" },
        { snapshot: snapshot({ dialingMode: "preview", abandonRate: undefined }) },
      ),
    ).toEqual([
      {
        field: "abandonmentRateThreshold",
        message:
          "Genesys Cloud needs an abandon rate for power campaigns and this campaign has none; set abandonmentRateThreshold too",
      },
    ]);
    expect(
      refusalsOf({ dialingMethod: "PREVIEW" }, { snapshot: snapshot({ abandonRate: undefined }) }),
    ).toEqual([]);
    // Predictive needs one too; an abandon rate written with the method satisfies it; no campaign, no check.
    expect(
      refusalsOf({ dialingMethod: "PREDICTIVE" }, { snapshot: snapshot({ abandonRate: undefined }) }).map(
        (r) => r.field,
      ),
    ).toEqual(["abandonmentRateThreshold"]);
    expect(
      refusalsOf(
        { dialingMethod: "POWER", abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 0 } },
        { snapshot: snapshot({ abandonRate: undefined }) },
      ),
    ).toEqual([]);
    expect(refusalsOf({ dialingMethod: "POWER" }, {})).toEqual([]);
    expect(
      refusalsOf(
        { retrySettings: { maxAttempts: 1, intervalMinutes: [30] } },
        { snapshot: { ...snapshot(), attemptLimits: undefined } },
      ),
    ).toEqual([
      {
        field: "retrySettings",
        message:
          "the campaign's contact list has no attempt limits, where Genesys Cloud keeps retries; assign attempt limits to the contact list in Genesys first",
      },
    ]);
    expect(refusalsOf({ retrySettings: { maxAttempts: 2, intervalMinutes: [30, 45] } }, {})).toEqual([
      {
        field: "retrySettings.intervalMinutes",
        message:
          "Genesys Cloud attempt limits hold one interval between attempts (minutesBetweenAttempts), so only evenly spaced retries [d, 2d, 3d, …] can be written exactly; got [30, 45]",
      },
    ]);
  });

  it("campaign body: only the managed fields replaced; undefined when nothing changes", () => {
    expect(
      campaignBody(CAMPAIGN, {
        dialingMethod: "POWER",
        abandonmentRateThreshold: { maxRate: 0.0295, coolDownSec: 0 },
      }),
    ).toEqual({
      ...CAMPAIGN,
      dialingMode: "power",
      abandonRate: 2.95,
    });
    expect(campaignBody({ ...CAMPAIGN, maxCallsPerAgentDecimal: 2 }, { maxCallsPerAgent: 3 })).toEqual({
      ...CAMPAIGN,
      maxCallsPerAgent: 3,
      maxCallsPerAgentDecimal: 3,
    });
    expect(campaignBody(CAMPAIGN, { maxCallsPerAgent: 3 })).not.toHaveProperty("maxCallsPerAgentDecimal");
    expect(campaignBody(CAMPAIGN, { maxCallsPerAgent: 2, dialingMethod: "PREDICTIVE" })).toBeUndefined();
    expect(campaignBody(CAMPAIGN, { dialingMethod: { oneOf: ["POWER", "PREVIEW"] } })).toBeUndefined();
    expect(campaignBody(CAMPAIGN, { dialingMethod: "PREVIEW" })).toEqual({
      ...CAMPAIGN,
      dialingMode: "preview",
    });
  });

  it("attempt-limits body: every outcome recalls d apart, or none recalls for no retries", () => {
    expect(attemptLimitsBody(LIMITS, { maxAttempts: 2, intervalMinutes: [15, 30] })).toEqual({
      ...LIMITS,
      maxAttemptsPerContact: 3,
      recallEntries: {
        busy: { nbrAttempts: 2, minutesBetweenAttempts: 15 },
        noAnswer: { nbrAttempts: 2, minutesBetweenAttempts: 15 },
        answeringMachine: { nbrAttempts: 2, minutesBetweenAttempts: 15 },
        fax: { nbrAttempts: 2, minutesBetweenAttempts: 15 },
      },
    });
    expect(attemptLimitsBody(LIMITS, { maxAttempts: 0, intervalMinutes: [] })).toEqual({
      ...LIMITS,
      maxAttemptsPerContact: 1,
      recallEntries: {
        busy: { nbrAttempts: 0, minutesBetweenAttempts: 20 },
        noAnswer: { nbrAttempts: 0, minutesBetweenAttempts: 2 },
      },
    });
    const bare = { id: "b", version: 1, maxAttemptsPerContact: 1 };
    // Limits without recall entries get them when retries are written.
    expect(attemptLimitsBody(bare, { maxAttempts: 1, intervalMinutes: [10] })?.recallEntries).toEqual({
      busy: { nbrAttempts: 1, minutesBetweenAttempts: 10 },
      noAnswer: { nbrAttempts: 1, minutesBetweenAttempts: 10 },
      answeringMachine: { nbrAttempts: 1, minutesBetweenAttempts: 10 },
      fax: { nbrAttempts: 1, minutesBetweenAttempts: 10 },
    });
    expect(attemptLimitsBody(bare, { maxAttempts: 0, intervalMinutes: [] })).toBeUndefined();
    expect(
      attemptLimitsBody({ ...bare, recallEntries: {} }, { maxAttempts: 0, intervalMinutes: [] }),
    ).toBeUndefined();
  });
});
