import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CapacityInputs } from "../domain/capacity.js";
import { InputError } from "../domain/errors.js";
import { parseRulesFile, type RulesFile } from "../domain/rules-file.js";

/** Flags several commands share; each command adds the ones it needs. */
export const databaseOption = () =>
  new Option("--database <url>", "SQLite file or postgres:// URL (env DIALRULES_DATABASE_URL)").default(
    undefined,
    "./dialrules.db",
  );
export const platformOption = () =>
  new Option("--platform <name>", "platform driver (env DIALRULES_PLATFORM)").choices(["v2", "cxone"]);
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
