/**
 * `npm run bench` (node dist/bench/run.js): runs the benchmark groups, prints one table and optionally
 * rewrites the measured sections of docs/benchmarks.md.
 *
 *   node dist/bench/run.js [--only apply,apply-cli,validate,store] [--quick] [--markdown docs/benchmarks.md]
 *                          [--sizes 200,1000] [--naive-max 1000] [--speedup 25] [--strict]
 *
 * The validate and store groups are loaded only if their modules are present, so this runner keeps
 * working while a group is being written or when a build leaves one out.
 */
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  type ApplyMeasurement,
  benchApply,
  DEFAULT_SPEEDUP,
  SMALL_SIZE,
  SMALL_SPEEDUP,
} from "./apply-bench.js";
import { benchApplyCli, type CliRun } from "./apply-cli-bench.js";
import { type BenchRow, printTable } from "./table.js";

const GROUPS = ["validate", "store", "apply", "apply-cli", "server"] as const;
type Group = (typeof GROUPS)[number];

const USAGE = `usage: node dist/bench/run.js [options]
  --only LIST         groups to run, comma-separated: ${GROUPS.join(",")} (default: all)
  --quick             small sizes, for a CI smoke run (apply: N = 1 and 40 in real time, the
                      10,000-campaign plan, 200 campaigns at 100/min; no naive runs;
                      apply-cli: N = 1 and 40, 3 rounds)
  --sizes LIST        apply sizes (default 200,1000,5000); "none" for only the small changes and the plan
  --naive-max N       largest size the naive strategy runs at (default 1000; 0 = never)
  --speedup F         ScaledClock factor for the apply runs at 100/min (default 5 up to 200 campaigns,
                      ${SMALL_SPEEDUP} up to ${SMALL_SIZE}, ${DEFAULT_SPEEDUP} above; small changes always run at 1)
  --markdown FILE     rewrite the measured sections of FILE (e.g. docs/benchmarks.md)
  --strict            exit 1 when a row misses its target
`;

type GroupRunner = () => Promise<BenchRow[]>;

/**
 * Loads `export async function <name>(): Promise<BenchRow[]>` from a sibling module, or undefined when the
 * module is absent. The specifier is a variable on purpose: a missing module must not fail the build.
 */
async function optionalGroup(specifier: string, name: string): Promise<GroupRunner | undefined> {
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (err) {
    if ((err as { code?: unknown }).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw err;
  }
  const fn = (mod as Record<string, unknown>)[name];
  if (typeof fn !== "function") return undefined;
  return async () => (await (fn as () => Promise<unknown>)()) as BenchRow[];
}

function parseList(value: string | undefined, what: string): number[] | undefined {
  if (value === undefined) return undefined;
  const out = value.split(",").map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new UsageError(`${what} must be a comma-separated list of whole numbers ≥ 1, got "${value}"`);
  }
  return out;
}

function parseNumber(value: string | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min)
    throw new UsageError(`${what} must be a number ≥ ${min}, got "${value}"`);
  return n;
}

class UsageError extends Error {}

interface RunOptions {
  groups: Group[];
  quick: boolean;
  sizes?: number[];
  naiveMax?: number;
  speedup?: number;
  markdown?: string;
  strict: boolean;
}

function parseOptions(argv: string[]): RunOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: "string" },
      quick: { type: "boolean", default: false },
      sizes: { type: "string" },
      "naive-max": { type: "string" },
      speedup: { type: "string" },
      markdown: { type: "string" },
      strict: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  let groups: Group[] = [...GROUPS];
  if (values.only !== undefined) {
    const names = values.only.split(",").map((s) => s.trim());
    const unknown = names.filter((n) => !(GROUPS as readonly string[]).includes(n));
    if (unknown.length > 0 || names.length === 0) {
      throw new UsageError(`--only takes ${GROUPS.join(", ")}; unknown: ${unknown.join(", ")}`);
    }
    groups = GROUPS.filter((g) => names.includes(g));
  }
  return {
    groups,
    quick: values.quick === true,
    sizes: values.sizes === "none" ? [] : parseList(values.sizes, "--sizes"),
    naiveMax: parseNumber(values["naive-max"], "--naive-max", 0),
    speedup: parseNumber(values.speedup, "--speedup", 1),
    markdown: values.markdown,
    strict: values.strict === true,
  };
}

const fmt = (n: number): string =>
  Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", { maximumFractionDigits: 3 });

