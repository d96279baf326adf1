import { readFile, stat } from "node:fs/promises";
import { userInfo } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CapacityInputs } from "../domain/capacity.js";
import { InputError } from "../domain/errors.js";
import { type ParseHooks, parseRulesFile, type RulesFile } from "../domain/rules-file.js";
import { V2_LEGACY_PREFIX, V2_PREFIX, v2Environment } from "../platform/config.js";
import { PLATFORM_NAMES } from "../platform/names.js";

/** Default ports, apart so `dialrules serve` and `dialrules sim` run side by side with no flags. */
export const SERVE_PORT = 8080;
export const SIM_PORT = 4010;

/** Flags several commands share; each command adds the ones it needs. */
export const databaseOption = () =>
  new Option("--database <url>", "SQLite file or postgres:// URL (env DIALRULES_DATABASE_URL)").default(
    undefined,
    "./dialrules.db",
  );
export const platformOption = () =>
  new Option("--platform <name>", "platform driver (env DIALRULES_PLATFORM)").choices([...PLATFORM_NAMES]);
/**
 * One vocabulary in every command: `--format` is always a format, `-o/--output FILE` always a file path.
 * `choices` lists the formats a command can write; the first is the default.
 */
export const formatOption = (choices: readonly string[] = ["text", "json"]) =>
  new Option("--format <format>", "output format").choices([...choices]).default(choices[0]);

const FORMAT_WORDS = new Set(["text", "json", "yaml", "yml", "csv", "html", "jsonl"]);

/**
 * The value of `-o/--output`, which names a file. A bare format word (`--output json`, the spelling some
 * commands once used for the format) is refused rather than written to a file called "json".
 */
export function outputPath(value: string): string {
  if (FORMAT_WORDS.has(value.trim().toLowerCase())) {
    throw new InvalidArgumentError(
      `-o/--output takes a file path; for the output format use --format ${value.trim().toLowerCase()}`,
    );
  }
  return value;
}

export const outputFileOption = (help = "write to this file instead of standard output") =>
  new Option("-o, --output <file>", help).argParser(outputPath);

export function addCapacityOptions(command: Command): Command {
  return command
    .option("--agents <n>", "agents staffed, for the capacity estimate", positiveNumber)
    .option("--aht <seconds>", "average handle time in seconds, for the capacity estimate", positiveNumber)
    .option("--connect-rate <fraction>", "share of dials answered by a person (0..1)", positiveNumber);
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number ≥ 1");
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a number > 0");
  return n;
}

export interface CapacityFlags {
  agents?: number;
  aht?: number;
  connectRate?: number;
}

/** Flags win over the rules file's `capacity:` section; all three are needed for an estimate. */
export function capacityInputs(flags: CapacityFlags, file?: RulesFile): CapacityInputs | undefined {
  const fromFile = file?.capacity;
  const agents = flags.agents ?? fromFile?.agents;
  const avgHandleTimeSec = flags.aht ?? fromFile?.avgHandleTimeSec;
  const connectRate = flags.connectRate ?? fromFile?.connectRate;
  if (agents === undefined || avgHandleTimeSec === undefined || connectRate === undefined) return undefined;
  if (connectRate > 1)
    throw new InputError(
      "CAPACITY_CONNECT_RATE",
      "--connect-rate is a fraction between 0 and 1",
      "connectRate",
    );
  return { agents, avgHandleTimeSec, connectRate };
}

export interface LoadedRulesFile {
  file: RulesFile;
  text: string;
}

/** Rules files larger than this are refused before they are read (docs/rules-file.md, "Limits"). */
export const DEFAULT_MAX_RULES_BYTES = 10 * 1024 * 1024;

/** The size cap: DIALRULES_MAX_RULES_BYTES (a whole number of bytes), else 10 MiB. */
export function maxRulesBytes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.DIALRULES_MAX_RULES_BYTES?.trim();
  if (!text) return DEFAULT_MAX_RULES_BYTES;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new InputError(
      "CONFIG_INVALID",
      `DIALRULES_MAX_RULES_BYTES: expected a whole number of bytes ≥ 1, got "${text}"`,
      "DIALRULES_MAX_RULES_BYTES",
    );
  }
  return n;
}

const mib = (bytes: number) => `${+(bytes / 1024 / 1024).toFixed(1)} MiB`;

/**
 * Reads a rules file's text after checking its size, so an oversized file costs a `stat`, not a parse
 * (a 20 MB file once took a minute and 1.6 GB before it was refused). Unreadable, too large and empty
 * files are input errors (exit 2). Nesting depth is checked next, by the parser's own pre-scan.
 */
