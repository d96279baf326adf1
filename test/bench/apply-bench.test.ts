import { describe, expect, it } from "vitest";
import { benchApply, bucketAwareMinimumMs, percentile, requestsNeeded } from "../../src/bench/apply-bench.js";
import { replaceSection } from "../../src/bench/run.js";
import type { BenchRow } from "../../src/bench/table.js";

const row = (rows: BenchRow[], name: string): BenchRow => {
  const found = rows.find((r) => r.name === name);
  if (!found) throw new Error(`no row "${name}" in:\n${rows.map((r) => r.name).join("\n")}`);
  return found;
};

describe("apply benchmark (smoke)", () => {
  // Structural targets only: timing on a shared CI machine is too noisy to assert.
  it("applies 150 campaigns with the engine and the naive strategy and reports every row", async () => {
    const rows = await benchApply({
      sizes: [150],
      burstSizes: [1, 5],
      burstRepeats: 2,
      planSize: 0,
      speedup: 25,
      warmup: false,
    });
    // the small changes: wall time and 429s, in real time against a full bucket
    expect(row(rows, "apply N=5 engine, full bucket: 429 responses").value).toBe(0);
    expect(row(rows, "apply N=5 engine, full bucket: wall").unit).toMatch(
      /median of 2 runs; 7 requests, minimum 0 s; [\d.]+× N=1/,
    );
    expect(row(rows, "apply N=5 engine, full bucket: 429 responses").unit).toBe("responses (all 2 runs)");
    for (const strategy of ["engine", "naive"]) {
      for (const metric of [
        "wall ÷ theoretical minimum",
        "requests per changed campaign",
        "429 responses",
        "campaigns not changed",
        "p50 per-campaign latency",
        "p99 per-campaign latency",
        "peak RSS",
        "real time",
        "event loop busy",
      ]) {
        expect(Number.isFinite(row(rows, `apply N=150 ${strategy}: ${metric}`).value)).toBe(true);
      }
    }
    expect(row(rows, "apply N=150 engine: 429 responses").value).toBe(0);
    expect(row(rows, "apply N=150 engine: campaigns not changed").value).toBe(0);
    // 1 token + 2 list pages + 150 PATCHes: the fixed part is 3 requests, i.e. 0.02 per campaign.
    const perChange = row(rows, "apply N=150 engine: requests per changed campaign");
    expect(perChange.value).toBeLessThanOrEqual(1.05);
    expect(perChange.value).toBeCloseTo(requestsNeeded(150) / 150, 3);
    // The naive strategy reads each campaign before writing it: about two requests per change.
    expect(row(rows, "apply N=150 naive: requests per changed campaign").value).toBeGreaterThanOrEqual(2);
    expect(row(rows, "apply N=150 naive: campaigns not changed").value).toBe(0);
    // Targets are judged on the engine's rows only; the naive run is the baseline.
    expect(rows.filter((r) => r.name.includes(" naive:")).every((r) => r.target === undefined)).toBe(true);
  });
});

describe("helpers", () => {
  it("the minimum counts the requests that fit the full bucket as free and the rest at the rate", () => {
    expect(bucketAwareMinimumMs(92)).toBe(0);
    expect(bucketAwareMinimumMs(100)).toBe(0);
    expect(bucketAwareMinimumMs(101)).toBe(600);
    // N = 5,000: 1 token + 50 pages + 5,000 PATCHes, 100 of them in the bucket
    expect(bucketAwareMinimumMs(requestsNeeded(5000))).toBe(4951 * 600);
  });

  it("percentile is nearest-rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it("requestsNeeded counts the token, the list pages and one write per campaign", () => {
    expect(requestsNeeded(200)).toBe(203);
    expect(requestsNeeded(5000)).toBe(5051);
    expect(requestsNeeded(1)).toBe(3);
  });

  it("replaceSection rewrites only its own group's section and appends a missing one", () => {
    const doc = "# B\n\n<!-- bench:apply:start -->\nold\n<!-- bench:apply:end -->\n\ntail\n";
    const out = replaceSection(doc, "apply", "new");
    expect(out).toBe("# B\n\n<!-- bench:apply:start -->\nnew\n<!-- bench:apply:end -->\n\ntail\n");
    const appended = replaceSection(out, "store", "rows");
    expect(appended).toContain("<!-- bench:apply:start -->\nnew\n<!-- bench:apply:end -->");
    expect(
      appended.endsWith("### store\n\n<!-- bench:store:start -->\nrows\n<!-- bench:store:end -->\n"),
    ).toBe(true);
  });
});
