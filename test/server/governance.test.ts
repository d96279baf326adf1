/**
 * Issue 13 §1-2: the server's policy is a floor one person cannot talk their way under, risk is judged on
 * what a change does, four-eyes compares people, and the hash-chained audit record (and the webhooks) say
 * which change, who asked and who approved. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeRequest } from "../../src/server/contract.js";
import { createTokenStore } from "../../src/server/tokens/token-store.js";
import type { AuditRecord } from "../../src/store/types.js";
import { KINDS } from "../store/databases.js";
import { type Person, startTestService, type TestService } from "./harness.js";

/** The server's floor: US TCPA and Regulation F under a STANDARD licence. */
const POLICY = "profiles: [US_TCPA, US_REG_F]\nlicenseTier: STANDARD\ncampaigns: []\n";

describe.each(KINDS)("governance on %s", (kind) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(kind, { policy: POLICY });
  });
  afterAll(() => t?.close());

  const post = (who: Person, rules: unknown, reason = "test") =>
    t.call(who, {
      method: "POST",
      url: "/api/v1/changes",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ rules, reason }),
    });
  const act = (who: Person, id: string, action: "approve" | "apply") =>
    t.call(who, { method: "POST", url: `/api/v1/changes/${id}/${action}` });

  it("refuses a change that breaks the server's floor, whatever profiles it names (422 with findings, nothing stored)", async () => {
    const before = await t.count("change_requests");
    const res = await post("operator", {
      profiles: [],
      campaigns: [
        {
          id: "CMP-10002",
          dialingRules: {
            retrySettings: { maxAttempts: 10, intervalMinutes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
          },
        },
      ],
    });
    expect(res.statusCode, res.body).toBe(422);
    const p = res.json();
    expect(p.code).toBe("policy_floor");
    expect(p.errors.length).toBeGreaterThan(0);
    expect(p.errors.every((e: { path: string }) => e.path.startsWith("CMP-10002."))).toBe(true);
    expect(await t.count("change_requests")).toBe(before);
  });

  it("takes the licence tier from the server, never from the request", async () => {
    const res = await post("operator", {
      profiles: ["US_TCPA"],
      licenseTier: "ENTERPRISE",
      campaigns: [{ id: "CMP-10002", dialingRules: { dialingMethod: "PREDICTIVE" } }],
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors.map((e: { code: string }) => e.code)).toContain(
      "LICENSE_PREDICTIVE_REQUIRES_ENTERPRISE",
    );
  });

  it("lets an override with a reason through the floor, always as high risk needing a second person", async () => {
    const rate = { maxRate: 0.04, coolDownSec: 300 };
    const without = await post("operator", {
      profiles: [],
      campaigns: [{ id: "CMP-10002", dialingRules: { abandonmentRateThreshold: rate } }],
    });
    expect(without.statusCode).toBe(422);
    const withOverride = await post("approver", {
      profiles: [],
      overrides: [{ limit: "maxAbandonmentRate", value: 0.04, reason: "regulator waiver 2026-17" }],
      campaigns: [{ id: "CMP-10002", dialingRules: { abandonmentRateThreshold: rate } }],
    });
    expect(withOverride.statusCode, withOverride.body).toBe(201);
    const change = withOverride.json() as ChangeRequest;
    expect(change).toMatchObject({ state: "pending_approval", risk: "high" });
    expect(change.riskReasons).toContain("overrides: maxAbandonmentRate = 0.04 (regulator waiver 2026-17)");
    expect((await act("approver", change.id, "approve")).statusCode).toBe(403);
    expect((await act("approver", change.id, "apply")).statusCode).toBe(409);
  });

  it("rates more attempts, shorter intervals and any method switch as high risk", async () => {
    const current = t.sim.getCampaign("CMP-10002")?.dialingRules;
    expect(current).toMatchObject({ dialingMethod: "PROGRESSIVE", retrySettings: { maxAttempts: 2 } });
    const cases: [unknown, RegExp][] = [
      [{ retrySettings: { maxAttempts: 3, intervalMinutes: [15, 480, 600] } }, /maxAttempts raised 2 → 3/],
      [
        { retrySettings: { maxAttempts: 2, intervalMinutes: [10, 480] } },
        /intervalMinutes\[0\] shortened 15 → 10/,
      ],
      [{ dialingMethod: "PREVIEW", maxCallsPerAgent: 1 }, /dialingMethod PROGRESSIVE → PREVIEW/],
    ];
    for (const [dialingRules, reason] of cases) {
      const res = await post("operator", { profiles: [], campaigns: [{ id: "CMP-10002", dialingRules }] });
      expect(res.statusCode, res.body).toBe(201);
      const change = res.json() as ChangeRequest;
      expect(change.risk, JSON.stringify(dialingRules)).toBe("high");
      expect(change.riskReasons.join("\n")).toMatch(reason);
    }
  });

  it("stores a plan with invalid campaigns as invalid (its own stricter limits), never approved", async () => {
    const res = await post("operator", {
      profiles: [],
      limits: { maxCallsPerAgent: 1 },
      campaigns: [{ id: "CMP-10002", dialingRules: { maxCallsPerAgent: 2 } }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ state: "invalid" });
  });

  it("four-eyes compares people: another spelling of the requester's name cannot approve", async () => {
    const tokens = createTokenStore(t.sdb);
    const lead = (await tokens.create("ops-lead", "approver")).token;
    // A second person with another spelling of the same name cannot be created…
    for (const name of ["Ops-Lead", "ＯＰＳ-ＬＥＡＤ", "OPS-LEAD "]) {
      await expect(tokens.create(name, "approver")).rejects.toMatchObject({ code: "token_name_taken" });
    }
    // (the same spelling is the same person's second token, stored trimmed)
    expect((await tokens.create(" ops-lead ", "operator")).info.name).toBe("ops-lead");
    // …and one that predates the rule (a row written directly) is still the same person.
    const legacy = (await tokens.create("legacy-tmp", "approver")).token;
    await t.sdb.db
      .updateTable("api_tokens")
      .set({ name: "Ops-Lead " })
      .where("name", "=", "legacy-tmp")
      .execute();
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const created = await t.call(undefined, {
      method: "POST",
      url: "/api/v1/changes",
      headers: { ...bearer(lead), "content-type": "application/json" },
      payload: JSON.stringify({
        reason: "higher abandonment ceiling for CMP-10006",
        rules: {
          profiles: [],
          campaigns: [
            {
              id: "CMP-10006",
              dialingRules: { abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 900 } },
            },
          ],
        },
      }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const change = created.json() as ChangeRequest;
    expect(change.state).toBe("pending_approval");
    const self = await t.call(undefined, {
      method: "POST",
      url: `/api/v1/changes/${change.id}/approve`,
      headers: bearer(legacy),
    });
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe("four_eyes");
  });

  it("puts the change, its requester and approvers in the hash chain, with webhook events for waiting and deciding", async () => {
    const res = await post(
      "operator",
      {
        profiles: [],
        campaigns: [{ id: "CMP-10006", dialingRules: { maxCallsPerAgent: 2, dialingMethod: "PROGRESSIVE" } }],
      },
      "progressive for CMP-10006",
    );
    expect(res.statusCode, res.body).toBe(201);
    const change = res.json() as ChangeRequest;
    expect(change.state).toBe("pending_approval");
    expect((await act("approver2", change.id, "approve")).statusCode).toBe(200);
    expect((await act("operator", change.id, "apply")).statusCode).toBe(202);
    await t.waitForJob(change.id);
    // (re-read: the job view and the change row are two reads)
    expect(
      (await t.call("viewer", { method: "GET", url: `/api/v1/changes/${change.id}` })).json().state,
    ).toBe("applied");

    const audit = (
      await t.call("viewer", { method: "GET", url: "/api/v1/audit?limit=1000" })
    ).json() as AuditRecord[];
    const mine = audit.filter((r) => r.changeId === change.id);
    expect(mine.map((r) => r.outcome)).toEqual(
      expect.arrayContaining(["change_pending_approval", "change_approved", "applied"]),
    );
    for (const r of mine) expect(r).toMatchObject({ changeId: change.id, requester: "olga" });
    expect(mine.find((r) => r.outcome === "applied")).toMatchObject({
      approvers: ["bob"],
      campaignId: "CMP-10006",
    });
    expect(mine.find((r) => r.outcome === "change_pending_approval")?.approvers).toEqual([]);
    expect((await t.call("viewer", { method: "GET", url: "/api/v1/audit/verify" })).json()).toMatchObject({
      ok: true,
    });

    const events = await t.sdb.db.selectFrom("outbox").select(["event_type", "payload"]).execute();
    const types = events.filter((e) => e.payload.includes(change.id)).map((e) => e.event_type);
    expect(types).toEqual(
      expect.arrayContaining(["change.pending_approval", "change.approved", "campaign.rules.applied"]),
    );

    // Rejection is a decision too.
    const other = (
      await post("operator", {
        profiles: [],
        campaigns: [{ id: "CMP-10006", dialingRules: { maxCallsPerAgent: 3 } }],
      })
    ).json() as ChangeRequest;
    const rejected = await t.call("approver", {
      method: "POST",
      url: `/api/v1/changes/${other.id}/reject`,
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ reason: "not in peak season" }),
    });
    expect(rejected.statusCode).toBe(200);
    const after = (await t.sdb.db.selectFrom("outbox").select(["event_type", "payload"]).execute()).filter(
      (e) => e.payload.includes(other.id),
    );
    expect(after.map((e) => e.event_type)).toContain("change.rejected");
  });
});
