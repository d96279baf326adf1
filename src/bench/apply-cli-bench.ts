/**
 * Bench group `apply-cli`: small changes measured the way a user runs them (issue 17 §1) — `dialrules apply`
 * as a CLI process against `dialrules sim --rate-limit 100/min` as another process, timed from spawn to exit.
 * The `apply` group's full-bucket rows (apply-bench.ts) time only the in-process window from the first
 * request to the last outcome; these rows add Node's start-up, module loading, the rules file's read and
 * parse, opening and migrating a fresh SQLite database, rendering and exit.
 *
 * Each run gets a fresh simulator process (so a full bucket), seeded with SIM_CAMPAIGNS campaigns (one list
 * page), and a fresh SQLite database in a temporary directory. The rules file names exactly N campaigns by
 * id, each moved to BENCH_DESIRED (a change for every seeded campaign). The sizes are interleaved round by
 * round, and each row gives the median of the runs; the 429s come from the simulator's `--verbose` log.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { campaignId } from "../sim/seed-campaigns.js";
import {
  BENCH_DESIRED,
  BURST_REPEATS,
  BURST_SIZES,
  NOMINAL_PER_MINUTE,
  TARGET_BURST_RATIO,
} from "./apply-bench.js";
import { type BenchRow, roundTo } from "./table.js";

/** One list page (V2_PAGE_SIZE), enough for the largest size: token + 1 page + 90 PATCHes fit the bucket. */
export const SIM_CAMPAIGNS = 100;

const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

/** A rules file (JSON, which `apply -f` reads like YAML) that changes exactly the first `n` seeded campaigns. */
export function rulesFileChanging(n: number): string {
  const campaigns = Array.from({ length: n }, (_, i) => ({ id: campaignId(i), dialingRules: BENCH_DESIRED }));
  return `${JSON.stringify({ profiles: ["US_TCPA"], licenseTier: "ENTERPRISE", campaigns }, null, 2)}\n`;
}

