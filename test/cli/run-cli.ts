import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SimHandle } from "../../src/sim/types.js";
import { buildState } from "../setup/build-stamp.js";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

let checked = false;

/**
 * CLI tests run the built program, as users do. Vitest's global setup (test/setup/build-dist.ts) builds `dist/`
 * and stamps it with the hash of the sources; a missing, unstamped or stale `dist/` is refused here, so no test
 * runs yesterday's build.
 */
export function assertBuilt(): void {
  if (checked) return;
  const state = buildState(ROOT);
  if (!state.fresh) throw new Error(state.message);
  checked = true;
}

/** The v2 driver pointed at `sim`, under the variable names `prefix` (the old CXONE_* ones still work). */
export function envFor(
  sim: SimHandle,
  extra: Record<string, string> = {},
  prefix: "DIALRULES_V2_" | "CXONE_" = "DIALRULES_V2_",
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    [`${prefix}API_BASE_URL`]: sim.apiBase,
    [`${prefix}TOKEN_URL`]: sim.tokenUrl,
    [`${prefix}CLIENT_ID`]: "demo",
    [`${prefix}CLIENT_SECRET`]: "demo-secret",
    [`${prefix}RATE_LIMIT`]: "100000/min",
    DIALRULES_ACTOR: "cli-test",
    ...extra,
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): { child: ChildProcess; done: Promise<CliResult> } {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<CliResult>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  return startCli(args, env, cwd).done;
}