export async function readRulesText(path: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const cap = maxRulesBytes(env);
  let text: string;
  try {
    const { size } = await stat(path);
    if (size > cap) {
      throw new InputError(
        "RULES_FILE_TOO_LARGE",
        `the rules file is ${mib(size)} (${size} bytes), over the limit of ${mib(cap)} (${cap} bytes); split it, or raise DIALRULES_MAX_RULES_BYTES`,
        undefined,
        { file: path },
      );
    }
    text = await readFile(path, "utf8");
  } catch (err) {
    if (err instanceof InputError) throw err;
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new InputError("FILE_UNREADABLE", `cannot read the rules file: ${reason}`, undefined, {
      file: path,
    });
  }
  if (isEmptyText(text)) {
    throw new InputError(
      "RULES_FILE_EMPTY",
      "empty file: it holds no settings (a rules file needs at least `profiles:` and `campaigns:`; see examples/)",
      undefined,
      { file: path },
    );
  }
  return text;
}

/** Nothing but whitespace, YAML comments and document markers; stops at the first line with content. */
export function isEmptyText(text: string): boolean {
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf("\n", start);
    const line = text.slice(start, end === -1 ? text.length : end).trim();
    if (line !== "" && !line.startsWith("#") && !/^(---|\.\.\.)(\s+#.*)?$/.test(line)) return false;
    if (end === -1) return true;
    start = end + 1;
  }
  return true;
}

/** Reads and parses a rules file; unreadable, oversized, empty and invalid files are input errors (exit 2). */
export async function loadRulesFile(path: string, hooks?: ParseHooks): Promise<LoadedRulesFile> {
  const text = await readRulesText(path);
  return { file: parseRulesFile(text, path, hooks), text };
}

export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DIALRULES_ACTOR) return env.DIALRULES_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

/**
 * Platform connection flags; each overrides the variable of the same meaning (README, "Configuration"),
 * named here by its suffix: DIALRULES_V2_* for the v2 driver, CXONE_* for cxone, GENESYS_* for genesys.
 */
const CONNECTION_FLAGS = [
  ["--api-base-url <url>", "apiBaseUrl", "API_BASE_URL", "platform API base URL"],
  ["--token-url <url>", "tokenUrl", "TOKEN_URL", "OAuth2 token endpoint"],
  ["--client-id <id>", "clientId", "CLIENT_ID", "OAuth2 client id"],
  // A secret never goes on the command line (it would show in `ps` and shell history): only a file.
  ["--client-secret-file <file>", "clientSecretFile", "CLIENT_SECRET_FILE", "file holding the client secret"],
  ["--rate-limit <rate>", "rateLimit", "RATE_LIMIT", "the platform's budget for this client, e.g. 100/min"],
] as const;

export type ConnectionFlags = Partial<Record<(typeof CONNECTION_FLAGS)[number][1], string>>;

export function addConnectionOptions(command: Command): Command {
  for (const [flag, , suffix, help] of CONNECTION_FLAGS)
    command.option(
      flag,
      `${help} (env DIALRULES_V2_${suffix}; cxone: CXONE_${suffix}; genesys: GENESYS_${suffix})`,
    );
  return command;
}

const PLATFORM_PREFIX: Record<string, string> = { v2: V2_PREFIX, cxone: "CXONE_", genesys: "GENESYS_" };

/**
 * The environment the drivers read, with connection flags laid over it under the chosen platform's names.
 * A v2 setup still on the old CXONE_* names gets the flags under those names too, so the driver reads one
 * consistent set (and prints its deprecation note).
 */
export function connectionEnv(
  flags: ConnectionFlags & { platform?: string },
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const platform = flags.platform ?? env.DIALRULES_PLATFORM ?? "v2";
  let prefix = PLATFORM_PREFIX[platform] ?? V2_PREFIX;
  if (prefix === V2_PREFIX && v2Environment(env).deprecated.length > 0) prefix = V2_LEGACY_PREFIX;
  const given = CONNECTION_FLAGS.filter(([, key]) => flags[key] !== undefined);
  if (given.length === 0) return env;
  const overlay: NodeJS.ProcessEnv = { ...env };
  for (const [, key, suffix] of given) overlay[`${prefix}${suffix}`] = flags[key];
  if (flags.clientSecretFile !== undefined) delete overlay[`${prefix}CLIENT_SECRET`];
  return overlay;
}
