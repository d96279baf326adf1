/**
 * CLI tests never run a stale build: vitest's global setup builds dist/ and stamps it with the hash of the
 * sources, and the CLI runner refuses a dist/ whose stamp does not match the sources on disk.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { buildState, sourceHash, writeStamp } from "../setup/build-stamp.js";
import { assertBuilt } from "./run-cli.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("the build the CLI tests run", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A tiny project: one source file, the tsconfig files and (optionally) a built entry point. */
  function project(built = true): string {
    const root = mkdtempSync(join(tmpdir(), "dialrules-stamp-"));
    dirs.push(root);
    mkdirSync(join(root, "src", "cli"), { recursive: true });
    writeFileSync(join(root, "src", "cli", "main.ts"), "export const version = 1;\n");
    writeFileSync(join(root, "tsconfig.json"), "{}\n");
    writeFileSync(join(root, "tsconfig.build.json"), "{}\n");
    if (built) {
      mkdirSync(join(root, "dist", "cli"), { recursive: true });
      writeFileSync(join(root, "dist", "cli", "main.js"), "export const version = 1;\n");
    }
    return root;
  }

  it("is the current sources: the global setup built and stamped dist/ for this run", () => {
    expect(buildState(ROOT)).toEqual({ fresh: true });
    expect(() => assertBuilt()).not.toThrow();
  });

  it("is refused once a source file changes after the build", () => {
    const root = project();
    writeStamp(root, sourceHash(root));
    expect(buildState(root)).toEqual({ fresh: true });

    writeFileSync(join(root, "src", "cli", "main.ts"), "export const version = 2;\n");
    const state = buildState(root);
    expect(state.fresh).toBe(false);
    expect(state).toMatchObject({ reason: "stale", message: expect.stringContaining("dist/ is stale") });
  });

  it("is refused when a source file is added, or a tsconfig changes", () => {
    const added = project();
    writeStamp(added, sourceHash(added));
    writeFileSync(join(added, "src", "cli", "extra.ts"), "export {};\n");
    expect(buildState(added)).toMatchObject({ fresh: false, reason: "stale" });

    const config = project();
    writeStamp(config, sourceHash(config));
    writeFileSync(join(config, "tsconfig.build.json"), '{ "compilerOptions": { "target": "ES2020" } }\n');
    expect(buildState(config)).toMatchObject({ fresh: false, reason: "stale" });
  });

  it("is refused when dist/ was built some other way (no stamp) or not at all", () => {
    expect(buildState(project())).toMatchObject({ fresh: false, reason: "unstamped" });
    expect(buildState(project(false))).toMatchObject({
      fresh: false,
      reason: "missing",
      message: expect.stringContaining("dist/cli/main.js is missing"),
    });
  });

  it("hashes content and names, not timestamps: an untouched rewrite keeps the stamp valid", () => {
    const root = project();
    const before = sourceHash(root);
    writeFileSync(join(root, "src", "cli", "main.ts"), "export const version = 1;\n");
    expect(sourceHash(root)).toBe(before);
  });
});