function markdownTable(rows: readonly BenchRow[]): string {
  const esc = (s: string) => s.replaceAll("|", "\\|");
  return [
    "| benchmark | value | unit | target | ok |",
    "|---|--:|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${esc(r.name)} | ${fmt(r.value)} | ${esc(r.unit)} | ${esc(r.target ?? "")} | ${r.ok === undefined ? "" : r.ok ? "yes" : "**NO**"} |`,
    ),
  ].join("\n");
}

function machineLine(options: RunOptions): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? "unknown CPU";
  const extra = [
    options.quick ? "--quick" : undefined,
    options.sizes ? `--sizes ${options.sizes.join(",") || "none"}` : undefined,
    options.speedup !== undefined ? `--speedup ${options.speedup}` : undefined,
  ].filter((s) => s !== undefined);
  return (
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu.length} × ${model}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}, ` +
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(" / ")} (1/5/15 min) when the table was written` +
    `${extra.length > 0 ? `, options ${extra.join(" ")}` : ""}.`
  );
}

/**
 * Replaces the text between `<!-- bench:GROUP:start -->` and `<!-- bench:GROUP:end -->`, so a run of one
 * group leaves the other groups' numbers in place. A missing section is appended.
 */
export function replaceSection(doc: string, group: string, body: string): string {
  const start = `<!-- bench:${group}:start -->`;
  const end = `<!-- bench:${group}:end -->`;
  const block = `${start}\n${body}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i >= 0 && j > i) return doc.slice(0, i) + block + doc.slice(j + end.length);
  return `${doc.replace(/\n*$/, "\n\n")}### ${group}\n\n${block}\n`;
}

async function main(argv: string[]): Promise<number> {
  let options: RunOptions | "help";
  try {
    options = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const opts = options;
  const runners: Record<Group, () => Promise<GroupRunner | undefined>> = {
    validate: () => optionalGroup("./validate-bench.js", "benchValidate"),
    store: () => optionalGroup("./store-bench.js", "benchStore"),
    server: () => optionalGroup("./server-bench.js", "benchServer"),
    apply: async () => () =>
      benchApply({
        sizes: opts.sizes ?? (opts.quick ? [200] : undefined),
        naiveMax: opts.naiveMax ?? (opts.quick ? 0 : undefined),
        ...(opts.quick ? { burstSizes: [1, 40] } : {}),
        speedup: opts.speedup,
        onMeasured: (m: ApplyMeasurement) =>
          process.stderr.write(
            `  apply N=${m.campaigns} ${m.strategy}: ${(m.wallMs / 60_000).toFixed(2)} nominal min ` +
              `(${(m.realMs / 1000).toFixed(1)} s real), ${m.requests} requests, ${m.rateLimited} × 429\n`,
          ),
      }),
    "apply-cli": async () => () =>
      benchApplyCli({
        ...(opts.quick ? { sizes: [1, 40], repeats: 3 } : {}),
        onMeasured: (r: CliRun) =>
          process.stderr.write(
            `  apply CLI N=${r.campaigns}: ${(r.wallMs / 1000).toFixed(2)} s, exit ${r.exitCode}, ` +
              `${r.requests} requests, ${r.rateLimited} × 429\n`,
          ),
      }),
  };

  const byGroup = new Map<Group, BenchRow[]>();
  for (const group of opts.groups) {
    const runner = await runners[group]();
    if (!runner) {
      process.stderr.write(`bench: skipping ${group} (module not present)\n`);
      continue;
    }
    process.stderr.write(`bench: running ${group}…\n`);
    byGroup.set(group, await runner());
  }
  const rows = [...byGroup.values()].flat();
  printTable(rows);

  if (opts.markdown !== undefined) {
    let doc = "";
    try {
      doc = await readFile(opts.markdown, "utf8");
    } catch (err) {
      if ((err as { code?: unknown }).code !== "ENOENT") throw err;
      doc = "# Benchmarks\n";
    }
    for (const [group, groupRows] of byGroup) {
      doc = replaceSection(doc, group, `${machineLine(opts)}\n\n${markdownTable(groupRows)}`);
    }
    await writeFile(opts.markdown, doc);
    process.stderr.write(`bench: updated ${opts.markdown}\n`);
  }

  const missed = rows.filter((r) => r.ok === false);
  if (missed.length > 0) {
    process.stderr.write(
      `bench: ${missed.length} row(s) missed their target: ${missed.map((r) => r.name).join("; ")}\n`,
    );
  }
  return opts.strict && missed.length > 0 ? 1 : 0;
}

// Run only as the entry point, so tests can import replaceSection without starting a benchmark.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(resolve(entry)).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