/** Requests and 429s in the simulator's `--verbose` stderr (`[sim] #7 PATCH /… -> 429 client=demo 1ms`). */
export function countSimLog(stderr: string): { requests: number; rateLimited: number } {
  let requests = 0;
  let rateLimited = 0;
  for (const m of stderr.matchAll(/^\[sim\] #\d+ \S+ \S+ -> (\d{3})\b/gm)) {
    requests++;
    if (m[1] === "429") rateLimited++;
  }
  return { requests, rateLimited };
}

export interface CliRun {
  campaigns: number;
  /** Spawn of `dialrules apply` to its exit, real milliseconds. */
  wallMs: number;
  exitCode: number | null;
  /** Every request the simulator logged during the run, 429s included. */
  requests: number;
  rateLimited: number;
}

/** The middle value (the lower middle of an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}

/** Rows per size, in the order the sizes first appear: median wall (× N=1, target on N=40), 429s, exit codes. */
export function cliRows(runs: readonly CliRun[]): BenchRow[] {
  const sizes = [...new Set(runs.map((r) => r.campaigns))];
  const wallOf = (n: number) => median(runs.filter((r) => r.campaigns === n).map((r) => r.wallMs));
  const one = sizes.includes(1) ? wallOf(1) : undefined;
  return sizes.flatMap((n): BenchRow[] => {
    const of = runs.filter((r) => r.campaigns === n);
    const wall = wallOf(n);
    const vsOne = one !== undefined && one > 0 ? wall / one : undefined;
    const requests = median(of.map((r) => r.requests));
    const label = `apply CLI N=${n}, full bucket`;
    const failed = of.filter((r) => r.exitCode !== 0).length;
    return [
      {
        name: `${label}: wall`,
        value: roundTo(wall / 1000, 2),
        unit: `s (spawn to exit, median of ${of.length} runs; ${requests} requests${vsOne === undefined ? "" : `; ${roundTo(vsOne, 2)}× N=1`})`,
        ...(n === 40 && vsOne !== undefined
          ? { target: `≤ ${TARGET_BURST_RATIO}× N=1`, ok: vsOne <= TARGET_BURST_RATIO }
          : {}),
      },
      {
        name: `${label}: 429 responses`,
        value: of.reduce((sum, r) => sum + r.rateLimited, 0),
        unit: `responses (all ${of.length} runs)`,
        target: "0",
        ok: of.every((r) => r.rateLimited === 0),
      },
      {
        name: `${label}: runs not exiting 0`,
        value: failed,
        unit: `runs (of ${of.length})`,
        target: "0",
        ok: failed === 0,
      },
    ];
  });
}

interface Child {
  exit: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  kill(): void;
}

function startNode(args: string[], env: NodeJS.ProcessEnv, cwd: string): Child {
  const child = spawn(process.execPath, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  return { exit, stdout: () => out, stderr: () => err, kill: () => child.kill("SIGTERM") };
}

/** Starts `dialrules sim` on a free port and resolves with its base URL once it listens. */
async function startSim(cwd: string): Promise<{ child: Child; url: string }> {
  const child = startNode(
    [
      CLI,
      "sim",
      "--port",
      "0",
      "--campaigns",
      String(SIM_CAMPAIGNS),
      "--rate-limit",
      `${NOMINAL_PER_MINUTE}/min`,
      "--verbose",
    ],
    { PATH: process.env.PATH, HOME: process.env.HOME },
    cwd,
  );
  const listening = /listening on (http:\/\/\S+)/;
  for (;;) {
    const url = listening.exec(child.stdout())?.[1];
    if (url !== undefined) return { child, url };
    const exited = await Promise.race([child.exit, new Promise<"wait">((r) => setTimeout(r, 20, "wait"))]);
    if (exited !== "wait") throw new Error(`dialrules sim exited ${exited}: ${child.stderr()}`);
  }
}

/** One run: a fresh simulator (full bucket), a fresh database, `dialrules apply -f FILE --yes` timed spawn to exit. */
export async function measureApplyCli(n: number, rulesFile: string): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), "dialrules-bench-cli-"));
  const { child: sim, url } = await startSim(dir);
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DIALRULES_V2_API_BASE_URL: `${url}/api/v2`,
      DIALRULES_V2_TOKEN_URL: `${url}/oauth/token`,
      DIALRULES_V2_CLIENT_ID: "demo",
      DIALRULES_V2_CLIENT_SECRET: "demo-secret",
      DIALRULES_V2_RATE_LIMIT: `${NOMINAL_PER_MINUTE}/min`,
    };
    const args = [CLI, "apply", "-f", rulesFile, "--yes", "--reason", "bench", "--actor", "bench"];
    const t0 = performance.now();
    const apply = startNode([...args, "--database", join(dir, "dialrules.db")], env, dir);
    const exitCode = await apply.exit;
    const wallMs = performance.now() - t0;
    if (exitCode !== 0) process.stderr.write(`  apply CLI N=${n} exited ${exitCode}: ${apply.stderr()}\n`);
    sim.kill();
    await sim.exit; // its log is complete once it has exited
    return { campaigns: n, wallMs, exitCode, ...countSimLog(sim.stderr()) };
  } finally {
    sim.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ApplyCliBenchOptions {
  sizes?: readonly number[];
  repeats?: number;
  /** One discarded run of the first size first (default true): the first spawn pays for cold file caches. */
  warmup?: boolean;
  onMeasured?: (r: CliRun) => void;
}

export async function benchApplyCli(options: ApplyCliBenchOptions = {}): Promise<BenchRow[]> {
  const sizes = options.sizes ?? BURST_SIZES;
  const dir = mkdtempSync(join(tmpdir(), "dialrules-bench-rules-"));
  try {
    const files = new Map(
      sizes.map((n) => {
        const path = join(dir, `rules-${n}.json`);
        writeFileSync(path, rulesFileChanging(n));
        return [n, path] as const;
      }),
    );
    const fileOf = (n: number): string => files.get(n) ?? "";
    if ((options.warmup ?? true) && sizes.length > 0) {
      const first = sizes[0] ?? 1;
      await measureApplyCli(first, fileOf(first));
    }
    const runs: CliRun[] = [];
    for (let round = 0; round < (options.repeats ?? BURST_REPEATS); round++) {
      for (const n of sizes) {
        const r = await measureApplyCli(n, fileOf(n));
        options.onMeasured?.(r);
        runs.push(r);
      }
    }
    return cliRows(runs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
