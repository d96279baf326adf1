/**
 * Issue 14 in `serve`: every apply job ends with a signed checkpoint of the audit chain (stored as a record
 * and queued as an `audit.checkpoint` webhook), and reverting a run is a change request with its approvals.
 * SQLite and PostgreSQL, against a real simulator.
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChangeRequest } from "../../src/server/contract.js";
import { signerFromPem } from "../../src/store/checkpoint.js";
import type { AuditRecord } from "../../src/store/types.js";
import { KINDS } from "../store/databases.js";
import { createChange, json, type Person, rules, startTestService, type TestService } from "./harness.js";

const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const signer = signerFromPem(pem);

describe.each(KINDS)("serve audit on %s", (kind) => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTestService(kind, { signer });
  });
  afterAll(async () => {
    await s?.close();
  });

  const create = (who: Person, text: string, reason?: string) => createChange(s, who, text, reason);
  const audit = async () =>
    (await s.call("viewer", { method: "GET", url: "/api/v1/audit?limit=1000" })).json() as AuditRecord[];
  /** The job is marked done before its checkpoint is written: read until the record is there. */
  const checkpointOf = async (runId: string) => {
    const until = Date.now() + 30_000;
    for (;;) {
      const cp = (await audit()).find((r) => r.runId === runId && r.outcome === "checkpoint");
      if (cp || Date.now() > until) return cp;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const applyApproved = async (change: ChangeRequest, who: Person = "operator") => {
    const res = await s.call(who, { method: "POST", url: `/api/v1/changes/${change.id}/apply` });
    expect(res.statusCode, res.body).toBe(202);
    return s.waitForJob(change.id);
  };

  it("ends every apply job with a signed checkpoint, stored and queued as an audit.checkpoint webhook", async () => {
    const change = await create(
      "operator",
      rules("  - id: CMP-10002\n    dialingRules: {maxCallsPerAgent: 1}\n"),
    );
    expect(change.state).toBe("approved");
    const done = await applyApproved(change);
    expect(done.state).toBe("applied");
    const runId = done.job?.id as string;
    const cp = await checkpointOf(runId);
    expect(cp, "checkpoint record of the job").toBeDefined();
    expect(cp?.checkpoint).toMatchObject({ keyId: signer.keyId, algorithm: "Ed25519" });
    // It signs the head just before it: every record of the run is covered.
    const records = await audit();
    const runRecords = records.filter((r) => r.runId === runId && r.outcome !== "checkpoint");
    expect(Math.max(...runRecords.map((r) => r.seq))).toBeLessThanOrEqual(cp?.checkpoint?.seq ?? 0);
    const events = await s.sdb.db.selectFrom("outbox").select(["event_type", "payload"]).execute();
    expect(
      events.filter((e) => e.event_type === "audit.checkpoint" && e.payload.includes(runId)).length,
    ).toBe(1);
    const verify = (await s.call("viewer", { method: "GET", url: "/api/v1/audit/verify" })).json();
    expect(verify).toMatchObject({ ok: true, checkpoints: { stored: expect.any(Number) } });
    expect(verify.checkpoints.stored).toBeGreaterThan(0);
  });

  const revert = (who: Person, runId: string, reason = "undo the lowered lines") =>
    s.call(who, { method: "POST", url: `/api/v1/runs/${runId}/revert`, ...json({ reason }) });

  it("reverts a run as a change request: same plan path, risk assessed, four-eyes, changed-since campaigns are conflicts", async () => {
    const lowered = await create(
      "operator",
      rules(
        "  - id: CMP-10008\n    dialingRules: {maxCallsPerAgent: 1}\n" +
          "  - id: CMP-10006\n    dialingRules: {maxCallsPerAgent: 2}\n" +
          "  - id: CMP-10012\n    dialingRules: {maxCallsPerAgent: 1}\n",
      ),
    );
    const run = await applyApproved(lowered);
    expect(run.state).toBe("applied");
    const runId = run.job?.id as string;
    // Someone changes one of them on the platform afterwards.
    s.sim.editCampaign("CMP-10012", { maxCallsPerAgent: 2 });

    // A viewer may not ask; an unknown run is a 404; nothing is stored for either.
    const before = await s.count("change_requests");
    expect(
      (await s.call(undefined, { method: "POST", url: `/api/v1/runs/${runId}/revert` })).statusCode,
    ).toBe(401);
    expect((await revert("viewer", runId)).statusCode).toBe(403);
    const unknown = await revert("operator", "no-such-run");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe("run_not_found");
    expect(await s.count("change_requests")).toBe(before);

    const res = await revert("operator", runId);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toMatch(/^\/api\/v1\/changes\/chg_/);
    const undo = res.json() as ChangeRequest;
    // Raising lines per agent back is high risk: it waits for a second person.
    expect(undo).toMatchObject({ state: "pending_approval", risk: "high", requestedBy: "olga" });
    expect(undo.plan.campaigns.map((c) => [c.id, c.status, c.desired]).sort()).toEqual([
      ["CMP-10006", "change", { maxCallsPerAgent: 3 }],
      ["CMP-10008", "change", { maxCallsPerAgent: 2 }],
    ]);
    // The campaign changed since is listed, not overwritten.
    expect(undo.plan.findings.filter((f) => f.code.startsWith("REVERT_"))).toEqual([
      expect.objectContaining({
        severity: "warning",
        code: "REVERT_CONFLICT",
        path: "CMP-10012.maxCallsPerAgent",
        message: expect.stringContaining("the platform now holds 2"),
      }),
    ]);

    // Four-eyes as for any change: not the requester, nor an operator.
    const self = await s.call("operator", { method: "POST", url: `/api/v1/changes/${undo.id}/approve` });
    expect(self.statusCode).toBe(403);
    const early = await s.call("operator", { method: "POST", url: `/api/v1/changes/${undo.id}/apply` });
    expect(early.statusCode).toBe(409);
    const ok = await s.call("approver", { method: "POST", url: `/api/v1/changes/${undo.id}/approve` });
    expect(ok.statusCode, ok.body).toBe(200);
    const reverted = await applyApproved(undo);
    expect(reverted.state).toBe("applied");
    expect(s.sim.getCampaign("CMP-10008")?.dialingRules.maxCallsPerAgent).toBe(2);
    expect(s.sim.getCampaign("CMP-10006")?.dialingRules.maxCallsPerAgent).toBe(3);
    expect(s.sim.getCampaign("CMP-10012")?.dialingRules.maxCallsPerAgent).toBe(2);

    // On the record: who asked, who approved, which change; the revert run ends with its own checkpoint.
    const records = (await audit()).filter((r) => r.runId === reverted.job?.id);
    expect(records.find((r) => r.campaignId === "CMP-10008")).toMatchObject({
      outcome: "applied",
      changeId: undo.id,
      requester: "olga",
      approvers: ["alice"],
    });
    expect(await checkpointOf(reverted.job?.id as string)).toBeDefined();

    // Reverting the same run again: every campaign now differs from what it wrote, so nothing is restored.
    const again = await revert("operator", runId);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("revert_nothing_to_restore");
    expect(
      again
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(["CMP-10006.maxCallsPerAgent", "CMP-10008.maxCallsPerAgent", "CMP-10012.maxCallsPerAgent"]);
  });

  it("the undo of an undo lowers the value again: low risk, the operator may apply it alone", async () => {
    const lowered = await create(
      "operator",
      rules("  - id: CMP-10019\n    dialingRules: {maxCallsPerAgent: 1}\n"),
    );
    const run = await applyApproved(lowered);
    const undo = (await revert("operator", run.job?.id as string)).json() as ChangeRequest;
    expect(undo.risk).toBe("high");
    expect(
      (await s.call("approver2", { method: "POST", url: `/api/v1/changes/${undo.id}/approve` })).statusCode,
    ).toBe(200);
    const back = await applyApproved(undo);
    expect(s.sim.getCampaign("CMP-10019")?.dialingRules.maxCallsPerAgent).toBe(2);
    const redo = await revert("operator2", back.job?.id as string);
    expect(redo.statusCode, redo.body).toBe(201);
    expect(redo.json()).toMatchObject({ risk: "low", state: "approved", requestedBy: "oscar" });
  });

  it("refuses a revert that would restore values under the server's floor (422 with findings, nothing stored)", async () => {
    // CMP-10010 starts at 4 lines per agent, over the POWER ceiling of 3; a change lowered it to 2.
    const fixed = await create(
      "operator",
      rules("  - id: CMP-10010\n    dialingRules: {maxCallsPerAgent: 2}\n"),
    );
    const run = await applyApproved(fixed);
    const before = await s.count("change_requests");
    const res = await revert("operator", run.job?.id as string);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({
      code: "policy_floor",
      errors: [expect.objectContaining({ path: "CMP-10010.dialingRules.maxCallsPerAgent" })],
    });
    expect(await s.count("change_requests")).toBe(before);
  });

  it("the dashboard's change page offers the revert of its run: a form with CSRF that requests the undo change", async () => {
    const lowered = await create(
      "operator",
      rules("  - id: CMP-10026\n    dialingRules: {maxCallsPerAgent: 2}\n"),
    );
    const run = await applyApproved(lowered);
    const FORM = { "content-type": "application/x-www-form-urlencoded" };
    const login = await s.app.inject({
      method: "POST",
      url: "/login",
      headers: FORM,
      payload: new URLSearchParams({ token: s.tokens.operator2, next: "/" }).toString(),
    });
    const cookie = String(login.headers["set-cookie"]).split(";")[0] ?? "";
    const pageOf = await s.app.inject({ method: "GET", url: `/changes/${lowered.id}`, headers: { cookie } });
    const action = `/runs/${run.job?.id}/revert`;
    expect(pageOf.body).toContain(`action="${action}"`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(pageOf.body)?.[1] ?? "";
    const post = (body: Record<string, string>) =>
      s.app.inject({
        method: "POST",
        url: action,
        headers: { ...FORM, cookie },
        payload: new URLSearchParams(body).toString(),
      });
    const before = await s.count("change_requests");
    expect((await post({ reason: "undo" })).statusCode, "no CSRF token").toBe(403);
    expect(await s.count("change_requests")).toBe(before);
    const res = await post({ _csrf: csrf, reason: "undo from the dashboard" });
    expect(res.statusCode, res.body).toBe(303);
    const id = /^\/changes\/([^?]+)\?notice=reverting$/.exec(String(res.headers.location))?.[1] ?? "";
    const undo = (
      await s.call("viewer", { method: "GET", url: `/api/v1/changes/${id}` })
    ).json() as ChangeRequest;
    expect(undo).toMatchObject({ requestedBy: "oscar", reason: "undo from the dashboard", risk: "high" });
    expect(undo.plan.campaigns.map((c) => c.desired)).toEqual([{ maxCallsPerAgent: 3 }]);
    // A refusal is shown on a page, not thrown: the run was reverted already, nothing left to restore.
    await s.call("approver", { method: "POST", url: `/api/v1/changes/${id}/approve` });
    await applyApproved(undo);
    const again = await post({ _csrf: csrf, reason: "twice" });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain("nothing to restore");
  });
});
