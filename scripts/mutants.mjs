#!/usr/bin/env node
/**
 * Stryker's mutants of one file, listed in seconds and re-checked one by one (docs/testing.md). For a
 * shared 2-core machine where a whole Stryker run does not fit: the instrumenter is Stryker's own
 * (@stryker-mutator/instrumenter, a dependency of @stryker-mutator/core), so the mutants are the ones a run
 * would make; the ids are this script's (the order of the instrumenter's result), not a report's.
 *
 *   node scripts/mutants.mjs list src/domain/nesting.ts
 *     → JSON array of {id, line, col, mutator, original, replacement}
 *   node scripts/mutants.mjs check src/domain/nesting.ts 3,17,40-52|all -- npx vitest run -c vitest.mutation.config.ts test/domain/nesting.test.ts
 *     → applies each mutant to the file (an expression replacement in parentheses, as Stryker places it),
 *       runs the command, restores the file; prints "ID killed|SURVIVED|timeout  line:col mutator  original → replacement".
 *       A command still running after 60 s is a timeout (an endless loop), and its whole process group is killed.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [cmd, file, ids, sep, ...command] = process.argv.slice(2);
if ((cmd !== "list" && cmd !== "check") || file === undefined) {
  process.stderr.write("usage: mutants.mjs list FILE | check FILE IDS|all -- COMMAND…\n");
  process.exit(2);
}
const instrumenterUrl = pathToFileURL(resolve("node_modules/@stryker-mutator/instrumenter/dist/src/index.js")).href;
const { Instrumenter } = await import(instrumenterUrl);
const quiet = () => false;
const logger = new Proxy({}, { get: (_, name) => (String(name).startsWith("is") ? quiet : () => {}) });
const original = readFileSync(file, "utf8");
const { mutants: found } = await new Instrumenter(logger).instrument(
  [{ name: resolve(file), content: original, mutate: true }],
  { plugins: null, excludedMutations: [], ignorers: [] },
);
const lineStarts = [0];
for (let i = 0; i < original.length; i++) if (original[i] === "\n") lineStarts.push(i + 1);
// the instrumenter's positions: line and column both 0-based
const offsetOf = (p) => lineStarts[p.line] + p.column;
const mutants = found.map((m, id) => {
  const start = offsetOf(m.location.start);
  const end = offsetOf(m.location.end);
  return { id, line: m.location.start.line + 1, col: m.location.start.column + 1, mutator: m.mutatorName,
    start, end, original: original.slice(start, end), replacement: m.replacement };
});

if (cmd === "list") {
  const listed = mutants.map(({ start, end, ...m }) => m);
  process.stdout.write(`${JSON.stringify(listed, null, 1)}\n`);
} else {
  if (sep !== "--" || command.length === 0 || ids === undefined) throw new Error("check FILE IDS -- COMMAND…");
  const chosen =
    ids === "all"
      ? mutants
      : ids.split(",").flatMap((part) => {
          const [a, b = a] = part.split("-").map(Number);
          return mutants.slice(a, b + 1);
        });
  const run = () =>
    new Promise((done) => {
      const child = spawn(command[0], command.slice(1), { stdio: "ignore", detached: true });
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
        done("timeout");
      }, 60_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        done(code === 0 ? "SURVIVED" : "killed");
      });
    });
  const short = (s) => s.replace(/\s+/g, " ").slice(0, 70);
  try {
    for (const m of chosen) {
      const statement = /Statement$|^Block/.test(m.mutator) || /^[{;]/.test(m.replacement);
      writeFileSync(file, original.slice(0, m.start) + (statement ? m.replacement : `(${m.replacement})`) + original.slice(m.end));
      const verdict = await run();
      console.log(`${m.id} ${verdict}  ${m.line}:${m.col} ${m.mutator}  ${short(m.original)} → ${short(m.replacement)}`);
    }
  } finally {
    writeFileSync(file, original);
  }
}
