/**
 * Which sources `dist/` was built from. The test setup builds `dist/` and writes the hash of the sources it
 * compiled next to the output; CLI tests refuse a `dist/` whose hash differs from the sources on disk, so a
 * test can never pass or fail against a stale build.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

/** The stamp's place inside the build output; `tsc` never writes or removes it. */
export const STAMP_FILE = join("dist", ".build-stamp");

/** Everything `tsc -p tsconfig.build.json` reads that is ours: the sources and both tsconfig files. */
export function sourceHash(root: string): string {
  const files = [
    "tsconfig.json",
    "tsconfig.build.json",
    ...listFiles(join(root, "src")).map((f) => relative(root, f)),
  ].sort();
  const hash = createHash("sha256");
  for (const file of files) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    hash.update(`${file.split("\\").join("/")}\0`);
    hash.update(readFileSync(path));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

export function writeStamp(root: string, hash: string): void {
  writeFileSync(join(root, STAMP_FILE), `${hash}\n`);
}

export type BuildState =
  | { fresh: true }
  | { fresh: false; reason: "missing" | "unstamped" | "stale"; message: string };

/** Whether `dist/` under `root` holds a build of exactly the sources now on disk. */
export function buildState(root: string, entry = join("dist", "cli", "main.js")): BuildState {
  const fix = "run the tests through vitest (its global setup builds dist/), e.g. `npx vitest run test/cli`";
  if (!existsSync(join(root, entry))) {
    return { fresh: false, reason: "missing", message: `${entry} is missing: ${fix}` };
  }
  const stampPath = join(root, STAMP_FILE);
  if (!existsSync(stampPath)) {
    return {
      fresh: false,
      reason: "unstamped",
      message: `dist/ was not built by the test setup (no ${STAMP_FILE}): ${fix}`,
    };
  }
  if (readFileSync(stampPath, "utf8").trim() !== sourceHash(root)) {
    return {
      fresh: false,
      reason: "stale",
      message: `dist/ is stale: src/ changed since it was built; ${fix}`,
    };
  }
  return { fresh: true };
}
