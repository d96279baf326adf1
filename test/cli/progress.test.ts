import { describe, expect, it } from "vitest";
import { progressReporter } from "../../src/cli/progress.js";
import type { CampaignResult } from "../../src/engine/apply.js";

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, s: { isTTY, write: (c: string) => chunks.push(c) > 0 } as unknown as NodeJS.WriteStream };
}

const result = (id: string, outcome: CampaignResult["outcome"]): CampaignResult => ({
  id,
  name: id,
  outcome,
  changes: [],
  conflicts: [],
  findings: [],
  latencyMs: 5,
  writes: 1,
  revisionBefore: 1,
  revisionAfter: 2,
});

describe("apply progress", () => {
  it("redraws one bar on a TTY with done/total, rate, ETA, conflicts and failures", () => {
    const { chunks, s } = stream(true);
    let now = 0;
    const p = progressReporter(s, () => now);
    p.started?.(4);
    now = 1000;
    p.campaignDone?.(result("CMP-1", "applied"));
    now = 2000;
    p.campaignDone?.(result("CMP-2", "conflict"));
    p.end();
    const last = chunks.at(-2) ?? "";
    expect(last.startsWith("\r[")).toBe(true);
    expect(last).toContain("2/4");
    expect(last).toContain("1.0/s");
    expect(last).toContain("ETA 2s");
    expect(last).toContain("conflicts 1");
    expect(last).toContain("failed 0");
    expect(chunks.at(-1)).toBe("\n");
  });

  it("writes plain lines, one per campaign that did something, when not a TTY", () => {
    const { chunks, s } = stream(false);
    const p = progressReporter(s, () => 0);
    p.started?.(2);
    p.campaignDone?.(result("CMP-1", "noop"));
    p.campaignDone?.(result("CMP-2", "applied"));
    p.end();
    expect(chunks).toEqual(["applied              CMP-2 (revision 1 → 2)\n"]);
  });
});
