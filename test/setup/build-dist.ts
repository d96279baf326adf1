/**
 * Vitest global setup: build `dist/` once, before any test file runs, so CLI tests (which run the built program
 * as users do) always run the current sources. Skips the compile when `dist/` already carries the stamp of the
 * sources on disk.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { buildState, sourceHash, writeStamp } from "./build-stamp.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export default function setup(): void {
  if (buildState(ROOT).fresh) return;
  // Hash before compiling: an edit made during the compile leaves a stamp that no longer matches (stale, rebuilt).
  const hash = sourceHash(ROOT);
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "pipe" });
  } catch (err) {
    const out = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `the test setup could not build dist/ (tsc -p tsconfig.build.json):\n${out.stdout ?? ""}${out.stderr ?? ""}`,
    );
  }
  writeStamp(ROOT, hash);
}
