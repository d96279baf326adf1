import { afterEach, describe, expect, it } from "vitest";
import { registerAudit } from "../../src/cli/commands/audit.js";
import { registerHistory } from "../../src/cli/commands/history.js";
import { ManualClock } from "../../src/clock/clock.js";
import { runCli } from "./cli.js";
import { KINDS, type TestDatabase, testDatabase } from "./databases.js";
import { auditInput } from "./fixtures.js";

const rules = (maxCallsPerAgent: number) => ({
  dialingMethod: "PROGRESSIVE" as const,
  retrySettings: { maxAttempts: 2, intervalMinutes: [30, 120] },
  abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 60 },
  maxCallsPerAgent,
});

describe.each(KINDS)("history and as-of on %s", (kind) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.cleanup();
  });

  it("answers which rules were in force at a time, with the proving record, in text, json, csv and html", async () => {
    db = await testDatabase(kind);
    const clock = new ManualClock(Date.UTC(2026, 4, 1, 9));
    const store = await db.open({ clock });
    const change = (from: number, to: number, extra = {}) =>
      store.audit.append(
        auditInput({
          campaignId: "CMP-7",
          rulesBefore: rules(from),
          rulesAfter: rules(to),
          diff: [{ field: "maxCallsPerAgent", from, to }],
          ...extra,
        }),
      );
    await change(3, 2); // 09:00
    clock.advance(3_600_000);
    await store.audit.append(auditInput({ campaignId: "CMP-8" }));
    await change(2, 9, { outcome: "rejected_locally", rulesAfter: undefined }); // 10:00, did not take effect
    clock.advance(3_600_000);
    await change(2, 1); // 11:00

    const env = db.cli.env;
    const history = await runCli(registerHistory, ["history", "CMP-7", "--database", db.cli.database], env);
    expect(history.out).toContain("History of CMP-7 (3 record(s), oldest first)");
    expect(history.out).toContain("maxCallsPerAgent: 3 → 2");
    expect(history.out).not.toContain("CMP-8");

    const asOf = (time: string, ...more: string[]) =>
      runCli(
        registerAudit,
        ["audit", "as-of", time, "--id", "CMP-7", "--database", db.cli.database, ...more],
        env,
      );
    const at1030 = await asOf("2026-05-01T10:30:00Z");
    expect(at1030.code).toBe(0);
    expect(at1030.out).toContain("maxCallsPerAgent: 2");
    expect(at1030.out).toMatch(/Basis: set by record seq 1 \(applied/);
    expect(at1030.out).toContain("Chain intact (4 records)");

    const before = await asOf("2026-05-01T08:00:00Z", "--format", "json");
    expect(JSON.parse(before.out)).toMatchObject({ rules: { maxCallsPerAgent: 3 }, proof: { seq: 1 } });

    const csv = await asOf("2026-05-01T12:00:00Z", "--format", "csv");
    expect(csv.out.split("\r\n")[0]).toContain("seq,time,campaign_id,outcome,actor,requester,approvers");
    expect(csv.out.trim().split("\r\n")).toHaveLength(4);

    const html = await asOf("2026-05-01T12:00:00Z", "--format", "html");
    expect(html.out).toMatch(/^<!doctype html>/);
    expect(html.out).toContain("<td>1</td>");
    expect(html.out).not.toContain("<script");
  });
});
