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
import { type Person, rules, startTestService, type TestService } from "./harness.js";

const pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const signer = signerFromPem(pem);

const json = (body: unknown) => ({
  headers: { "content-type": "application/json" },
  payload: JSON.stringify(body),
});

describe.each(KINDS)("serve audit on %s", (kind) => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTestService(kind, { signer });
  });
  afterAll(async () => {
    await s?.close();
  });

  const create = async (who: Person, text: string, reason = "test change") => {
    const res = await s.call(who, {
      method: "POST",
      url: "/api/v1/changes",
      ...json({ rules: text, reason }),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as ChangeRequest;
  };
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
});
