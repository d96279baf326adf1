import { Command } from "commander";
import type { CommandIo } from "../../src/cli/commands/audit.js";

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs one of our commands in-process with captured output; returns process.exitCode as the command set it. */
export async function runCli(
  register: (program: Command, io: CommandIo) => void,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<CliResult> {
  let out = "";
  let err = "";
  const program = new Command().exitOverride();
  register(program, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env,
  });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(["node", "dialrules", ...args]);
    return { code: Number(process.exitCode ?? 0), out, err };
  } finally {
    process.exitCode = before;
  }
}
