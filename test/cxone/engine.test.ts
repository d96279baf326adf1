/**
 * The engine against the cxone driver, unchanged: plan, a concurrent edit between plan and apply, and
 * apply's re-read + three-way merge (conditionalWrite = false). Also measures the race window that
 * remains without If-Match: from the simulator serving the pre-write read to the PUT arriving.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock/clock.js";
import { parseRulesFile } from "../../src/domain/rules-file.js";
import { applyPlan } from "../../src/engine/apply.js";
import { createPlan } from "../../src/engine/plan.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import { webhookEvent } from "../../src/webhook/events.js";
import { cxoneSim, driver, pcSkills } from "./helpers.js";

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function sqliteStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), "dialrules-cxone-"));
  const store = await openStore({ outboxEvent: webhookEvent, sqlitePath: join(dir, "audit.db") });
  stores.push(store);
  return store;
}

const applyOptions = (runId: string) => ({
  runId,
  actor: "test",
  reason: "cxone merge test",
  concurrency: 4,
  onConflict: "rebase" as const,
  skipInvalid: true,
});

function rules(text: string) {
  return { file: parseRulesFile(text, "rules.yaml"), sourceText: text };
}

describe("engine with the cxone driver (no If-Match)", () => {
  it("merges a concurrent edit made between plan and apply, and records the write as unconditional", async () => {
    const s = await cxoneSim({ rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const platform = driver(s);
    const target = pcSkills(s)[0];
    if (!target) throw new Error("no skill");
    const id = String(target.skillId);
    const desired = target.generalSettings.maxConcurrentCallsPerAgent === 3 ? 2 : 3;
    const { file, sourceText } = rules(
      `profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - id: "${id}"\n    dialingRules: {maxCallsPerAgent: ${desired}}\n`,
    );
    const plan = await createPlan({ file, sourceText, platform, clock: systemClock });
    expect(plan.campaigns.find((c) => c.id === id)?.status).toBe("change");

    // Another administrator changes the retry spacing of the same skill after the plan was made.
    const theirRetry = Number(target.generalSettings.minimumRetryMinutes) + 45;
    s.editGeneralSettings(target.skillId, { minimumRetryMinutes: theirRetry, maximumAttempts: 3 });

    const store = await sqliteStore();
    const result = await applyPlan(plan, applyOptions("run-merge"), { platform, store, clock: systemClock });
    const r = result.results.find((x) => x.id === id);
    expect(r?.outcome).toBe("applied");
    expect(r?.note).toContain("rebased over a concurrent change of retrySettings");
    // Both changes survive: ours written, theirs untouched.
    expect(s.getSkill(target.skillId)?.generalSettings).toMatchObject({
      maxConcurrentCallsPerAgent: desired,
      minimumRetryMinutes: theirRetry,
      maximumAttempts: 3,
    });
    const puts = s.log.filter((e) => e.method === "PUT");
    expect(puts.map((e) => e.body)).toEqual([{ generalSettings: { maxConcurrentCallsPerAgent: desired } }]);
    const [audit] = await store.audit.list({ campaignId: id });
    expect(audit).toMatchObject({ outcome: "applied", writeMode: "unconditional", platform: "cxone" });
  });

  it("a concurrent edit of the same field to another value is a conflict, and nothing is written", async () => {
    const s = await cxoneSim({ rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const platform = driver(s);
    const target = pcSkills(s)[0];
    if (!target) throw new Error("no skill");
    const id = String(target.skillId);
    const { file, sourceText } = rules(
      `profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - id: "${id}"\n    dialingRules: {abandonmentRateThreshold: {maxRate: 0.025, coolDownSec: 0}}\n`,
    );
    const plan = await createPlan({ file, sourceText, platform, clock: systemClock });
    s.editGeneralSettings(target.skillId, {
      abandonRateThreshold: 1.5,
      overrideBusinessUnitAbandonRate: true,
    });
    const store = await sqliteStore();
    const result = await applyPlan(plan, applyOptions("run-conflict"), {
      platform,
      store,
      clock: systemClock,
    });
    expect(result.results[0]?.outcome).toBe("conflict");
    expect(s.log.filter((e) => e.method === "PUT")).toHaveLength(0);
    expect(s.getSkill(target.skillId)?.generalSettings.abandonRateThreshold).toBe(1.5);
  });

  it("plans report dialingMethod as not writable per campaign, and running skills are rejected with advice", async () => {
    const s = await cxoneSim({ rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const platform = driver(s);
    const [first, second] = pcSkills(s);
    if (!first || !second) throw new Error("no skills");
    s.setRunning(second.skillId, true);
    const { file, sourceText } = rules(
      [
        "profiles: [US_TCPA]",
        "licenseTier: ENTERPRISE",
        "campaigns:",
        `  - id: "${first.skillId}"`,
        "    dialingRules: {dialingMethod: PROGRESSIVE, maxCallsPerAgent: 1}",
        `  - id: "${second.skillId}"`,
        `    dialingRules: {maxCallsPerAgent: ${second.generalSettings.maxConcurrentCallsPerAgent === 1 ? 2 : 1}}`,
        "",
      ].join("\n"),
    );
    const plan = await createPlan({ file, sourceText, platform, clock: systemClock });
    const p1 = plan.campaigns.find((c) => c.id === String(first.skillId));
    expect(p1?.status).toBe("invalid");
    expect(p1?.findings.map((f) => f.code)).toContain("PLATFORM_FIELD_NOT_WRITABLE");
    const store = await sqliteStore();
    const result = await applyPlan(plan, applyOptions("run-running"), {
      platform,
      store,
      clock: systemClock,
    });
    const r2 = result.results.find((x) => x.id === String(second.skillId));
    expect(r2?.outcome).toBe("rejected_by_platform");
    expect(r2?.error?.message).toContain("Stop the skill");
  });

  it("plans report values CXone cannot store exactly (irregular retries, a cool-down) before any write", async () => {
    const s = await cxoneSim({ rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const platform = driver(s);
    const [first] = pcSkills(s);
    if (!first) throw new Error("no skills");
    const { file, sourceText } = rules(
      [
        "profiles: [US_TCPA]",
        "licenseTier: ENTERPRISE",
        "campaigns:",
        `  - id: "${first.skillId}"`,
        "    dialingRules:",
        "      retrySettings: {maxAttempts: 3, intervalMinutes: [30, 90, 240]}",
        "      abandonmentRateThreshold: {maxRate: 0.02, coolDownSec: 300}",
        "",
      ].join("\n"),
    );
    const plan = await createPlan({ file, sourceText, platform, clock: systemClock });
    const planned = plan.campaigns.find((c) => c.id === String(first.skillId));
    expect(planned?.status).toBe("invalid");
    const cannot = planned?.findings.filter((f) => f.code === "PLATFORM_CANNOT_STORE").map((f) => f.path);
    expect(cannot).toEqual([
      "dialingRules.abandonmentRateThreshold.coolDownSec",
      "dialingRules.retrySettings.intervalMinutes",
    ]);
    expect(s.log.filter((e) => e.method === "PUT")).toHaveLength(0);
  });

  it("measures the race window between the pre-write read and the write", async () => {
    const s = await cxoneSim({ skills: 90, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    const platform = driver(s);
    const skills = pcSkills(s);
    const entries = skills.map(
      (k) =>
        `  - id: "${k.skillId}"\n    dialingRules: {maxCallsPerAgent: ${k.generalSettings.maxConcurrentCallsPerAgent === 2 ? 3 : 2}}`,
    );
    const { file, sourceText } = rules(
      `profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n${entries.join("\n")}\n`,
    );
    const plan = await createPlan({ file, sourceText, platform, clock: systemClock });
    const store = await sqliteStore();
    const startLog = s.log.length;
    const result = await applyPlan(plan, applyOptions("run-window"), { platform, store, clock: systemClock });
    // Seeded drift (a 5 % threshold) and preview skills (one line per agent) make some skills invalid, and
    // agentless, SMS and incomplete skills are not managed; every other one is written.
    expect(result.counts.applied).toBe(plan.summary.toChange);
    expect(plan.summary.toChange).toBeGreaterThan(30);

    // Per write: the last GET of that skill's settings before its PUT (both as the simulator saw them).
    const log = s.log.slice(startLog);
    const windows: number[] = [];
    for (const put of log.filter((e) => e.method === "PUT")) {
      const readPath = put.path.replace(/\/general-settings$/, "");
      const read = log.filter((e) => e.method === "GET" && e.path === readPath && e.seq < put.seq).at(-1);
      if (read) windows.push(put.at - read.at);
    }
    windows.sort((a, b) => a - b);
    const pct = (q: number) =>
      windows[Math.min(windows.length - 1, Math.floor(q * windows.length))] ?? Number.NaN;
    const stats = { writes: windows.length, p50: pct(0.5), p95: pct(0.95), max: windows.at(-1) };
    // Reported in docs/platforms/cxone.md; the bound only guards against a regression that reads early.
    console.info(`cxone race window (ms, local simulator, concurrency 4): ${JSON.stringify(stats)}`);
    expect(windows).toHaveLength(plan.summary.toChange);
    expect(stats.p95).toBeLessThan(250);
  });
});
