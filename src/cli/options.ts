import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CapacityInputs } from "../domain/capacity.js";
import { InputError } from "../domain/errors.js";
import { parseRulesFile, type RulesFile } from "../domain/rules-file.js";
import { PLATFORM_NAMES } from "../platform/names.js";

/** Flags several commands share; each command adds the ones it needs. */
export const databaseOption = () =>
  new Option("--database <url>", "SQLite file or postgres:// URL (env DIALRULES_DATABASE_URL)").default(
    undefined,
    "./dialrules.db",
  );
export const platformOption = () =>
  new Option("--platform <name>", "platform driver (env DIALRULES_PLATFORM)").choices([...PLATFORM_NAMES]);
export const outputOption = () =>
  new Option("--output <format>", "output format").choices(["text", "json"]).default("text");

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

/** Reads and parses a rules file; unreadable files are input errors (exit 2). */
export async function loadRulesFile(path: string): Promise<LoadedRulesFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new InputError("FILE_UNREADABLE", `cannot read the rules file: ${reason}`, undefined, {
      file: path,
    });
  }
  return { file: parseRulesFile(text, path), text };
}

export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DIALRULES_ACTOR) return env.DIALRULES_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

/** Platform connection flags; each overrides the variable of the same meaning (README, "Configuration"). */
const CONNECTION_FLAGS = [
  ["--api-base-url <url>", "apiBaseUrl", "CXONE_API_BASE_URL", "platform API base URL"],
  ["--token-url <url>", "tokenUrl", "CXONE_TOKEN_URL", "OAuth2 token endpoint"],
  ["--client-id <id>", "clientId", "CXONE_CLIENT_ID", "OAuth2 client id"],
  // A secret never goes on the command line (it would show in `ps` and shell history): only a file.
  [
    "--client-secret-file <file>",
    "clientSecretFile",
    "CXONE_CLIENT_SECRET_FILE",
    "file holding the client secret",
  ],
  [
    "--rate-limit <rate>",
    "rateLimit",
    "CXONE_RATE_LIMIT",
    "the platform's budget for this client, e.g. 100/min",
  ],
] as const;

export type ConnectionFlags = Partial<Record<(typeof CONNECTION_FLAGS)[number][1], string>>;

export function addConnectionOptions(command: Command): Command {
  for (const [flag, , variable, help] of CONNECTION_FLAGS) command.option(flag, `${help} (env ${variable})`);
  return command;
}

/**
 * The environment the drivers read, with connection flags laid over it. With the genesys platform the
 * flags set the GENESYS_* variables of the same meaning instead of the CXONE_* ones.
 */
export function connectionEnv(
  flags: ConnectionFlags & { platform?: string },
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const overlay: NodeJS.ProcessEnv = { ...env };
  const genesys = (flags.platform ?? env.DIALRULES_PLATFORM) === "genesys";
  const named = (variable: string) => (genesys ? variable.replace(/^CXONE_/, "GENESYS_") : variable);
  for (const [, key, variable] of CONNECTION_FLAGS) {
    const value = flags[key];
    if (value !== undefined) overlay[named(variable)] = value;
  }
  if (flags.clientSecretFile !== undefined) delete overlay[named("CXONE_CLIENT_SECRET")];
  return overlay;
}
