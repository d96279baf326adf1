/**
 * Issue 13 §4: a change request's CPU work (parsing, floor check, planning and validation, risk, the plan's
 * JSON) runs in the worker pool, not on the event loop, and gives exactly what the same work gives on this
 * thread. No clocks: "not blocked" is shown by the event loop turning (setImmediate ticks) while the work
 * is under way, which cannot happen when it runs on this thread.
 */
import { readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRulesFile } from "../../src/domain/rules-file.js";
import type { ChangeRequest } from "../../src/server/contract.js";
import { WORKER_NICE } from "../../src/server/input/parse-worker.js";
import type { PlanContext } from "../../src/server/input/rules-parser.js";
import {
  inThreadRulesParser,
  parseWorkerFile,
  type RulesParser,
  workerRulesParser,
} from "../../src/server/input/rules-parser.js";
import { startSimulator } from "../../src/sim/server.js";
import type { SimHandle } from "../../src/sim/types.js";
import { KINDS } from "../store/databases.js";
import { startTestService, type TestService } from "./harness.js";

/** A rules text just under the 200,000-character cap, like the bench's maximal change. */
function maximalRules(ids: (i: number) => string): string {
  const entries: string[] = [];
  let size = 60;
  for (let i = 0; size < 195_000; i++) {
    const entry = `  - id: ${ids(i)}\n    dialingRules: {maxCallsPerAgent: 1}\n`;
    entries.push(entry);
    size += entry.length;
  }
  return `profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n${entries.join("")}`;
}

describe("the rules worker pool", () => {
  let sim: SimHandle;
  let worker: RulesParser;
  beforeAll(async () => {
    sim = await startSimulator({ campaigns: 40, seed: 1, rateLimitPerMinute: Number.POSITIVE_INFINITY });
    worker = workerRulesParser();
  });
  afterAll(async () => {
    await worker?.close();
    await sim?.stop();
  });

  const context = (): PlanContext => ({
    floor: parseRulesFile("profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns: []\n", "policy.yaml"),
    campaigns: sim.listCampaigns(),
    platform: {
      name: "v2",
      capabilities: { conditionalWrite: true, writableFields: [] },
      notes: { notManaged: [], findings: [] },
    },
    now: Date.UTC(2026, 0, 1),
    notes: [],
    writeChecked: false,
  });

  it.runIf(process.platform === "linux")(
    "runs at a lower priority than the event loop, which keeps its own (Linux: nice is per thread)",
    async () => {
      const before = getPriority();
      await worker.parse("profiles: []\nlicenseTier: ENTERPRISE\ncampaigns: []\n", "rules.yaml");
      const nice = (task: string) =>
        Number(readFileSync(`/proc/self/task/${task}/stat`, "utf8").split(") ")[1]?.split(" ")[16]);
      const threads = readdirSync("/proc/self/task").map(nice);
      expect(threads).toContain(Math.max(before, WORKER_NICE));
      expect(nice(String(process.pid))).toBe(before);
      expect(getPriority()).toBe(before);
    },
  );

  /** Runs parseAndPrepare, counting event-loop turns before the context is asked for and after. */
  async function observed(parser: RulesParser, text: string) {
    let ticks = 0;
    let spinning = true;
    const spin = () => {
      if (!spinning) return;
      ticks += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    let ticksAtContext = -1;
    const result = await parser.parseAndPrepare(text, "rules", async () => {
      ticksAtContext = ticks;
      return context();
    });
    spinning = false;
    return { result, parseTicks: ticksAtContext, planTicks: ticks - ticksAtContext };
  }

  it("is built (the server loads the worker from dist/; run `npm run build` first)", () => {
    expect(parseWorkerFile(), "dist/server/input/parse-worker.js").toBeDefined();
  });

  it("parses and plans a maximal change while the event loop keeps turning, with the same result as on this thread", async () => {
    const text = maximalRules((i) => `CMP-${String(1 + (i % 40)).padStart(4, "0")}-${i}`);
    const off = await observed(worker, text);
    // The event loop turned while the worker parsed, and again while it planned.
    expect(off.parseTicks).toBeGreaterThan(0);
    expect(off.planTicks).toBeGreaterThan(0);
    const here = await observed(inThreadRulesParser, text);
    // On this thread nothing else runs until the work is done: the check above would fail.
    expect(here.parseTicks).toBe(0);
    expect(off.result).toEqual(here.result);
    expect(off.result.prepared.kind).toBe("planned");
  });

  it("reports rules problems from the worker exactly as the parser does, without asking for the platform", async () => {
    let asked = false;
    const bad =
      "profiles: [US_TCPA]\ncampaigns:\n  - id: CMP-0001\n    dialingRules: {maxCallsPerAgent: many}\n";
    const fromWorker = await worker
      .parseAndPrepare(bad, "rules", async () => {
        asked = true;
        return context();
      })
      .catch((e: unknown) => e);
    const direct = await inThreadRulesParser.parse(bad, "rules").catch((e: unknown) => e);
    expect(asked).toBe(false);
    expect(String(fromWorker)).toBe(String(direct));
    expect((fromWorker as { problems: unknown[] }).problems.length).toBeGreaterThan(0);
  });

  it("gives the caller's error when the platform read fails", async () => {
    const text = maximalRules((i) => `CMP-X${i}`);
    const err = await worker
      .parseAndPrepare(text, "rules", async () => {
        throw new Error("platform unreachable");
      })
      .catch((e: unknown) => e);
    expect(String(err)).toContain("platform unreachable");
  });
});

describe.each(KINDS)("POST /api/v1/changes through the worker on %s", (kind) => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService(kind, { campaigns: 5 });
  });
  afterAll(() => t?.close());

  it("answers with exactly the change it stored, in one JSON text sent in pieces (non-ASCII intact)", async () => {
    // Over 64 KiB of text with astral characters, so the pieces' borders fall inside them.
    const note = `# ${"déjà vu 🎧 ".repeat(9_000)}\n`;
    const text = `${note}profiles: [US_TCPA]\nlicenseTier: ENTERPRISE\ncampaigns:\n  - id: CMP-10002\n    dialingRules: {maxCallsPerAgent: 1}\n`;
    const res = await t.call("operator", {
      method: "POST",
      url: "/api/v1/changes",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ rules: text, reason: "raw JSON 🎧" }),
    });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(201);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(Number(res.headers["content-length"])).toBe(res.rawPayload.length);
    const created = res.json() as ChangeRequest;
    expect(created.rulesText).toBe(text);
    const read = (
      await t.call("viewer", { method: "GET", url: `/api/v1/changes/${created.id}` })
    ).json() as ChangeRequest;
    expect(created).toEqual(read);
    expect(created.plan.campaigns.map((c) => c.id)).toEqual(["CMP-10002"]);
  });
});
