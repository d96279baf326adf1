import { describe, expect, it } from "vitest";
import {
  type CliRun,
  cliRows,
  countSimLog,
  median,
  rulesFileChanging,
} from "../../src/bench/apply-cli-bench.js";

const run = (campaigns: number, wallMs: number, extra: Partial<CliRun> = {}): CliRun => ({
  campaigns,
  wallMs,
  exitCode: 0,
  requests: campaigns + 2,
  rateLimited: 0,
  ...extra,
});

describe("apply CLI benchmark: rules file", () => {
  it("names exactly the first n seeded campaigns, each moved to the bench's rules", () => {
    const file = JSON.parse(rulesFileChanging(3)) as {
      profiles: string[];
      licenseTier: string;
      campaigns: { id: string; dialingRules: Record<string, unknown> }[];
    };
    expect(file.profiles).toEqual(["US_TCPA"]);
    expect(file.licenseTier).toBe("ENTERPRISE");
    expect(file.campaigns.map((c) => c.id)).toEqual(["CMP-10001", "CMP-10002", "CMP-10003"]);
    expect(file.campaigns[2]?.dialingRules).toEqual({
      dialingMethod: "PROGRESSIVE",
      maxCallsPerAgent: 1,
      retrySettings: { maxAttempts: 2, intervalMinutes: [60, 240] },
      abandonmentRateThreshold: { maxRate: 0.03, coolDownSec: 450 },
    });
    expect((JSON.parse(rulesFileChanging(40)) as { campaigns: unknown[] }).campaigns).toHaveLength(40);
  });
});

describe("apply CLI benchmark: simulator log", () => {
  it("counts every logged request and the 429s, ignoring other lines", () => {
    const log = [
      "[sim] #1 POST /oauth/token -> 200 client=demo 6ms",
      "[sim] #2 GET /api/v2/outbound/campaigns -> 200 client=demo 1ms",
      "[sim] #3 PATCH /api/v2/outbound/campaigns/CMP-10001 -> 429 client=demo 0ms",
      "some warning -> 429",
      "[sim] #4 PATCH /api/v2/outbound/campaigns/CMP-10001 -> 200 client=demo fault=latency 2ms",
      "",
    ].join("\n");
    expect(countSimLog(log)).toEqual({ requests: 4, rateLimited: 1 });
    expect(countSimLog("")).toEqual({ requests: 0, rateLimited: 0 });
  });
});

describe("apply CLI benchmark: rows", () => {
  it("takes the middle value, the lower one of an even count", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(median([])).toBe(0);
  });

  it("reports the median wall per size with its ratio to N=1, the target on N=40, 429s and exit codes", () => {
    const rows = cliRows([
      run(1, 900),
      run(40, 2100),
      run(1, 1000),
      run(40, 1800, { rateLimited: 2, requests: 44 }),
      run(1, 1200),
      run(40, 2500, { exitCode: 1 }),
    ]);
    expect(rows).toEqual([
      {
        name: "apply CLI N=1, full bucket: wall",
        value: 1,
        unit: "s (spawn to exit, median of 3 runs; 3 requests; 1× N=1)",
      },
      {
        name: "apply CLI N=1, full bucket: 429 responses",
        value: 0,
        unit: "responses (all 3 runs)",
        target: "0",
        ok: true,
      },
      {
        name: "apply CLI N=1, full bucket: runs not exiting 0",
        value: 0,
        unit: "runs (of 3)",
        target: "0",
        ok: true,
      },
      {
        name: "apply CLI N=40, full bucket: wall",
        value: 2.1,
        unit: "s (spawn to exit, median of 3 runs; 42 requests; 2.1× N=1)",
        target: "≤ 3× N=1",
        ok: true,
      },
      {
        name: "apply CLI N=40, full bucket: 429 responses",
        value: 2,
        unit: "responses (all 3 runs)",
        target: "0",
        ok: false,
      },
      {
        name: "apply CLI N=40, full bucket: runs not exiting 0",
        value: 1,
        unit: "runs (of 3)",
        target: "0",
        ok: false,
      },
    ]);
  });

  it("misses the target when N=40 takes more than 3× N=1, and has no ratio without N=1", () => {
    const over = cliRows([run(1, 500), run(40, 1600)]);
    expect(over[3]).toMatchObject({ value: 1.6, target: "≤ 3× N=1", ok: false });
    const alone = cliRows([run(40, 1600)]);
    expect(alone[0]).toEqual({
      name: "apply CLI N=40, full bucket: wall",
      value: 1.6,
      unit: "s (spawn to exit, median of 1 runs; 42 requests)",
    });
  });
});
