import { describe, expect, it } from "vitest";
import { benchApply, percentile, requestsNeeded } from "../../src/bench/apply-bench.js";
import { replaceSection } from "../../src/bench/run.js";
import type { BenchRow } from "../../src/bench/table.js";

const row = (rows: BenchRow[], name: string): BenchRow => {
  const found = rows.find((r) => r.name === name);
  if (!found) throw new Error(`no row "${name}" in:\n${rows.map((r) => r.name).join("\n")}`);
  return found;
};

describe("apply benchmark (smoke)", () => {
  // Structural targets only: timing on a shared CI machine is too noisy to assert.
  it("applies 50 campaigns with the engine and the naive strategy and reports every row", async () => {
    const rows = await benchApply({ sizes: [50], warmup: false });
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
        expect(Number.isFinite(row(rows, `apply N=50 ${strategy}: ${metric}`).value)).toBe(true);
      }
    }
    expect(row(rows, "apply N=50 engine: 429 responses").value).toBe(0);
    expect(row(rows, "apply N=50 engine: campaigns not changed").value).toBe(0);
    // 1 token + 1 list page + 50 PATCHes: the fixed part is 2 requests, i.e. 0.04 per campaign at N=50.
    const perChange = row(rows, "apply N=50 engine: requests per changed campaign");
    expect(perChange.value).toBeLessThanOrEqual(1.05 + 0.01);
    expect(perChange.value).toBeCloseTo(requestsNeeded(50) / 50, 3);
    // The naive strategy reads each campaign before writing it: about two requests per change.
    expect(row(rows, "apply N=50 naive: requests per changed campaign").value).toBeGreaterThanOrEqual(2);
    expect(row(rows, "apply N=50 naive: campaigns not changed").value).toBe(0);
    // Targets are judged on the engine's rows only; the naive run is the baseline.
    expect(rows.filter((r) => r.name.includes(" naive:")).every((r) => r.target === undefined)).toBe(true);
  });
});

describe("helpers", () => {
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
