import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { SimHandle } from "../../src/sim/types.js";

export const CLI = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

/** CLI tests run the built program, as users do; `npm test` builds first. */
export function assertBuilt(): void {
  if (!existsSync(CLI))
    throw new Error("dist/cli/main.js is missing: run `npm run build` (npm test does it)");
}

export function envFor(sim: SimHandle, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CXONE_API_BASE_URL: sim.apiBase,
    CXONE_TOKEN_URL: sim.tokenUrl,
    CXONE_CLIENT_ID: "demo",
    CXONE_CLIENT_SECRET: "demo-secret",
    CXONE_RATE_LIMIT: "100000/min",
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
