import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { builtWorkerFile } from "../../src/threads/built-worker.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "dialrules-built-worker-"));
  mkdirSync(join(root, "dist", "store"), { recursive: true });
  writeFileSync(join(root, "dist", "store", "writer-worker.js"), "");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const url = (...parts: string[]) => pathToFileURL(join(root, ...parts)).href;

it("finds the worker next to a built module", () => {
  expect(builtWorkerFile(url("dist", "store", "writer.js"), "writer-worker")).toBe(
    join(root, "dist", "store", "writer-worker.js"),
  );
});

it("finds the build's copy, at the same path below dist/, for a module run from the sources", () => {
  expect(builtWorkerFile(url("src", "store", "writer.ts"), "writer-worker")).toBe(
    join(root, "dist", "store", "writer-worker.js"),
  );
});

it("answers undefined when there is no built worker, so the caller works on its own thread", () => {
  expect(builtWorkerFile(url("src", "server", "parser.ts"), "writer-worker")).toBeUndefined();
  expect(builtWorkerFile(url("dist", "store", "writer.js"), "missing-worker")).toBeUndefined();
  expect(builtWorkerFile(url("elsewhere", "writer.ts"), "writer-worker")).toBeUndefined();
});
