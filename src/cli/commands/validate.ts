import { type Command, Option } from "commander";
import { InputError } from "../../domain/errors.js";
import type { Finding } from "../../domain/findings.js";
import { RulesFileError } from "../../domain/rules-file.js";
import { withStorageLimits } from "../../domain/storage-limits.js";
import { type FileValidation, type GroupValidation, validateFile } from "../../domain/validate-file.js";
import { STORAGE_LIMITS } from "../../platform/storage-limits.js";
import { EXIT, setExitCode } from "../exit.js";
import {
  collectGarbage,
  collectsAfterEntries,
  collectsBetweenStages,
  tuneHeapForOneShot,
} from "../heap-tuning.js";
import { addCapacityOptions, capacityInputs, formatOption, loadRulesFile } from "../options.js";
import { percent, renderCapacity, renderCapacityInputs } from "../render/capacity.js";
import { inputErrorReport, validationReport } from "../render/validate-report.js";

export interface ValidateOptions {
  file: string;
  /** Also report what this platform cannot store (offline, from the driver's own checks). */
  platform?: string;
  format?: "text" | "json";
  agents?: number;
  aht?: number;
  connectRate?: number;
}

export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processOutput: Output = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export function registerValidate(program: Command): void {
  const command = program
    .command("validate")
    .description(
      "check a rules file offline against its regulatory profiles (no platform access); exit 0 valid, 1 invalid, 2 unreadable",
    )
    .requiredOption("-f, --file <path>", "rules file (YAML or JSON)")
    .addOption(
      new Option(
        "--platform <name>",
        "also report what this platform cannot store (fields it has no setting for, values it keeps differently)",
      ).choices(["v2", "cxone", "genesys"]),
    )
    .addOption(formatOption());
  addCapacityOptions(command).action(async (opts: ValidateOptions) => {
    // a one-shot read of a possibly large file: keep V8's heap headroom small (heap-tuning.ts)
    tuneHeapForOneShot();
    setExitCode(await runValidate(opts));
  });
}

/**
 * The whole command as a function (tests and golden files call it). Input problems (missing file, YAML
 * syntax, schema) are rendered here — all of them, in the chosen format — and give exit 2.
 */
export async function runValidate(opts: ValidateOptions, out: Output = processOutput): Promise<number> {
  const json = opts.format === "json";
  let validation: FileValidation;
  try {
    // a few thousand entries: collect the garbage of each stage before the next (heap-tuning.ts)
    const { file } = await loadRulesFile(opts.file, {
      onEntry: (read) => {
        if (collectsAfterEntries(read)) collectGarbage();
      },
    });
    const between = collectsBetweenStages(file.campaigns.length);
    if (between) collectGarbage();
    validation = validateFile(file, capacityInputs(opts, file));
    const limits = opts.platform === undefined ? undefined : STORAGE_LIMITS[opts.platform];
    if (limits) validation = withStorageLimits(file, validation, limits);
    if (between) collectGarbage();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    const problems = err instanceof RulesFileError ? err.problems : [err];
    if (json) out.stdout(`${JSON.stringify(inputErrorReport(opts.file, problems), null, 2)}\n`);
    else out.stderr(renderInputErrors(opts.file, problems));
    return EXIT.usage;
  }
  if (json) out.stdout(`${JSON.stringify(validationReport(opts.file, validation), null, 2)}\n`);
  else writeText(opts.file, validation, out.stdout);
  return validation.valid ? EXIT.ok : EXIT.failed;
}

function renderInputErrors(file: string, problems: readonly InputError[]): string {
  const lines = problems.map((p) => {
    const loc = p.location;
    const where = `${loc?.file ?? file}${loc?.line ? `:${loc.line}:${loc.column ?? 1}` : ""}`;
    return `error[${p.code}]: ${where}: ${p.path ? `${p.path}: ` : ""}${p.message}`;
  });
  const n = problems.length;
  return `${lines.join("\n")}\n${file}: unreadable — ${n} input problem${n === 1 ? "" : "s"}, nothing was validated\n`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function renderFinding(f: Finding): string[] {
  const lines = [
    `  ${f.severity === "error" ? "error  " : "warning"} ${f.code}  ${f.path}`,
    `      ${f.message}`,
  ];
  if (f.citation) lines.push(`      source: ${f.citation}`);
  return lines;
}

function renderGroup(g: GroupValidation): string[] {
  const lines = [`${g.label}${g.line !== undefined ? `  (line ${g.line})` : ""}`];
  if (g.findings.length === 0) lines.push("  ok");
  for (const f of g.findings) lines.push(...renderFinding(f));
  if (g.capacity) lines.push(`  ${renderCapacity(g.capacity)}`);
  return lines;
}

/** Text handed to `write` in pieces of about this many characters (one syscall each on a pipe or file). */
const CHUNK_CHARS = 64 * 1024;

/**
 * The text report, written as it is rendered: for a file of 100,000 entries the report is ~5 MB, and as
 * one string (plus the array of its lines) it was the largest allocation of the command after the parse.
 */
function writeText(file: string, v: FileValidation, write: (text: string) => void): void {
  let chunk = "";
  const emit = (lines: readonly string[]) => {
    for (const line of lines) chunk += `${line}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      write(chunk);
      chunk = "";
    }
  };
  const p = v.policy;
  emit([
    `${file}: ${v.valid ? "valid" : "INVALID"} — ${plural(v.errors, "error")}, ${plural(v.warnings, "warning")}, ${plural(v.entries.length, "entry").replace("entrys", "entries")}`,
    `profiles: ${p.profiles.join(", ") || "none"} · licence tier: ${p.licenseTier ?? "not declared"}` +
      (p.maxAbandonmentRate
        ? ` · max abandonment ${percent(p.maxAbandonmentRate.value)} (${p.maxAbandonmentRate.source})`
        : ""),
  ]);
  const inputs = (v.defaults?.capacity ?? v.entries.find((g) => g.capacity)?.capacity)?.inputs;
  if (inputs) emit([renderCapacityInputs(inputs)]);
  for (const o of p.overrides) emit([`override: ${o.limit} ${o.from} → ${o.to} — reason: ${o.reason}`]);
  if (p.findings.length > 0) {
    emit(["", "policy"]);
    for (const f of p.findings) emit(renderFinding(f));
  }
  if (v.defaults) emit(["", ...renderGroup(v.defaults)]);
  for (const e of v.entries) emit(["", ...renderGroup(e)]);
  emit([
    "",
    "Checked offline: each entry with the defaults. `dialrules plan` validates the merged result against the platform's current rules.",
  ]);
  if (chunk !== "") write(chunk);
}
