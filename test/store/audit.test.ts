import { afterEach, describe, expect, it } from "vitest";
import { registerAudit } from "../../src/cli/commands/audit.js";
import { ManualClock } from "../../src/clock/clock.js";
import { GENESIS_HASH, recordHash } from "../../src/store/canonical.js";
import { runCli } from "./cli.js";
import { KINDS, type TestDatabase, testDatabase } from "./databases.js";
import { auditInput } from "./fixtures.js";

describe.each(KINDS)("audit log on %s", (kind) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.cleanup();
  });
  const setup = async (records = 0) => {
    db = await testDatabase(kind);
    const clock = new ManualClock(Date.UTC(2026, 4, 1));
    const store = await db.open({ clock });
    const written = [];
    for (let i = 0; i < records; i++) {
      written.push(await store.audit.append(auditInput({ outcome: i === 1 ? "failed" : "applied" })));
      clock.advance(1000);
    }
    return { store, clock, written };
  };
  const verifyCli = () =>
    runCli(registerAudit, ["audit", "verify", "--database", db.cli.database], db.cli.env);

  it("chains records from the genesis hash and reads them back exactly", async () => {
    const { store, written } = await setup(3);
    expect(written.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(written[0]?.prevHash).toBe(GENESIS_HASH);
    expect(written[1]?.prevHash).toBe(written[0]?.hash);
    expect(written[2]?.prevHash).toBe(written[1]?.hash);
    const listed = await store.audit.list();
    expect(listed).toEqual(written);
    for (const r of listed) expect(recordHash(r as unknown as Record<string, unknown>)).toBe(r.hash);
    expect(listed[0]?.latencyMs).toBe(123.456);
    expect(listed[0]?.rulesBefore?.maxCallsPerAgent).toBe(2.5);
    expect(await store.audit.verify()).toEqual({ ok: true, count: 3 });
    const cli = await verifyCli();
    expect(cli).toMatchObject({ code: 0, out: "3 records, chain intact\n" });
  });

  it("drops null/undefined fields before hashing, so what is read back hashes the same", async () => {
    const { store } = await setup();
    const input = auditInput({
      campaignName: undefined,
      requestId: null as unknown as string,
      outcome: "noop",
    });
    const rec = await store.audit.append({
      ...input,
      diff: [{ field: "maxCallsPerAgent", from: undefined, to: 1 }],
    });
    expect("campaignName" in rec).toBe(false);
    expect("requestId" in rec).toBe(false);
    const [back] = await store.audit.list();
    expect(back).toEqual(rec);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it("filters by campaign, run and time, and pages by seq", async () => {
    const { store, written } = await setup();
    for (const [c, r] of [
      ["A", "r1"],
      ["B", "r1"],
      ["A", "r2"],
    ] as const) {
      written.push(await store.audit.append(auditInput({ campaignId: c, runId: r })));
    }
    expect((await store.audit.list({ campaignId: "A" })).map((r) => r.seq)).toEqual([1, 3]);
    expect((await store.audit.list({ runId: "r1" })).map((r) => r.seq)).toEqual([1, 2]);
    expect((await store.audit.list({ afterSeq: 1, limit: 1 })).map((r) => r.seq)).toEqual([2]);
    expect(await store.audit.list({ since: "2030-01-01T00:00:00Z" })).toEqual([]);
    expect((await store.audit.list({ since: written[0]?.time })).length).toBe(3);
  });

  it("redacts secrets it was told about before hashing", async () => {
    db = await testDatabase(kind);
    const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=";
    const store = await db.open({ secrets: [secret] });
    const rec = await store.audit.append(
      auditInput({ reason: `oops ${secret}`, platformError: { code: "x", message: `token ${secret}` } }),
    );
    expect(JSON.stringify(rec)).not.toContain(secret);
    expect(rec.reason).toBe("oops [REDACTED]");
    expect(await db.dump()).not.toContain(secret);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it("refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) through the normal path", async () => {
    await setup(2);
    await expect(db.plain("UPDATE audit SET outcome = 'noop' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(db.plain("DELETE FROM audit WHERE seq = 1")).rejects.toThrow(/append-only/);
    if (kind === "postgres") await expect(db.plain("TRUNCATE audit CASCADE")).rejects.toThrow(/append-only/);
    const store = await db.open();
    expect((await store.audit.list()).map((r) => r.outcome)).toEqual(["applied", "failed"]);
  });

  it("detects an edited field", async () => {
    const { store, written } = await setup(4);
    await db.attack(["UPDATE audit SET outcome = 'applied' WHERE seq = 2"]);
    expect((await store.audit.list())[1]?.outcome).toBe("applied");
    expect(await store.audit.verify()).toEqual({
      ok: false,
      count: 1,
      firstBroken: {
        seq: 2,
        id: written[1]?.id,
        problem: expect.stringMatching(/hash mismatch/),
        kind: "rewritten",
      },
    });
    const cli = await verifyCli();
    expect(cli.code).toBe(1);
    expect(cli.out).toContain(`seq 2 (id ${written[1]?.id})`);
  });

  it("detects an edited JSON column", async () => {
    const { store } = await setup(3);
    await db.attack([`UPDATE audit SET diff = '[]' WHERE seq = 3`]);
    const r = await store.audit.verify();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.firstBroken.seq).toBe(3);
  });

  it("detects a deleted record (with its outbox row, as a careful attacker would)", async () => {
    const { store, written } = await setup(4);
    await db.attack(["DELETE FROM outbox WHERE seq = 2", "DELETE FROM audit WHERE seq = 2"]);
    expect((await store.audit.list()).length).toBe(3);
    expect(await store.audit.verify()).toEqual({
      ok: false,
      count: 1,
      firstBroken: {
        seq: 3,
        id: written[2]?.id,
        problem: expect.stringMatching(/prevHash.*deleted/),
        kind: "reordered",
      },
    });
    expect((await verifyCli()).code).toBe(1);
  });

  it("detects deletion of the first record and of the newest one (outbox still names it)", async () => {
    const { store } = await setup(3);
    await db.attack(["DELETE FROM outbox WHERE seq = 1", "DELETE FROM audit WHERE seq = 1"]);
    const r = await store.audit.verify();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.firstBroken).toMatchObject({ seq: 2, problem: expect.stringMatching(/genesis/) });

    await db.cleanup();
    const second = await setup(3);
    await db.attack(["DELETE FROM audit WHERE seq = 3"]);
    const t = await second.store.audit.verify();
    expect(t).toMatchObject({ ok: false, count: 2, firstBroken: { id: second.written[2]?.id } });
  });

  it("detects reordered records", async () => {
    const { store } = await setup(4);
    await db.attack([
      "UPDATE audit SET seq = 1000 WHERE seq = 2",
      "UPDATE audit SET seq = 2 WHERE seq = 3",
      "UPDATE audit SET seq = 3 WHERE seq = 1000",
    ]);
    const seqs = (await store.audit.list()).map((r) => r.seq);
    expect(seqs).toEqual([1, 2, 3, 4]);
    const r = await store.audit.verify();
    expect(r).toMatchObject({ ok: false, count: 1, firstBroken: { seq: 2 } });
    expect((await verifyCli()).code).toBe(1);
  });

  it("lists and exports through the CLI", async () => {
    const { written } = await setup(3);
    const list = await runCli(
      registerAudit,
      ["audit", "list", "--campaign", written[0]?.campaignId ?? "", "--database", db.cli.database],
      db.cli.env,
    );
    expect(list.code).toBe(0);
    expect(list.out).toContain(written[0]?.campaignId);
    expect(list.out).toMatch(/1 record\(s\)/);
    const json = await runCli(
      registerAudit,
      ["audit", "list", "--format", "json", "--database", db.cli.database],
      db.cli.env,
    );
    expect(JSON.parse(json.out)).toEqual(written);
    const jsonl = await runCli(
      registerAudit,
      ["audit", "export", "--format", "jsonl", "--database", db.cli.database],
      db.cli.env,
    );
    const lines = jsonl.out.trim().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual(written);
    // An auditor can recompute each hash from the exported line alone.
    for (const l of lines) {
      const rec = JSON.parse(l) as Record<string, unknown>;
      expect(recordHash(rec)).toBe(rec.hash);
    }
    const csv = await runCli(
      registerAudit,
      ["audit", "export", "--format", "csv", "--database", db.cli.database],
      db.cli.env,
    );
    const rows = csv.out.trim().split("\r\n");
    expect(rows[0]).toMatch(/^seq,id,time,/);
    expect(rows.length).toBe(4);
    expect(rows[1]).toContain('"[{""field"":""dialingMethod""');
  });
});
