/**
 * The JSON API against a real store (SQLite and PostgreSQL) and a real simulator: authentication and roles
 * on every route, four-eyes, strict body validation with nothing written, apply jobs to completion with
 * their audit records.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeRequest } from "../../src/server/contract.js";
import type { AuditRecord } from "../../src/store/types.js";
import { KINDS } from "../store/databases.js";
import { createChange, json, type Person, rules, startTestService, type TestService } from "./harness.js";

/** Fewer lines per agent, same method: the only kind of change that is low risk. */
const LOW = rules("  - id: CMP-10002\n    dialingRules: {maxCallsPerAgent: 1}\n");
const HIGH = rules("  - id: CMP-10004\n    dialingRules: {dialingMethod: POWER, maxCallsPerAgent: 2}\n");
/** Within the server's floor, but over the change's own `limits:`: stored as invalid. */
const INVALID = rules(
  "  - id: CMP-10002\n    dialingRules: {maxCallsPerAgent: 2}\n",
  "profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\nlimits: {maxCallsPerAgent: 1}\n",
);

describe.each(KINDS)("service API on %s", (kind) => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTestService(kind);
  });
  afterAll(async () => {
    await s?.close();
  });

  const create = (who: Person, text: string, reason?: string) => createChange(s, who, text, reason);

  it("refuses every API route without a valid token (401 problem, WWW-Authenticate)", async () => {
    const routes: [string, string][] = [
      ["GET", "/api/v1/info"],
      ["GET", "/api/v1/changes"],
      ["POST", "/api/v1/changes"],
      ["GET", "/api/v1/changes/chg_x"],
      ["POST", "/api/v1/changes/chg_x/approve"],
      ["POST", "/api/v1/changes/chg_x/reject"],
      ["POST", "/api/v1/changes/chg_x/apply"],
      ["GET", "/api/v1/campaigns"],
      ["GET", "/api/v1/audit"],
      ["GET", "/api/v1/audit/verify"],
      ["GET", "/api/v1/webhooks/status"],
    ];
    for (const [method, url] of routes) {
      for (const authorization of [undefined, "Bearer drt_not-a-real-token", "Basic abc", "Bearer "]) {
        const res = await s.app.inject({
          method: method as "GET",
          url,
          headers: authorization ? { authorization } : {},
        });
        expect(res.statusCode, `${method} ${url} ${authorization}`).toBe(401);
        expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
        expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
        const p = res.json();
        expect(p).toMatchObject({
          status: 401,
          instance: url,
          type: expect.stringMatching(/^urn:dialrules:problem:/),
        });
      }
    }
  });

  it("enforces roles per route (403 before the body is even validated)", async () => {
    const cases: [Person, string, string, unknown, number][] = [
      ["viewer", "POST", "/api/v1/changes", { rules: LOW, reason: "x" }, 403],
      ["viewer", "POST", "/api/v1/changes", { bogus: true }, 403],
      ["viewer", "POST", "/api/v1/changes/chg_x/apply", {}, 403],
      ["viewer", "POST", "/api/v1/changes/chg_x/approve", {}, 403],
      ["viewer", "POST", "/api/v1/changes/chg_x/reject", { reason: "no" }, 403],
      ["operator", "POST", "/api/v1/changes/chg_x/approve", {}, 403],
      ["operator", "POST", "/api/v1/changes/chg_x/reject", { reason: "no" }, 403],
      ["operator", "POST", "/api/v1/changes/chg_x/apply", {}, 404],
      ["approver", "POST", "/api/v1/changes/chg_x/approve", {}, 404],
    ];
    for (const [who, method, url, body, status] of cases) {
      const res = await s.call(who, { method: method as "POST", url, ...json(body) });
      expect(res.statusCode, `${who} ${method} ${url}: ${res.body}`).toBe(status);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    }
    for (const url of [
      "/api/v1/changes",
      "/api/v1/campaigns",
      "/api/v1/audit",
      "/api/v1/audit/verify",
      "/api/v1/webhooks/status",
      "/api/v1/info",
    ]) {
      expect((await s.call("viewer", { method: "GET", url })).statusCode, url).toBe(200);
    }
    expect(await s.count("change_requests")).toBe(0);
  });

  it("rejects bad bodies with problem details and writes nothing (no change row, no platform request)", async () => {
    const before = s.sim.log.length;
    const rows = await s.count("change_requests");
    const bad: [unknown, string | RegExp][] = [
      [{ rules: 5, reason: "x" }, "body.rules"],
      [{ rules: LOW, reason: 7 }, "body.reason"],
      [{ rules: LOW }, "body.reason"],
      [{ rules: LOW, reason: "x", actor: "mallory" }, "body.actor"],
      [{ rules: LOW, reason: "" }, "body.reason"],
      [[], "body"],
      ["just a string", "body"],
    ];
    for (const [body, path] of bad) {
      const res = await s.call("operator", { method: "POST", url: "/api/v1/changes", ...json(body) });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
      const p = res.json();
      expect(p).toMatchObject({
        status: 400,
        code: "validation_failed",
        title: "Bad request",
        instance: "/api/v1/changes",
      });
      expect(p.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    // Huge body: refused while reading it.
    const huge = await s.call("operator", {
      method: "POST",
      url: "/api/v1/changes",
      ...json({ rules: `# ${"x".repeat(300 * 1024)}\n${LOW}`, reason: "big" }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ status: 413, code: "body_too_large" });
    // Not JSON at all.
    const text = await s.call("operator", {
      method: "POST",
      url: "/api/v1/changes",
      headers: { "content-type": "text/plain" },
      payload: "hello",
    });
    expect(text.statusCode).toBe(415);
    const broken = await s.call("operator", {
      method: "POST",
      url: "/api/v1/changes",
      headers: { "content-type": "application/json" },
      payload: "{",
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers["content-type"]).toMatch(/^application\/problem\+json/);
    // A rules file that does not parse: 400 with field paths and lines, before any platform request.
    const rulesBad = await s.call("operator", {
      method: "POST",
      url: "/api/v1/changes",
      ...json({
        rules: "profiles: []\ncampaigns:\n  - id: CMP-1\n    dialingRules: {dialingMethod: TURBO}\n",
        reason: "x",
      }),
    });
    expect(rulesBad.statusCode).toBe(400);
    const rp = rulesBad.json();
    expect(rp.code).toBe("rules_invalid");
    expect(rp.errors.length).toBeGreaterThan(0);
    expect(
      rp.errors.some(
        (e: { path: string; line?: number }) => e.path.includes("dialingMethod") && e.line === 4,
      ),
    ).toBe(true);
    // Bad query and params.
    expect((await s.call("viewer", { method: "GET", url: "/api/v1/audit?limit=abc" })).statusCode).toBe(400);
    expect((await s.call("viewer", { method: "GET", url: "/api/v1/audit?limit=0" })).statusCode).toBe(400);
    expect(
      (await s.call("viewer", { method: "GET", url: "/api/v1/audit?nope=1" })).json().errors[0].path,
    ).toBe("query.nope");
    expect((await s.call("viewer", { method: "GET", url: "/api/v1/changes/bad%20id" })).statusCode).toBe(400);
    expect((await s.call("viewer", { method: "GET", url: "/api/v1/campaigns?x=1" })).statusCode).toBe(400);
    expect(await s.count("change_requests")).toBe(rows);
    expect(s.sim.log.length).toBe(before);
  });

  it("lets an operator request and apply a low-risk change; the job reports progress and the audit names them", async () => {
    const change = await create("operator", LOW, "one line per agent on CMP-10002");
    expect(change).toMatchObject({ state: "approved", risk: "low", riskReasons: [], requestedBy: "olga" });
    expect(change.plan.summary).toMatchObject({ toChange: 1, invalid: 0 });
    const started = await s.call("operator2", { method: "POST", url: `/api/v1/changes/${change.id}/apply` });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.headers.location).toBe(`/api/v1/changes/${change.id}`);
    expect(started.json().state).toBe("applying");
    const done = await s.waitForJob(change.id);
    expect(done.state).toBe("applied");
    expect(done.job).toMatchObject({
      state: "done",
      startedBy: "oscar",
      progress: { done: 1, total: 1, counts: { applied: 1 } },
    });
    expect(done.job?.results[0]).toMatchObject({ id: "CMP-10002", outcome: "applied", writes: 1 });
    expect(s.sim.getCampaign("CMP-10002")?.dialingRules).toMatchObject({
      dialingMethod: "PROGRESSIVE",
      maxCallsPerAgent: 1,
    });
    const audit = (
      await s.call("viewer", { method: "GET", url: "/api/v1/audit?campaign=CMP-10002" })
    ).json() as AuditRecord[];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: "oscar",
      reason: "one line per agent on CMP-10002",
      outcome: "applied",
      runId: done.job?.id,
    });
    // The campaign's record and the run's summary.
    expect((await s.call("viewer", { method: "GET", url: "/api/v1/audit/verify" })).json()).toEqual({
      ok: true,
      count: 2,
    });
    // Applied once: a second apply is a conflict, not a second write.
    const again = await s.call("operator", { method: "POST", url: `/api/v1/changes/${change.id}/apply` });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("change_not_approved");
    // The campaign list shows the last audit record.
    const campaigns = (
      (await s.call("viewer", { method: "GET", url: "/api/v1/campaigns" })).json() as {
        items: { campaign: { id: string }; lastAudit?: AuditRecord; compliant: boolean }[];
      }
    ).items;
    expect(campaigns).toHaveLength(30);
    expect(campaigns.find((c) => c.campaign.id === "CMP-10002")?.lastAudit?.id).toBe(audit[0]?.id);
  });

  it("four-eyes: a high-risk change needs an approver other than its requester", async () => {
    const mine = await create("approver", HIGH, "power dialing for CMP-10004");
    expect(mine.state).toBe("pending_approval");
    expect(mine.risk).toBe("high");
    expect(mine.riskReasons).toEqual(
      expect.arrayContaining([expect.stringContaining("CMP-10004: dialingMethod PREVIEW → POWER")]),
    );
    // Not applicable before approval, by anyone.
    const early = await s.call("approver", { method: "POST", url: `/api/v1/changes/${mine.id}/apply` });
    expect(early.statusCode).toBe(409);
    const self = await s.call("approver", { method: "POST", url: `/api/v1/changes/${mine.id}/approve` });
    expect(self.statusCode).toBe(403);
    expect(self.json().code).toBe("four_eyes");
    const byOperator = await s.call("operator", {
      method: "POST",
      url: `/api/v1/changes/${mine.id}/approve`,
    });
    expect(byOperator.statusCode).toBe(403);
    const second = await s.call("approver2", {
      method: "POST",
      url: `/api/v1/changes/${mine.id}/approve`,
      ...json({}),
    });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ state: "approved", approvedBy: "bob" });
    expect(
      (await s.call("approver2", { method: "POST", url: `/api/v1/changes/${mine.id}/approve` })).statusCode,
    ).toBe(409);
    expect(
      (await s.call("operator", { method: "POST", url: `/api/v1/changes/${mine.id}/apply` })).statusCode,
    ).toBe(202);
    const done = await s.waitForJob(mine.id);
    expect(done.state).toBe("applied");
    expect(s.sim.getCampaign("CMP-10004")?.dialingRules.dialingMethod).toBe("POWER");
  });

  it("classifies overrides and raised limits as high risk", async () => {
    const raised = await create(
      "operator",
      rules(
        "  - id: CMP-10002\n    dialingRules: {abandonmentRateThreshold: {maxRate: 0.03, coolDownSec: 300}}\n",
      ),
    );
    expect(raised.risk).toBe("high");
    expect(raised.riskReasons).toEqual(["CMP-10002: abandonmentRateThreshold.maxRate raised 0.02 → 0.03"]);
    const overrides = await create(
      "operator",
      rules(
        "  - id: CMP-10006\n    dialingRules: {dialingMethod: PREVIEW, maxCallsPerAgent: 1}\n",
        "profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\noverrides:\n  - limit: maxAbandonmentRate\n    value: 0.04\n    reason: regulator waiver 2026-17\n",
      ),
    );
    expect(overrides.risk).toBe("high");
    expect(overrides.riskReasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/^overrides: maxAbandonmentRate/)]),
    );
  });

  it("rejects: approver only, with a reason; a rejected change cannot be applied", async () => {
    const change = await create("operator", HIGH);
    const noReason = await s.call("approver", {
      method: "POST",
      url: `/api/v1/changes/${change.id}/reject`,
      ...json({}),
    });
    expect(noReason.statusCode).toBe(400);
    const rejected = await s.call("approver", {
      method: "POST",
      url: `/api/v1/changes/${change.id}/reject`,
      ...json({ reason: "not in peak season" }),
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({
      state: "rejected",
      rejectedBy: "alice",
      rejectionReason: "not in peak season",
    });
    expect(
      (await s.call("operator", { method: "POST", url: `/api/v1/changes/${change.id}/apply` })).statusCode,
    ).toBe(409);
  });

  it("stores a plan with invalid campaigns as invalid: never approvable, never applied (422)", async () => {
    const change = await create("operator", INVALID);
    expect(change.plan.summary.invalid).toBe(1);
    expect(change.state).toBe("invalid");
    const before = s.sim.log.filter((e) => e.method === "PATCH").length;
    const res = await s.call("operator", { method: "POST", url: `/api/v1/changes/${change.id}/apply` });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: "change_not_approved", status: 409 });
    const approve = await s.call("approver", { method: "POST", url: `/api/v1/changes/${change.id}/approve` });
    expect(approve.statusCode).toBe(409);
    expect(s.sim.log.filter((e) => e.method === "PATCH").length).toBe(before);
    expect(
      (await s.call("viewer", { method: "GET", url: `/api/v1/changes/${change.id}` })).json().state,
    ).toBe("invalid");
  });

  it("lists changes, reads one, 404s unknown ones", async () => {
    const list = (
      await s.call("viewer", { method: "GET", url: "/api/v1/changes" })
    ).json() as ChangeRequest[];
    expect(list.length).toBeGreaterThan(3);
    const first = list[0] as ChangeRequest;
    const one = await s.call("viewer", { method: "GET", url: `/api/v1/changes/${first.id}` });
    expect(one.json().id).toBe(first.id);
    const missing = await s.call("viewer", { method: "GET", url: "/api/v1/changes/chg_nope" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe("change_not_found");
  });

  it("serves probes, metrics, webhook status, problem 404s and no CORS headers", async () => {
    expect((await s.app.inject({ method: "GET", url: "/healthz" })).json()).toEqual({ status: "ok" });
    const ready = await s.app.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ database: true, platform: true });
    const metrics = await s.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain/);
    expect(metrics.body).toContain("dialrules_update_outcomes_total");
    const hooks = await s.call("viewer", { method: "GET", url: "/api/v1/webhooks/status" });
    expect(hooks.json()).toMatchObject({ configured: false, stats: { pending: expect.any(Number) } });
    const nowhere = await s.call("viewer", { method: "GET", url: "/api/v1/nowhere" });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.headers["content-type"]).toMatch(/^application\/problem\+json/);
    const cors = await s.call("viewer", {
      method: "GET",
      url: "/api/v1/campaigns",
      headers: { origin: "https://evil.example" },
    });
    const preflight = await s.app.inject({
      method: "OPTIONS",
      url: "/api/v1/changes",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    for (const res of [cors, preflight]) {
      expect(Object.keys(res.headers).filter((h) => h.startsWith("access-control-"))).toEqual([]);
    }
  });

  it("stores tokens only as hashes", async () => {
    const dump = await s.db.dump();
    for (const token of Object.values(s.tokens)) expect(dump).not.toContain(token);
    expect(await s.count("api_tokens")).toBe(5);
  });
});
